package policy

import (
	"strings"
	"testing"
)

func TestNeeds(t *testing.T) {
	tests := []struct {
		name                 string
		config               string
		routeName, needsMore bool
	}{
		{"default only", `{"allowOrigins": ["https://a.example.com"]}`, false, false},
		{"default with COP", `{"allowOrigins": ["https://a.example.com"], "crossOriginProtection": true}`, false, true},
		{"host route", `{"routes": [{"hosts": ["a.example.com"], "allowOrigins": ["https://a.example.com"]}]}`, false, true},
		{"route names", `{"routes": [{"routeNames": ["r"], "allowOrigins": ["https://a.example.com"]}]}`, true, true},
		{"empty", `{}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.config)
			if got := p.NeedsRouteName(); got != tt.routeName {
				t.Errorf("NeedsRouteName: got %v; want %v", got, tt.routeName)
			}
			if got := p.NeedsRequestDetails(); got != tt.needsMore {
				t.Errorf("NeedsRequestDetails: got %v; want %v", got, tt.needsMore)
			}
		})
	}
}

// TestNewRules: one row per validation rule of issue 2 §2 that the
// testdata corpus does not already pin, plus the accepted near misses.
func TestNewRules(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   string // "" = valid
	}{
		{"localhost exempt from insecure check", `{"allowOrigins": ["http://localhost:3000", "http://a.localhost", "http://127.9.9.9", "http://[::1]"], "allowCredentials": true}`, ""},
		{"insecure allowed when dangerous flag set", `{"allowOrigins": ["http://a.example.com"], "allowCredentials": true, "dangerouslyAllowInsecureOrigins": true}`, ""},
		{"insecure without credentials is fine", `{"allowOrigins": ["http://a.example.com"]}`, ""},
		{"http loopback lookalike is not exempt", `{"allowOrigins": ["http://localhost.example.com"], "allowCredentials": true}`, `allowOrigins[0]: "http://localhost.example.com": plaintext http origin`},
		{"private-section public suffix", `{"allowOrigins": ["https://*.github.io"], "allowCredentials": true}`, `allowOrigins[0]: "https://*.github.io": a wildcard over a public suffix`},
		{"unlisted TLD counts as public suffix", `{"allowOrigins": ["https://*.internal"], "allowCredentials": true}`, `allowOrigins[0]: "https://*.internal": a wildcard over a public suffix`},
		{"registrable domain under a suffix is fine", `{"allowOrigins": ["https://*.example.co.uk", "https://*.me.github.io"], "allowCredentials": true}`, ""},
		{"star with regex and no credentials", `{"allowOrigins": ["*"], "allowOriginRegexes": ["https://x"]}`, ""},
		{"credentials with star in a route", `{"routes": [{"hosts": ["a.example.com"], "allowOrigins": ["*"], "allowCredentials": true}]}`, `routes[0].allowOrigins[0]: "*": cannot be combined with allowCredentials`},
		{"maxAge bounds inclusive", `{"allowOrigins": ["https://a.example.com"], "maxAge": 86400}`, ""},
		{"maxAge 24h string", `{"allowOrigins": ["https://a.example.com"], "maxAge": "24h"}`, ""},
		{"maxAge just over", `{"allowOrigins": ["https://a.example.com"], "maxAge": 86401}`, `maxAge: "86401": must be at most 86400 seconds`},
		{"preflightStatus 200", `{"allowOrigins": ["https://a.example.com"], "preflightStatus": 200}`, ""},
		{"preflightStatus 404", `{"allowOrigins": ["https://a.example.com"], "preflightStatus": 404}`, `preflightStatus: "404": must be 200 or 204`},
		{"enum values", `{"allowOrigins": ["https://a.example.com"], "unmatchedPreflights": "forward", "upstreamCors": "preserve"}`, ""},
		{"enum case matters", `{"allowOrigins": ["https://a.example.com"], "upstreamCors": "Override"}`, `upstreamCors: "Override": must be "override"`},
		// Issue 9: the regex is validated alone before we wrap it in
		// "^(?:" … ")$", or ")" would close our group and unanchor it.
		{"unbalanced ) cannot escape the anchors", `{"allowOriginRegexes": ["https://a\\.example\\.com)|(.*"]}`, `allowOriginRegexes[0]: "https://a\\.example\\.com)|(.*": not a valid RE2 regular expression (unexpected ): ` + "`https://a\\.example\\.com)|(.*`" + `); see https://github.com/google/re2/wiki/Syntax`},
		{"duplicate regex", `{"allowOriginRegexes": ["https://x", "https://x"]}`, `allowOriginRegexes[1]: "https://x": duplicate of allowOriginRegexes[0]; remove one`},
		// Duplicates are found in the exact-origin index or among the others
		// (plugin start keeps no per-origin path); each names the first copy.
		{"duplicate exact origin names the first copy", `{"allowOrigins": ["https://b.example", "https://a.example", "https://c.example", "https://A.example"]}`, `allowOrigins[3]: "https://A.example": duplicate of allowOrigins[1]; remove one`},
		{"third exact copy names the first", `{"allowOrigins": ["https://a.example", "https://a.example", "https://a.example"]}`, `allowOrigins[2]: "https://a.example": duplicate of allowOrigins[0]; remove one`},
		{"duplicate wildcard origin", `{"allowOrigins": ["https://*.a.example", "https://x.example", "https://*.A.example"]}`, `allowOrigins[2]: "https://*.A.example": duplicate of allowOrigins[0]; remove one`},
		{"duplicate any-port origin", `{"allowOrigins": ["https://a.example:*", "https://a.example:*"]}`, `allowOrigins[1]: "https://a.example:*": duplicate of allowOrigins[0]; remove one`},
		{"duplicate of a refused origin", `{"allowOrigins": ["http://a.example", "http://a.example"], "allowCredentials": true}`, `allowOrigins[1]: "http://a.example": duplicate of allowOrigins[0]; remove one`},
		{"duplicate star", `{"allowOrigins": ["*", "*"]}`, `allowOrigins[1]: "*": duplicate of allowOrigins[0]; remove one`},
		{"methods are case-sensitive for duplicates", `{"allowOrigins": ["https://a.example.com"], "allowMethods": ["PATCH", "patch"]}`, ""},
		{"forbidden method any case", `{"allowOrigins": ["https://a.example.com"], "allowMethods": ["cOnNeCt"]}`, `allowMethods[0]: "cOnNeCt": a forbidden method`},
		{"proxy- prefix forbidden", `{"allowOrigins": ["https://a.example.com"], "allowHeaders": ["Proxy-Foo"]}`, `allowHeaders[0]: "Proxy-Foo": a forbidden request-header name`},
		{"header name bound", `{"allowOrigins": ["https://a.example.com"], "allowHeaders": ["` + strings.Repeat("x", 129) + `"]}`, `header names longer than 128 bytes are not supported`},
		{"route host wildcard and IDN", `{"routes": [{"hosts": ["*.bücher.example", "[::1]"], "allowOrigins": ["https://a.example.com"]}]}`, ""},
		{"route host IPv6 with port", `{"routes": [{"hosts": ["[::1]:8080"], "allowOrigins": ["https://a.example.com"]}]}`, `routes[0].hosts[0]: "[::1]:8080": hosts match :authority without its port; remove ":8080"`},
		{"route host lone bracket", `{"routes": [{"hosts": ["["], "allowOrigins": ["https://a.example.com"]}]}`, `routes[0].hosts[0]: "[": unterminated IPv6 literal`},
		{"route host bare IPv6", `{"routes": [{"hosts": ["::1"], "allowOrigins": ["https://a.example.com"]}]}`, `routes[0].hosts[0]: "::1": write an IPv6 address in brackets`},
		{"routes differ by path are not duplicates", `{"routes": [{"hosts": ["a.example.com"], "allowOrigins": ["https://a.example.com"]}, {"hosts": ["a.example.com"], "pathPrefixes": ["/x"], "allowOrigins": ["https://a.example.com"]}]}`, ""},
		{"COP-only route", `{"routes": [{"pathPrefixes": ["/forms/"], "crossOriginProtection": true}]}`, ""},
		{"top-level shadow without policy", `{"shadow": true}`, `shadow: has no effect without allowOrigins, allowOriginRegexes or crossOriginProtection at the top level`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile([]byte(tt.config))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Compile(%s): got %v; want valid", tt.config, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Compile(%s): got %v; want an error containing %q", tt.config, err, tt.want)
			}
		})
	}
}

