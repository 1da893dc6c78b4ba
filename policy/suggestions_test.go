package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every fix a message suggests, and every example it quotes, is run
// through validation here: advice that is itself rejected (or, for an
// example, not even an origin) sends people in circles.

var (
	// `list "https://*.example.com" in allowOrigins`
	suggestedOrigin = regexp.MustCompile(`list ("(?:[^"\\]|\\.)*") in allowOrigins`)
	// `also allows "https://a.examplexcom"`, `(e.g. "https://…")`
	quotedExample = regexp.MustCompile(`(?:allows|e\.g\.) ("(?:[^"\\]|\\.)*")`)
	// `use 7200 or less` (maxAge)
	suggestedMaxAge = regexp.MustCompile(`maxAge: .*use (\d+) or less`)
)

// suggestionCorpus is every config the package's test data holds, plus
// regexes shaped like the mistakes the regex lint knows about.
func suggestionCorpus(t *testing.T) map[string][]byte {
	t.Helper()
	corpus := map[string][]byte{}
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		corpus[f] = b
	}
	for _, re := range []string{
		`^https://.*\.example.com$`, `^https://.*\.example\.com$`, `^https://.*.example.com$`,
		`^https://(.*\.)?example\.com$`, `^https://.+example\.com$`, `^https://.*\.com$`, `^https://.*\.co\.uk$`,
		`^https://.*-app\.example\.com$`, `^https://api.example\.com$`, `^https://api\.example.com$`,
		`^http://.*\.example\.com$`, `^https://[a-z]+\.com$`, `^https://[a-z.]+$`, `https://.*`,
		`^https://(www|app)\.example.com(:[0-9]+)?$`, `^https://.{1,10}\.example\.com$`,
	} {
		for _, creds := range []bool{false, true} {
			cfg, _ := json.Marshal(map[string]any{"allowOriginRegexes": []string{re}, "allowCredentials": creds})
			corpus[re+" credentials="+strconv.FormatBool(creds)] = cfg
		}
	}
	corpus["maxAge above the browser caps"] = []byte(`{"allowOrigins": ["https://a.example"], "maxAge": 86400}`)
	return corpus
}

// messages returns every error and warning Compile reports for config.
func messages(config []byte) []string {
	p, err := Compile(config)
	var out []string
	if err != nil {
		out = strings.Split(err.Error(), "\n")
	}
	if p != nil {
		for _, w := range p.Warnings() {
			out = append(out, w.String())
		}
	}
	return out
}

func TestEverySuggestionValidates(t *testing.T) {
	checked := map[string]int{}
	for name, config := range suggestionCorpus(t) {
		for _, msg := range messages(config) {
			for _, m := range suggestedOrigin.FindAllStringSubmatch(msg, -1) {
				checked["allowOrigins"]++
				origin, err := strconv.Unquote(m[1])
				if err != nil {
					t.Fatalf("%s: bad quoting in %q", name, msg)
				}
				fix, _ := json.Marshal(map[string]any{"allowOrigins": []string{origin}, "allowCredentials": true})
				if got := messages(fix); len(got) > 0 {
					t.Errorf("%s: %q suggests allowOrigins %q, which validation rejects or warns about:\n  got %s; want no message", name, msg, origin, strings.Join(got, "\n  "))
				}
			}
			for _, m := range quotedExample.FindAllStringSubmatch(msg, -1) {
				ex, err := strconv.Unquote(m[1])
				if err != nil {
					t.Fatalf("%s: bad quoting in %q", name, msg)
				}
				if !strings.Contains(ex, "://") {
					continue // a host or a header name, not an origin
				}
				checked["example"]++
				if _, err := parseConfigOrigin(ex); err != nil {
					t.Errorf("%s: %q quotes %q as an origin; got %v; want a valid origin", name, msg, ex, err)
				}
			}
			for _, m := range suggestedMaxAge.FindAllStringSubmatch(msg, -1) {
				checked["maxAge"]++
				fix := []byte(`{"allowOrigins": ["https://a.example"], "maxAge": ` + m[1] + `}`)
				if got := messages(fix); len(got) > 0 {
					t.Errorf("%s: %q suggests maxAge %s; got %s; want no message", name, msg, m[1], strings.Join(got, "\n  "))
				}
			}
		}
	}
	// The patterns above must keep finding suggestions: a reworded
	// message that no pattern matches would make this test vacuous.
	for _, kind := range []string{"allowOrigins", "example", "maxAge"} {
		if checked[kind] == 0 {
			t.Errorf("checked no %s suggestion; want at least one (has the message wording changed?)", kind)
		}
	}
	t.Logf("checked %v", checked)
}
