package policy

import (
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy/internal/psl"
)

// TestCredentialRegexes: with allowCredentials, a regex loads only when its
// structure proves it matches the origins of one site (issue 9 §3). want
// is "" for accepted regexes, else a substring of the error.
func TestCredentialRegexes(t *testing.T) {
	const (
		suffix      = "matches a different site for every name registered under the public suffix"
		undecided   = "cannot tell which sites this matches"
		unescaped   = `an unescaped "." matches any character`
		severalSite = "different sites"
	)
	tests := []struct {
		name, regex string
		insecure    bool
		want        string
	}{
		// Accepted: one registrable domain.
		{"literal origin", `https://app\.example\.com`, false, ""},
		{"one label under a registrable domain", `https://[a-z0-9-]+\.example\.com`, false, ""},
		{"pr previews", `^https://pr-[0-9]+\.preview\.example\.com$`, false, ""},
		{"variable inside a label", `https://pr-[0-9]+-api\.example\.com`, false, ""},
		{"any depth of subdomains", `https://([a-z0-9-]+\.)+example\.com`, false, ""},
		{".* before a whole-label domain stays in the site", `https://.*\.example\.com`, false, ""},
		{"alternatives within one site", `https://(app|admin|[a-z]+\.eu)\.example\.com`, false, ""},
		{"optional port", `https://[a-z]+\.example\.com(:[0-9]+)?`, false, ""},
		{"literal port", `https://[a-z]+\.example\.com:8443`, false, ""},
		{"optional subdomain and apex", `https://([a-z]+\.)?example\.com`, false, ""},
		{"case-insensitive literal", `https://(?i:[a-z]+\.EXAMPLE\.com)`, false, ""},
		{"optional subdomains at any depth", `https://([a-z0-9-]+\.)*example\.com`, false, ""},
		{"registrable domain under a multi-label suffix", `https://[a-z]+\.example\.co\.uk`, false, ""},
		{"a user's own github.io site", `https://[a-z]+\.me\.github\.io`, false, ""},
		{"a literal host that is a public suffix is one site", `https://github\.io`, false, ""},
		{"loopback hosts are one site", `http://(localhost|127\.0\.0\.1|\[::1\]):[0-9]+`, true, ""},
		{"any .localhost name is loopback", `http://[a-z]+\.localhost:[0-9]+`, true, ""},
		{"bracket-escaped dots", `https://app[.]example[.]com`, false, ""},

		// Refused: public suffixes (the list).
		{"github.io", `https://[a-z0-9-]+\.github\.io`, false, suffix + ` "github.io" (e.g. "https://attacker.github.io")`},
		{"any .io", `https://[a-z]+\.io`, false, suffix + ` "io"`},
		{"any .co", `https://[a-z]+\.co`, false, suffix + ` "co"`},
		{"any .co.uk", `https://[a-z]+\.co\.uk`, false, suffix + ` "co.uk"`},
		{"herokuapp.com", `https://[a-z0-9-]+\.herokuapp\.com`, false, suffix + ` "herokuapp.com"`},
		{"ngrok.io", `https://[a-z0-9-]+\.ngrok\.io`, false, suffix + ` "ngrok.io"`},
		{"variable glued to a label of a suffix", `https://[a-z]+example\.com`, false, suffix + ` "com"`},
		{"a public suffix below the domain", `https://[a-z0-9.-]+\.amazonaws\.com`, false, `can match hosts under "s3.amazonaws.com", a public suffix below "amazonaws.com"`},
		{"any depth over a suffix", `https://([a-z]+\.)+github\.io`, false, suffix + ` "github.io"`},

		// Refused: more than one site.
		{"two registrable domains", `https://(app\.foo\.com|app\.bar\.com)`, false, severalSite + ` ("bar.com", "foo.com")`},
		{"two TLDs", `https://[a-z]+\.example\.(com|net)`, false, severalSite + ` ("example.com", "example.net")`},
		{"a trailing label after the trusted domain", `https://([a-z]+\.)?example\.com(\.evil\.net)?`, false, severalSite + ` ("evil.net", "example.com")`},

		// Refused: unescaped dots, whatever else.
		{"unescaped dots", `https://app.example.com`, false, unescaped + `, so this also allows "https://appxexample.com"`},
		{"unescaped dot before the TLD only", `https://app\.example.com`, false, unescaped},
		{"unescaped optional dot", `https://app.?example\.com`, false, unescaped},

		// Refused: undecidable, with the way out.
		{"any origin", `.*`, false, undecided + ` (the host does not end in literal text)`},
		{"any https origin", `https://.+`, false, undecided},
		{"class over dots", `https://[a-z.]+`, false, undecided},
		{"variable TLD", `https://app\.example\.[a-z]+`, false, undecided},
		{"host ends in a class", `https://app[0-9]`, false, undecided},
		{"no scheme", `example\.com`, false, undecided + ` (it has no scheme://)`},
		{"too many alternatives", `https://(ab|cd)(ab|cd)(ab|cd)(ab|cd)(ab|cd)(ab|cd)(ab|cd)\.example\.com`, false, undecided + ` (it has more than 64 alternatives to check; split it)`},
		{"way out is in the message", `https://.+`, false, `as in "https://[a-z0-9-]+\\.example\\.com"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := credentialRegexProblem(tc.regex)
			switch {
			case tc.want == "" && got != "":
				t.Errorf("credentialRegexProblem(%q): got %q; want accepted", tc.regex, got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("credentialRegexProblem(%q): got %q; want it to contain %q", tc.regex, got, tc.want)
			}
			// Through New too: the error names the field and value, and
			// the regex works when accepted.
			cfg := Config{Rules: Rules{AllowOriginRegexes: []string{tc.regex}, AllowCredentials: true, DangerouslyAllowInsecureOrigins: tc.insecure}}
			_, err := New(cfg)
			if tc.want == "" && err != nil {
				t.Errorf("New: got %v; want a policy", err)
			}
			if tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), "allowOriginRegexes[0]: ")) {
				t.Errorf("New: got %v; want an allowOriginRegexes[0] error", err)
			}
		})
	}
}

// Without credentials nothing changes: a broad regex only lets sites read
// public responses, and corsctl's lints flag it.
func TestRegexesWithoutCredentialsLoad(t *testing.T) {
	for _, re := range []string{`https://[a-z0-9-]+\.github\.io`, `https://app.example.com`, `.*`} {
		if _, err := New(Config{Rules: Rules{AllowOriginRegexes: []string{re}}}); err != nil {
			t.Errorf("New(%q without credentials): got %v; want a policy", re, err)
		}
	}
}

// FuzzCredentialRegexSites: a regex accepted with credentials never lets
// origins of two different sites through. Probes are hostile origins plus
// origins built from the regex's own branches, with every opaque part
// replaced by label-crossing text, so an accepted regex that reaches
// another site is likely to be caught. The site of a probe is computed
// from the Public Suffix List directly, not by the proof under test.
func FuzzCredentialRegexSites(f *testing.F) {
	for _, s := range []string{
		`https://[a-z0-9-]+\.example\.com`, `https://([a-z0-9-]+\.)*example\.com`, `https://.*\.example\.com(:[0-9]+)?`,
		`https://[a-z0-9-]+\.github\.io`, `https://(app|admin)\.example\.(com|net)`, `https://pr-[0-9]+-api\.example\.com`,
		`https://([a-z]+\.)?example\.com(\.evil\.net)?`, `http://(localhost|127\.0\.0\.1):[0-9]+`, `https://[a-z]+example\.com`,
		`https://(?i:[a-z]+\.EXAMPLE\.com)`, `https://[a-z]*\.?example\.com`, `https://[^.]+\.example\.com`,
	} {
		f.Add(s)
	}
	subs := []string{"a", "evil", "a.b", "evil.com", "x-y", "0", "", ".", "a.", ".a", "evil.com.", "github.io", "com"}
	hostile := []string{"https://evil.com", "https://a.github.io", "https://b.github.io", "https://example.com.evil.net",
		"https://evilexample.com", "http://localhost:1", "https://a.b", "https://x.co.uk", "https://x.s3.amazonaws.com"}
	f.Fuzz(func(t *testing.T, expr string) {
		if len(expr) > 200 {
			return
		}
		p, err := New(Config{Rules: Rules{AllowOriginRegexes: []string{expr}, AllowCredentials: true, DangerouslyAllowInsecureOrigins: true}})
		if err != nil {
			return
		}
		parsed, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatalf("accepted %q, which syntax.Parse refuses: %v", expr, err)
		}
		probes := slices.Clone(hostile)
		if branches, ok := expandRegex(parsed.Simplify()); ok {
			for _, b := range branches {
				for _, sub := range subs {
					var s strings.Builder
					for _, part := range b {
						if part.node == nil {
							s.WriteString(part.lit)
						} else if digitsOnly(part.node) {
							s.WriteString("1")
						} else {
							s.WriteString(sub)
						}
					}
					probes = append(probes, s.String())
				}
			}
		}
		sites := map[string]string{}
		for _, o := range probes {
			r := Request{Method: "GET", Origin: o}
			if d := p.Evaluate(&r); d.Allowed && browserHost(o) {
				sites[probeSite(o)] = o
			}
		}
		if len(sites) > 1 {
			t.Fatalf("credentialed regex %q accepted, but it allows origins of %d sites: %v; want one", expr, len(sites), sites)
		}
	})
}

// browserHost reports whether a browser can have this origin: the engine
// accepts hosts with empty labels ("a..b", ".b"), but no DNS name has
// one, so no page is ever served from such an origin, and the site proof
// ignores them.
func browserHost(origin string) bool {
	o, _ := parseRequestOrigin(origin)
	h := strings.TrimSuffix(o.host, ".") // "host." is a real origin
	return !strings.HasPrefix(h, ".") && !strings.Contains(h, "..") && !strings.HasSuffix(h, ".")
}

// probeSite is the registrable domain of an origin's host (lowercase), the
// host itself when it has none, or "localhost" for loopback hosts.
func probeSite(origin string) string {
	o, _ := parseRequestOrigin(origin)
	h := strings.ToLower(strings.TrimSuffix(o.host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "[::1]" || strings.HasPrefix(h, "127.") {
		return "localhost"
	}
	if reg, ok := psl.RegistrableDomain(h); ok {
		return reg
	}
	return h
}
