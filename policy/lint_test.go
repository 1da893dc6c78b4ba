package policy

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLint(t *testing.T) {
	seconds := func(n int) *Duration { return &Duration{time.Duration(n) * time.Second} }
	tests := []struct {
		name string
		cfg  Config
		want []string // Warning.String() of every warning, in order
	}{
		{
			name: "clean config",
			cfg: Config{Rules: Rules{
				AllowOrigins:       []string{"https://app.example.com"},
				AllowOriginRegexes: []string{`^https://pr-[0-9]+\.preview\.example\.com$`},
				MaxAge:             seconds(7200),
			}},
		},
		{
			name: "unescaped dot between labels",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://api.example\.com$`}}},
			want: []string{`allowOriginRegexes[0]: "^https://api.example\\.com$": an unescaped "." matches any character, so this also allows "https://apixexample.com": escape it ("\\." in json)`},
		},
		{
			name: "unescaped dot before the tld",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://app\.example.com$`}}},
			want: []string{`allowOriginRegexes[0]: "^https://app\\.example.com$": the unescaped "." before "com" matches any character, so this also allows "https://app.examplexcom": escape it ("\\." in json)`},
		},
		{
			name: "unescaped dot before the tld with a port",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://app\.example.com:8443$`}}},
			want: []string{`allowOriginRegexes[0]: "^https://app\\.example.com:8443$": the unescaped "." before "com" matches any character, so this also allows "https://app.examplexcom:8443": escape it ("\\." in json)`},
		},
		{
			name: "dot in the port or scheme part is not the host",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://app\.example\.com(:.+)?$`}}},
		},
		{
			name: "escaped by a character class",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://app[.]example[.]com$`}}},
		},
		{
			name: "dot star before the domain crosses labels",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://.*example\.com$`}}},
			want: []string{`allowOriginRegexes[0]: "^https://.*example\\.com$": ".*" in the host matches any characters, dots included, so it crosses label boundaries and also allows "https://attacker-example.com": match whole labels instead, e.g. ([a-z0-9-]+\.)+ before a literal domain`},
		},
		{
			name: "dot star after the domain",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://app\.example\.com.*`}}},
			want: []string{`allowOriginRegexes[0]: "^https://app\\.example\\.com.*": ".*" in the host matches any characters, dots included, so it crosses label boundaries and also allows "https://app.example.com.attacker.net": match whole labels instead, e.g. ([a-z0-9-]+\.)+ before a literal domain`},
		},
		{
			name: "dot plus as a subdomain wildcard",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://.+\.example\.com$`}}},
			want: []string{`allowOriginRegexes[0]: "^https://.+\\.example\\.com$": ".+" matches any run of characters, dots included, so it allows any subdomain at any depth (e.g. "https://attacker.tenant.example.com"): list "https://*.example.com" in allowOrigins (whole labels only) or match one label with [a-z0-9-]+`},
		},
		{
			name: "optional dot star group before the domain",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`^https://(.*\.)?example\.com$`}}},
			want: []string{`allowOriginRegexes[0]: "^https://(.*\\.)?example\\.com$": ".*" matches any run of characters, dots included, so it allows any subdomain at any depth (e.g. "https://attacker.tenant.example.com"): list "https://*.example.com" in allowOrigins (whole labels only) or match one label with [a-z0-9-]+`},
		},
		{
			name: "regex without a scheme is all host",
			cfg:  Config{Rules: Rules{AllowOriginRegexes: []string{`example.com$`}}},
			want: []string{`allowOriginRegexes[0]: "example.com$": the unescaped "." before "com" matches any character: escape it ("\\." in json)`},
		},
		{
			name: "dot inside an alternation",
			cfg:  Config{Routes: []Route{{Hosts: []string{"api.example.com"}, Rules: Rules{AllowOriginRegexes: []string{`^https://(web|app.x)\.example\.com$`}}}}},
			want: []string{`routes[0].allowOriginRegexes[0]: "^https://(web|app.x)\\.example\\.com$": an unescaped "." matches any character, so this also allows "https://appxx.example.com": escape it ("\\." in json)`},
		},
		{
			name: "star alone is a public api",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"*"}}},
		},
		{
			name: "star next to a regex",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"*"}, AllowOriginRegexes: []string{`^https://[a-z]+\.example\.com$`}}},
			want: []string{`allowOrigins[0]: "*": "*" allows every origin, so the other allowOrigins and allowOriginRegexes have no effect: remove "*" to allow only the listed origins`},
		},
		{
			name: "star next to a list",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"https://a.example", "*"}}},
			want: []string{`allowOrigins[1]: "*": "*" allows every origin, so the other allowOrigins and allowOriginRegexes have no effect: remove "*" to allow only the listed origins`},
		},
		{
			name: "star with cross-origin protection",
			cfg:  Config{Routes: []Route{{PathPrefixes: []string{"/api/"}, Rules: Rules{AllowOrigins: []string{"*"}, CrossOriginProtection: true}}}},
			want: []string{
				`routes[0].crossOriginProtection: "true": allowOrigins "*" trusts every origin, so cross-origin protection rejects nothing: list the origins that may send writes instead of "*"`,
			},
		},
		// Issue 9 §6: methods are case-sensitive.
		{
			name: "lowercase method fetch normalises never matches",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"GET", "delete", "Put"}}},
			want: []string{
				`allowMethods[1]: "delete": fetch uppercases "delete" to "DELETE" before sending it, so this entry never matches: write "DELETE"`,
				`allowMethods[2]: "Put": fetch uppercases "Put" to "PUT" before sending it, so this entry never matches: write "PUT"`,
			},
		},
		{
			name: "lowercase method fetch sends verbatim matches only lowercase scripts",
			cfg:  Config{Routes: []Route{{PathPrefixes: []string{"/x/"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"PATCH", "patch", "*"}}}}},
			want: []string{
				`routes[0].allowMethods[1]: "patch": browsers send methods verbatim and they are compared case-sensitively, so "patch" allows only scripts that spell it that way, not fetch(url, {method: "PATCH"}): write "PATCH", and keep "patch" only if such scripts exist`,
			},
		},
		{
			name: "uppercase and custom uppercase methods are clean",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"DELETE", "PATCH", "PURGE", "M-SEARCH"}}},
		},
		{
			name: "maxAge above chromium's cap",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"https://a.example"}, MaxAge: seconds(86400)}},
			want: []string{`maxAge: "86400": browsers cap preflight caching (chromium at 7200 s, webkit at 600 s, measured in docs/browsers.md), so the extra time is ignored: use 7200 or less`},
		},
		{
			name: "private network access",
			cfg:  Config{Rules: Rules{AllowOrigins: []string{"https://a.example"}, AllowPrivateNetwork: true}},
			want: []string{`allowPrivateNetwork: "true": this lets public websites reach a private-network service through private network access preflights, which chromium has replaced with the local network access permission prompt (the user decides, not this header): remove it unless older chromium clients still need it`},
		},
		{
			name: "shadowed by a shorter path prefix",
			cfg: Config{Routes: []Route{
				{Name: "api", Hosts: []string{"api.example.com"}, PathPrefixes: []string{"/v1/"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{Hosts: []string{"api.example.com"}, PathPrefixes: []string{"/v1/admin/"}, Rules: Rules{AllowOrigins: []string{"https://b.example"}}},
			}},
			want: []string{`routes[1]: never applies: routes[0] ("api") comes first and matches every request this route matches (first match wins): move this route above it or narrow routes[0]'s hosts, pathPrefixes or routeNames`},
		},
		{
			name: "shadowed by a wildcard host and no path prefixes",
			cfg: Config{Routes: []Route{
				{Hosts: []string{"*.example.com"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{Name: "admin", Hosts: []string{"admin.example.com", "*.admin.example.com"}, PathPrefixes: []string{"/x/"}, Rules: Rules{AllowOrigins: []string{"https://b.example"}}},
			}},
			want: []string{`routes[1]: "admin": never applies: routes[0] comes first and matches every request this route matches (first match wins): move this route above it or narrow routes[0]'s hosts, pathPrefixes or routeNames`},
		},
		{
			name: "shadowed by a wildcard host written in Unicode (issue 16)",
			cfg: Config{Routes: []Route{
				{Hosts: []string{"*.bücher.example"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{Hosts: []string{"api.xn--bcher-kva.example"}, Rules: Rules{AllowOrigins: []string{"https://b.example"}}},
			}},
			want: []string{`routes[1]: never applies: routes[0] comes first and matches every request this route matches (first match wins): move this route above it or narrow routes[0]'s hosts, pathPrefixes or routeNames`},
		},
		{
			name: "shadowed by a punycode host, the later one written in Unicode",
			cfg: Config{Routes: []Route{
				{Hosts: []string{"xn--bcher-kva.example"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{Hosts: []string{"BÜCHER.example"}, PathPrefixes: []string{"/x/"}, Rules: Rules{AllowOrigins: []string{"https://b.example"}}},
			}},
			want: []string{`routes[1]: never applies: routes[0] comes first and matches every request this route matches (first match wins): move this route above it or narrow routes[0]'s hosts, pathPrefixes or routeNames`},
		},
		{
			name: "not shadowed: later route has an extra host",
			cfg: Config{Routes: []Route{
				{Hosts: []string{"*.example.com"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{Hosts: []string{"example.com", "a.example.com"}, Rules: Rules{AllowOrigins: []string{"https://b.example"}}},
			}},
		},
		{
			name: "not shadowed: earlier route needs a route name",
			cfg: Config{Routes: []Route{
				{RouteNames: []string{"admin"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{PathPrefixes: []string{"/"}, Rules: Rules{AllowOrigins: []string{"https://b.example"}}},
			}},
		},
		{
			name: "earlier route without path prefixes shadows a later one",
			cfg: Config{Routes: []Route{
				{Hosts: []string{"api.example.com"}, Rules: Rules{AllowOrigins: []string{"https://a.example"}}},
				{Hosts: []string{"API.example.com"}, PathPrefixes: []string{"/admin/"}, Rules: Rules{AllowOrigins: []string{"https://c.example"}}},
			}},
			want: []string{
				`routes[1]: never applies: routes[0] comes first and matches every request this route matches (first match wins): move this route above it or narrow routes[0]'s hosts, pathPrefixes or routeNames`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range lint(&tt.cfg) {
				got = append(got, w.String())
				if first := w.Message[:1]; first != strings.ToLower(first) {
					t.Errorf("message starts upper-case: %q", w.Message)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lint() =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// FuzzLintOriginRegex: linting any regex never panics, and every example
// origin a finding quotes ("also allows …", "e.g. …") really matches the
// regex, so a warning never shows a made-up counterexample.
func FuzzLintOriginRegex(f *testing.F) {
	for _, seed := range []string{
		`^https://api.example\.com$`, `^https://api.example.com$`, `^https://.*example\.com$`, `^https://(.*\.)?example\.com$`,
		`^https?://(www|app)\.example\.com(:[0-9]+)?$`, `example.com`, `(?i)^https://APP.example\.com$`, `^https://a{2,}.b.c$`,
		`^https://[^/]+\.example\.com$`, `^(https://x.y|http://.+)$`,
	} {
		f.Add(seed)
	}
	quoted := regexp.MustCompile(`(?:allows|e\.g\.) ("(?:[^"\\]|\\.)*")`)
	f.Fuzz(func(t *testing.T, expr string) {
		full, err := regexp.Compile(`^(?:` + expr + `)$`)
		if err != nil {
			return
		}
		for _, msg := range lintOriginRegex(expr) {
			for _, m := range quoted.FindAllStringSubmatch(msg, -1) {
				ex, err := strconv.Unquote(m[1])
				if err != nil {
					t.Fatalf("%q: bad quoting in %q", expr, msg)
				}
				if !full.MatchString(ex) {
					t.Errorf("%q: finding %q quotes %q, which the regex does not match", expr, msg, ex)
				}
			}
		}
	})
}
