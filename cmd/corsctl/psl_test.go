package main

import (
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// The testdata configs use suffixes added to the Public Suffix List after
// the filter's copy (Debian publicsuffix 20230209). If `make psl` brings
// in a list that knows them, the filter reports them itself and these
// tests must move to newer suffixes: requireFilterListOlder says so
// instead of failing obscurely.
func requireFilterListOlder(t *testing.T) {
	t.Helper()
	const want = "Debian publicsuffix 20230209.2326-1"
	if got := policy.PublicSuffixListVersion(); got != want {
		t.Fatalf("policy.PublicSuffixListVersion() = %q; want %q: the filter's list was refreshed, so pick suffixes newer than it for cmd/corsctl/testdata/psl-*.json and update these expectations", got, want)
	}
}

const (
	pslNewerCreds = `a wildcard over a public suffix trusts every site registered under it (this suffix is newer than the filter's built-in list of 2023-02-09, so the filter itself would accept it); list the origins you trust instead`
	pslNewerPub   = `a wildcard over a public suffix trusts every site registered under it (this suffix is newer than the filter's built-in list of 2023-02-09, so the filter itself would not warn); without credentials they can only read public responses, but list the origins you trust instead`
	pslKnownCreds = `a wildcard over a public suffix trusts every site registered under it; list the origins you trust instead`
)

// TestValidatePublicSuffixCrossCheck runs the real binary on configs with
// wildcard origins over public suffixes the filter's list does or does
// not know.
const pslNewerRegexCreds = `matches a different site for every name registered under the public suffix "ngrok-free.app" (this suffix is newer than the filter's built-in list of 2023-02-09, so the filter itself would accept it): with allowCredentials any of them could read users' data; spell out the hosts you trust`

func TestValidatePublicSuffixCrossCheck(t *testing.T) {
	requireFilterListOlder(t)
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{
			name:   "newer suffix with credentials is an error",
			args:   []string{"validate", td + "psl-newer-credentials.json"},
			code:   exitInvalid,
			stdout: lines(td + "psl-newer-credentials.json: invalid (1 error)"),
			stderr: lines(td + `psl-newer-credentials.json: routes[0].allowOrigins[1]: "https://*.ngrok-free.app": ` + pslNewerCreds),
		},
		{
			name:   "newer suffixes without credentials are warnings",
			args:   []string{"validate", td + "psl-newer-public.json"},
			code:   exitOK,
			stdout: lines(td + "psl-newer-public.json: valid (2 warnings)"),
			stderr: lines(
				"warning: "+td+`psl-newer-public.json: allowOrigins[0]: "https://*.hf.space": `+pslNewerPub,
				"warning: "+td+`psl-newer-public.json: allowOrigins[1]: "https://*.Lovable.App:8443": `+pslNewerPub),
		},
		{
			name:   "warnings fail under --strict",
			args:   []string{"validate", "--strict", td + "psl-newer-public.json"},
			code:   exitInvalid,
			stdout: lines(td + "psl-newer-public.json: invalid under --strict (2 warnings)"),
			stderr: lines(
				"warning: "+td+`psl-newer-public.json: allowOrigins[0]: "https://*.hf.space": `+pslNewerPub,
				"warning: "+td+`psl-newer-public.json: allowOrigins[1]: "https://*.Lovable.App:8443": `+pslNewerPub),
		},
		{
			name:   "a suffix the filter knows: its error only, once",
			args:   []string{"validate", td + "psl-known-credentials.json"},
			code:   exitInvalid,
			stdout: lines(td + "psl-known-credentials.json: invalid (1 error)"),
			stderr: lines(td + `psl-known-credentials.json: allowOrigins[0]: "https://*.github.io": ` + pslKnownCreds),
		},
		{
			name:   "known and newer together; localhost exempt",
			args:   []string{"validate", td + "psl-known-and-newer.json"},
			code:   exitInvalid,
			stdout: lines(td + "psl-known-and-newer.json: invalid (2 errors)"),
			stderr: lines(
				td+`psl-known-and-newer.json: allowOrigins[0]: "https://*.github.io": `+pslKnownCreds,
				td+`psl-known-and-newer.json: allowOrigins[1]: "https://*.replit.app": `+pslNewerCreds),
		},
		{
			name:   "credentialed regex under a newer suffix is an error; without credentials it is the filter's business",
			args:   []string{"validate", td + "psl-newer-regex.json"},
			code:   exitInvalid,
			stdout: lines(td + "psl-newer-regex.json: invalid (1 error)"),
			stderr: lines(td + `psl-newer-regex.json: allowOriginRegexes[1]: "https://[a-z0-9-]+\\.ngrok-free\\.app": ` + pslNewerRegexCreds),
		},
		{
			name:   "explain refuses a config the cross-check rejects",
			args:   []string{"explain", td + "psl-newer-credentials.json", "--origin", "https://attacker.ngrok-free.app", "--url", "https://api.example.com/"},
			code:   exitInvalid,
			stdout: "",
			stderr: lines(
				td+`psl-newer-credentials.json: routes[0].allowOrigins[1]: "https://*.ngrok-free.app": `+pslNewerCreds,
				td+"psl-newer-credentials.json: invalid: the filter would load this config, but its public suffix list is older than corsctl's; run corsctl validate"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exe(t, tt.args...).check(t, tt.code, tt.stdout, tt.stderr)
		})
	}
}

