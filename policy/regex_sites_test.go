package policy

import (
	"strings"
	"testing"
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
		{"github.io", `https://[a-z0-9-]+\.github\.io`, false, suffix + ` "github.io" (e.g. "https://a.github.io")`},
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
		{"way out is in the message", `https://.+`, false, `e.g. "https://[a-z0-9-]+\\.example\\.com"`},
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