// TestNewRejectsControlBytes: configs built in Go skip ParseConfig; New
// alone must keep CR, LF and NUL out of every emitted header.
func TestNewRejectsControlBytes(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"origin", Config{Rules: Rules{AllowOrigins: []string{"https://a.example.com\r\nx-y"}}}, `allowOrigins[0]: "https://a.example.com\r\nx-y": invalid character`},
		{"method", Config{Rules: Rules{AllowOrigins: []string{"*"}, AllowMethods: []string{"PUT\n"}}}, `allowMethods[0]: "PUT\n": not a valid method`},
		{"header", Config{Rules: Rules{AllowOrigins: []string{"*"}, AllowHeaders: []string{"x\x00"}}}, `allowHeaders[0]: "x\x00": not a valid header name`},
		{"expose", Config{Rules: Rules{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"x\r"}}}, `exposeHeaders[0]: "x\r": not a valid header name`},
		{"route name", Config{Routes: []Route{{Name: "a\nb", Hosts: []string{"a.com"}, Rules: Rules{AllowOrigins: []string{"*"}}}}}, `routes[0].name: "a\nb": use only letters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	p := mustCompile(t, `{"allowOrigins": ["https://*.co.uk"], "routes": [{"hosts": ["a.example.com"], "allowOrigins": ["https://*.github.io"]}]}`)
	var got []string
	for _, w := range p.Warnings() {
		if strings.Contains(w.Message, "public suffix") {
			got = append(got, w.Path+"="+w.Value)
		}
	}
	want := "allowOrigins[0]=https://*.co.uk routes[0].allowOrigins[0]=https://*.github.io"
	if strings.Join(got, " ") != want {
		t.Errorf("public-suffix warnings: got %q; want %q", strings.Join(got, " "), want)
	}
	// Warnings returns a copy: callers cannot change the policy.
	ws := p.Warnings()
	ws[0].Message = "changed"
	if p.Warnings()[0].Message == "changed" {
		t.Errorf("Warnings: got a shared slice; want a copy")
	}
}

// FuzzCompile: Compile never panics, and whatever config it accepts, every
// header value Evaluate emits is free of CR, LF and NUL, "*" never comes
// with credentials, and only allowed requests get a reflected origin.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"allowOrigins": ["https://*.example.com", "http://localhost:*"], "allowCredentials": true}`,
		`{"allowOrigins": ["*"], "allowHeaders": ["*", "authorization"], "maxAge": "10m"}`,
		`{"routes": [{"hosts": ["[::1]", "*.a.com"], "pathPrefixes": ["/x"], "allowOriginRegexes": ["https://.*"]}]}`,
		`{"allowOrigins": ["https://[::ffff:1.2.3.4]", "https://bücher.example:8443"], "crossOriginProtection": true}`,
	} {
		f.Add(s, "https://a.example.com", "PUT", "x-a,authorization")
	}
	f.Fuzz(func(t *testing.T, config, origin, acrm, acrh string) {
		p, err := Compile([]byte(config))
		if err != nil {
			return
		}
		for _, r := range []Request{
			{Method: "OPTIONS", Origin: origin, AccessControlRequestMethod: acrm, AccessControlRequestHeaders: acrh, AccessControlRequestPrivateNetwork: "true"},
			{Method: acrm, Origin: origin, SecFetchSite: "cross-site", Authority: "a.example.com", Path: "/x"},
		} {
			d := p.Evaluate(&r)
			star, creds := false, false
			for _, h := range d.HeaderList() {
				if strings.ContainsAny(h.Value, "\r\n\x00") {
					t.Fatalf("config %s: header %s: %q contains CR, LF or NUL", config, h.Name, h.Value)
				}
				star = star || (h.Name == hAllowOrigin && h.Value == "*")
				creds = creds || h.Name == hAllowCredentials
			}
			if star && creds {
				t.Fatalf("config %s: got allow-origin * with allow-credentials; want never", config)
			}
			acaoFirst := d.NumHeaders > 0 && d.Headers[0].Name == hAllowOrigin
			if d.Allowed && !acaoFirst {
				t.Fatalf("config %s: Allowed with headers %v; want allow-origin first", config, d.HeaderList())
			}
			// A refused request carries no CORS header, except the public
			// "*" that a "*" policy puts on every forwarded response.
			if !d.Allowed && d.NumHeaders > 0 && !(acaoFirst && d.Headers[0].Value == "*" && d.Action == Continue) {
				t.Fatalf("config %s: refused (%v) with headers %v; want none, or the public \"*\" on a forwarded response", config, d.Reason, d.HeaderList())
			}
		}
	})
}