// TestPublicSuffixCrossCheckIsNewsOnly: the filter itself accepts the
// configs corsctl now rejects (that is the gap being closed), and reports
// the known suffix with exactly the line validate prints.
func TestPublicSuffixCrossCheckIsNewsOnly(t *testing.T) {
	requireFilterListOlder(t)
	for _, f := range []string{"psl-newer-credentials.json", "psl-newer-public.json"} {
		p, err := policy.Compile(mustRead(t, "testdata/"+f))
		if err != nil {
			t.Fatalf("policy.Compile(%s): got error %v; want the filter to accept it", f, err)
		}
		for _, w := range p.Warnings() {
			if strings.Contains(w.Message, "public suffix") {
				t.Errorf("policy.Compile(%s): got warning %s; want none about public suffixes", f, w)
			}
		}
	}
	_, err := policy.Compile(mustRead(t, "testdata/psl-known-and-newer.json"))
	if want := `allowOrigins[0]: "https://*.github.io": ` + pslKnownCreds; err == nil || err.Error() != want {
		t.Errorf("policy.Compile(psl-known-and-newer.json): got %v; want exactly %q", err, want)
	}
}

func TestExplainAllowsNewerSuffixWithoutCredentials(t *testing.T) {
	requireFilterListOlder(t)
	// explain shows what the filter does, and prints no warnings (validate
	// does): the filter allows every site under the suffix.
	e := explainJSON(t, td+"psl-newer-public.json", "--origin", "https://attacker.hf.space")
	if !e.Allowed || e.Reason != "allowed" {
		t.Errorf("got allowed %v, reason %q; want true, \"allowed\"", e.Allowed, e.Reason)
	}
}

func TestNewerPublicSuffix(t *testing.T) {
	requireFilterListOlder(t)
	tests := []struct {
		name, origin string
		want         bool
	}{
		{"private-section suffix added after 2023", "https://*.ngrok-free.app", true},
		{"two-label private suffix", "https://*.up.railway.app", true},
		{"case is normalized", "https://*.NGROK-free.App", true},
		{"any port", "https://*.hf.space:*", true},
		{"explicit port", "https://*.notion.site:8443", true},
		{"plaintext scheme", "http://*.webflow.io", true},
		{"below the suffix is a site", "https://*.foo.ngrok-free.app", false},
		{"filter knows github.io", "https://*.github.io", false},
		{"filter knows com (icann)", "https://*.com", false},
		{"filter knows co.uk", "https://*.co.uk", false},
		{"filter knows foo.ck by *.ck", "https://*.foo.ck", false},
		{"unlisted tld: filter flags it by the * rule", "https://*.internal", false},
		{"localhost is loopback, exempt", "http://*.localhost:3000", false},
		{"a name under localhost is no suffix", "http://*.dev.localhost", false},
		{"a registrable domain", "https://*.example.com", false},
		{"idn under an unlisted tld", "https://*.Bücher.Example:8443", false},
		{"not a wildcard", "https://ngrok-free.app", false},
		{"star origin", "*", false},
		{"filter rejects the trailing slash itself", "https://*.ngrok-free.app/", false},
		{"filter rejects the inner wildcard itself", "https://*.*.ngrok-free.app", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newerPublicSuffix(tt.origin); got != tt.want {
				t.Errorf("newerPublicSuffix(%q) = %v; want %v", tt.origin, got, tt.want)
			}
		})
	}
}

func TestListDateOf(t *testing.T) {
	tests := []struct{ name, version, want string }{
		{"debian package version", "Debian publicsuffix 20230209.2326-1", "2023-02-09"},
		{"date at the end", "publicsuffix 20260206", "2026-02-06"},
		{"not a date", "Debian publicsuffix 20231399.1-1", `"Debian publicsuffix 20231399.1-1"`},
		{"no digits", "unknown", `"unknown"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listDateOf(tt.version); got != tt.want {
				t.Errorf("listDateOf(%q) = %q; want %q", tt.version, got, tt.want)
			}
		})
	}
}

// TestHelpListsEveryFlag: the synopsis names every flag each command
// defines, the flag lists describe each one, and every way of asking for
// help prints the whole text.
func TestHelpListsEveryFlag(t *testing.T) {
	validate, _ := validateFlags(io.Discard)
	explain, _ := explainFlags(io.Discard)
	for command, fs := range map[string]*flag.FlagSet{"validate": validate, "explain": explain} {
		syn := synopsisOf(command)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			name := "--" + f.Name
			if !strings.Contains(syn, "["+name+"]") && !strings.Contains(syn, "["+name+" ") && !strings.Contains(syn, " "+name+" ") {
				t.Errorf("synopsis of %s: got %q; want it to name %s", command, syn, name)
			}
			if !strings.Contains(usage, "\n  "+name+" ") {
				t.Errorf("usage: got no line for %s %s; want one describing it", command, name)
			}
		})
		if n == 0 {
			t.Errorf("%s: got no flags; want at least one", command)
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		exe(t, args...).check(t, exitOK, usage, "")
	}
	// A command's own --help is not an error either.
	exe(t, "explain", "--help").check(t, exitOK, usage, "")
	exe(t, "validate", "-h").check(t, exitOK, usage, "")
}

// synopsisOf returns the synopsis line of a command with its continuation
// lines (those that start with "[" after the indent).
func synopsisOf(command string) string {
	var out []string
	in := false
	for _, l := range strings.Split(synopsis, "\n") {
		switch {
		case strings.HasPrefix(l, "  corsctl "+command+" "):
			in = true
		case in && strings.HasPrefix(strings.TrimSpace(l), "["):
		default:
			in = false
		}
		if in {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, " ") + " "
}
