package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

const td = "cmd/corsctl/testdata/"

// explainJSON runs explain --json in-process and decodes the result.
func explainJSON(t *testing.T, args ...string) explanation {
	t.Helper()
	r := inRepo(t, append([]string{"explain", "--json"}, args...)...)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("explain %v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	var e explanation
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("decode %s: %v", r.stdout, err)
	}
	return e
}

func TestExplain(t *testing.T) {
	const (
		app         = "https://app.example.com"
		api         = "https://api.example.com/v1/items"
		varyPre     = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
		noACAO      = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
		preflNoACAO = preflightPrefix + noACAO
	)
	tests := []struct {
		name string
		args []string
		// want holds the fields checked; Request, File, Explanation and
		// Notes are checked separately where they matter.
		want      explanation
		wantNotes []string
	}{
		{
			name: "allowed preflight with credentials",
			args: []string{"examples/config.json", "--origin", app, "--url", api, "--preflight", "--method", "PUT", "--header", "Content-Type", "--header", "authorization", "--credentials"},
			want: explanation{Kind: "preflight", Route: "default", Allowed: true, Reason: "allowed", Action: "respond", Status: 204,
				Headers: []jsonHeader{
					{Name: "access-control-allow-origin", Value: app},
					{Name: "access-control-allow-credentials", Value: "true"},
					{Name: "access-control-allow-methods", Value: "GET, POST, PUT, DELETE, PATCH"},
					{Name: "access-control-allow-headers", Value: "content-type, authorization, x-api-key"},
					{Name: "access-control-max-age", Value: "600"},
				},
				Vary: varyPre, Browser: browserVerdict{Known: true, OK: true}},
		},
		{
			name: "preflight from an unlisted origin",
			args: []string{"examples/config.json", "--origin", "https://x.example", "--url", api, "--preflight", "--method", "PUT"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "origin_not_allowed", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{`add "https://x.example" to allowOrigins`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "preflight asking for an unlisted header",
			args: []string{"examples/config.json", "--origin", app, "--url", api, "--preflight", "--method", "POST", "--header", "X-Foo", "--header", "content-type"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "header_not_allowed", Detail: "x-foo", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{`add "x-foo" to allowHeaders`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "lowercase patch while PATCH is listed",
			args: []string{"examples/config.json", "--origin", app, "--url", api, "--preflight", "--method", "patch"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "method_not_allowed", Detail: "patch", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{`call fetch with method: "PATCH" (allowMethods already lists it) — note methods are case-sensitive: the browser sent "patch" because fetch only uppercases DELETE, GET, HEAD, OPTIONS, POST, PUT`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "lowercase patch, not listed, in a route",
			args: []string{td + "star-headers.json", "--origin", app, "--preflight", "--method", "patch"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "method_not_allowed", Detail: "patch", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{`add "PATCH" to allowMethods and call fetch with method: "PATCH" — note methods are case-sensitive: the browser sent "patch" because fetch only uppercases DELETE, GET, HEAD, OPTIONS, POST, PUT`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "unlisted method in a route",
			args: []string{"examples/routes.json", "--origin", app, "--url", "https://eu.api.example.com/v2/x", "--preflight", "--method", "PROPFIND"},
			want: explanation{Kind: "preflight", Route: "api-v2", RoutePath: "routes[0]", Reason: "method_not_allowed", Detail: "PROPFIND", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{`add "PROPFIND" to routes[0].allowMethods`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "authorization is not covered by *",
			args: []string{td + "star-headers.json", "--origin", app, "--preflight", "--method", "PUT", "--header", "x-anything", "--header", "Authorization"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "header_not_allowed", Detail: "authorization", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{`add "authorization" to allowHeaders ("*" does not cover authorization: list it)`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "wildcard origin with credentials mode include",
			args: []string{"examples/public-api.json", "--origin", app, "--url", api, "--credentials"},
			want: explanation{Kind: "actual", Route: "default", Allowed: true, Reason: "allowed", Action: "continue",
				Headers: []jsonHeader{
					{Name: "access-control-allow-origin", Value: "*"},
					{Name: "access-control-expose-headers", Value: "x-ratelimit-remaining, x-request-id"},
				},
				StripUpstream: true,
				Fixes:         []string{`replace "*" in allowOrigins with the origins that call it, including "https://app.example.com", and set allowCredentials to true ("*" never works for requests with credentials)`},
				FixVerified:   true,
				Browser:       browserVerdict{Known: true, Console: "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."}},
		},
		{
			name: "listed origin without allowCredentials, credentials mode include",
			args: []string{td + "star-headers.json", "--origin", app, "--credentials"},
			want: explanation{Kind: "actual", Route: "default", Allowed: true, Reason: "allowed", Action: "continue",
				Headers: []jsonHeader{{Name: "access-control-allow-origin", Value: app}}, Vary: "Origin", StripUpstream: true,
				Blocker: `the change (set allowCredentials to true (the page sends credentials)) is refused by validation: allowHeaders[0]: "*": `,
				Browser: browserVerdict{Known: true, Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."}},
		},
		{
			name: "listed origin without allowCredentials, fixable",
			args: []string{td + "nocreds.json", "--origin", app, "--credentials"},
			want: explanation{Kind: "actual", Route: "default", Allowed: true, Reason: "allowed", Action: "continue",
				Headers: []jsonHeader{{Name: "access-control-allow-origin", Value: app}, {Name: "access-control-expose-headers", Value: "x-request-id"}},
				Vary:    "Origin", StripUpstream: true,
				Fixes: []string{`set allowCredentials to true (the page sends credentials)`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."}},
		},
		{
			name: "actual request from an unlisted origin",
			args: []string{"examples/config.json", "--origin", "https://x.example", "--url", api},
			want: explanation{Kind: "actual", Route: "default", Reason: "origin_not_allowed", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true,
				Fixes: []string{`add "https://x.example" to allowOrigins`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "no Origin: not a CORS request",
			args: []string{"examples/config.json", "--url", api},
			want: explanation{Kind: "not_cors", Route: "default", Reason: "none", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true, Browser: browserVerdict{Known: true, OK: true}},
		},
		{
			name: "cross-site POST stopped by cross-origin protection",
			args: []string{"examples/config.json", "--origin", "https://x.example", "--url", api, "--method", "POST"},
			want: explanation{Kind: "actual", Route: "default", Reason: "cross_origin_protection", Action: "respond", Status: 403,
				Headers: []jsonHeader{},
				Fixes:   []string{`add "https://x.example" to allowOrigins (origins allowed for CORS are trusted by cross-origin protection)`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "plaintext origin with credentials cannot be added",
			args: []string{"examples/config.json", "--origin", "http://x.example", "--url", api},
			want: explanation{Kind: "actual", Route: "default", Reason: "origin_not_allowed", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true,
				Blocker: `the change (add "http://x.example" to allowOrigins) is refused by validation: allowOrigins[4]: "http://x.example": `,
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "null origin",
			args: []string{"examples/config.json", "--origin", "null", "--url", api},
			want: explanation{Kind: "actual", Route: "default", Reason: "origin_not_allowed", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true,
				Blocker: `the origin "null" (sandboxed iframes, file: and data: documents) can never be allowed: any site can produce it; serve the page from a real origin`,
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "uppercase origin is not from a browser",
			args: []string{"examples/config.json", "--origin", "https://App.example.com", "--url", api},
			want: explanation{Kind: "actual", Route: "default", Reason: "origin_not_allowed", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true,
				Blocker: `browsers send origins in lowercase and the filter compares the Origin byte-exactly, so "https://App.example.com" does not come from a browser: check the client (a browser would send "https://app.example.com")`,
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "malformed origin",
			args: []string{"examples/config.json", "--origin", "https://app.example.com/", "--url", api},
			want: explanation{Kind: "actual", Route: "default", Reason: "origin_malformed", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true,
				Blocker: "the Origin header is not a serialized origin (scheme://host[:port], at most 326 bytes, no path or userinfo) or was sent twice; browsers never send that, so look at the client or a proxy rewriting it",
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "private network access",
			args: []string{"examples/config.json", "--origin", app, "--url", "http://10.0.0.8/x", "--preflight", "--method", "GET", "--private-network"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "private_network_not_allowed", Action: "respond", Status: 403,
				Headers: []jsonHeader{}, Vary: varyPre,
				Fixes: []string{"set allowPrivateNetwork to true (only if public pages must reach this private-network service; current chromium asks the user through the local network access prompt instead)"}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflNoACAO}},
		},
		{
			name: "no route and no default policy",
			args: []string{td + "routes-only.json", "--origin", app, "--url", "https://www.example.com/"},
			want: explanation{Kind: "actual", Reason: "none", Action: "continue", Headers: []jsonHeader{},
				Fixes: []string{`add "https://app.example.com" to allowOrigins (a top-level default policy: no route matches this request)`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: noACAO}},
		},
		{
			name: "route by path prefix, upstream CORS preserved",
			args: []string{"examples/routes.json", "--origin", "https://anyone.example", "--url", "https://cdn.example.com/assets/app.js"},
			want: explanation{Kind: "actual", Route: "public-assets", RoutePath: "routes[1]", Allowed: true, Reason: "allowed", Action: "continue",
				Headers: []jsonHeader{{Name: "access-control-allow-origin", Value: "*"}}, PreserveUpstream: true,
				Browser: browserVerdict{Known: true, OK: true}},
			wantNotes: []string{`upstreamCors "preserve": if the upstream's response already has Access-Control-Allow-Origin, the filter leaves it untouched and the headers above are not applied`},
		},
		{
			name: "route by route name in shadow mode",
			args: []string{"examples/routes.json", "--origin", "https://admin.example.com", "--route-name", "admin", "--preflight", "--method", "DELETE"},
			want: explanation{Kind: "preflight", Route: "admin", RoutePath: "routes[2]", Allowed: true, Reason: "allowed", Shadow: true, Action: "respond", Status: 200,
				Headers: []jsonHeader{
					{Name: "access-control-allow-origin", Value: "https://admin.example.com"},
					{Name: "access-control-allow-credentials", Value: "true"},
					{Name: "access-control-allow-methods", Value: "GET, POST, DELETE"},
					{Name: "access-control-allow-headers", Value: "content-type, authorization"},
				}, Vary: varyPre},
			wantNotes: []string{"shadow mode: the filter logs and counts this decision but changes nothing on the wire; the browser sees the upstream's own response"},
		},
		{
			name: "refused preflight forwarded upstream",
			args: []string{td + "forward.json", "--origin", "https://x.example", "--preflight", "--method", "PUT"},
			want: explanation{Kind: "preflight", Route: "default", Reason: "origin_not_allowed", Action: "continue", Headers: []jsonHeader{},
				Vary: varyPre, StripUpstream: true,
				Fixes: []string{`add "https://x.example" to allowOrigins`, `add "PUT" to allowMethods`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: preflightPrefix + "No 'Access-Control-Allow-Origin' header is present on the requested resource."}},
			wantNotes: []string{`unmatchedPreflights "forward": the refused preflight goes to the upstream, but under upstreamCors "override" the filter removes every access-control-* header from its answer, so the browser still refuses it`},
		},
		{
			name: "port near miss",
			args: []string{td + "localhost.json", "--origin", "http://localhost:3000"},
			want: explanation{Kind: "actual", Route: "default", Reason: "origin_not_allowed", Action: "continue",
				Headers: []jsonHeader{}, Vary: "Origin", StripUpstream: true,
				Fixes: []string{`add "http://localhost:3000" to allowOrigins`}, FixVerified: true,
				Browser: browserVerdict{Known: true, Console: noACAO}},
			wantNotes: []string{`an origin includes its port: "http://localhost:3000" is not "http://localhost"; list it, or use "http://localhost:*" for any port`},
		},
		{
			name: "policy inside envoy.yaml",
			args: []string{"envoy.yaml", "--origin", "https://shop.example.com", "--url", api, "--preflight", "--method", "DELETE", "--header", "x-api-key"},
			want: explanation{Kind: "preflight", Route: "default", Allowed: true, Reason: "allowed", Action: "respond", Status: 204,
				Headers: []jsonHeader{
					{Name: "access-control-allow-origin", Value: "https://shop.example.com"},
					{Name: "access-control-allow-credentials", Value: "true"},
					{Name: "access-control-allow-methods", Value: "GET, POST, PUT, DELETE, PATCH"},
					{Name: "access-control-allow-headers", Value: "content-type, authorization, x-api-key"},
					{Name: "access-control-max-age", Value: "600"},
				},
				Vary: varyPre, Browser: browserVerdict{Known: true, OK: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explainJSON(t, tt.args...)
			notes := got.Notes
			got.File, got.Source, got.Request, got.Explanation, got.Notes = "", "", jsonRequest{}, "", nil
			// Blockers quoting a validation error are checked up to the
			// engine's own wording, which policy's tests pin down.
			if tt.want.Blocker != "" && strings.HasPrefix(got.Blocker, tt.want.Blocker) {
				got.Blocker = tt.want.Blocker
			}
			gotJSON, _ := json.MarshalIndent(got, "", "  ")
			wantJSON, _ := json.MarshalIndent(tt.want, "", "  ")
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("got\n%s\nwant\n%s", gotJSON, wantJSON)
			}
			for _, n := range tt.wantNotes {
				if !slices.Contains(notes, n) {
					t.Errorf("notes %q: missing %q", notes, n)
				}
			}
		})
	}
}

// TestExplainRequest checks the policy.Request explain builds from flags:
// what the filter would read from a browser's request.
func TestExplainRequest(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want jsonRequest
	}{
		{"preflight", []string{"--origin", "https://app.example.com", "--url", "https://API.example.com:8443/v1/x?y=1", "--preflight", "--method", "PUT",
			"--header", "X-B", "--header", "x-a", "--header", "x-b", "--header", "Content-Type: application/json"},
			jsonRequest{Method: "OPTIONS", Origin: "https://app.example.com", AccessControlRequestMethod: "PUT",
				AccessControlRequestHeaders: "content-type,x-a,x-b", SecFetchSite: "same-site", Authority: "API.example.com:8443", Path: "/v1/x?y=1"}},
		{"actual, same origin", []string{"--origin", "https://api.example.com", "--url", "https://api.example.com/", "--method", "DELETE", "--credentials"},
			jsonRequest{Method: "DELETE", Origin: "https://api.example.com", SecFetchSite: "same-origin", Authority: "api.example.com", Path: "/", Credentials: true}},
		{"cross-site, explicit sec-fetch-site", []string{"--origin", "https://a.example", "--url", "https://b.example/p", "--sec-fetch-site", ""},
			jsonRequest{Method: "GET", Origin: "https://a.example", Authority: "b.example", Path: "/p"}},
		{"auto cross-site", []string{"--origin", "https://a.example", "--url", "https://b.example/p", "--route-name", "r1", "--preflight", "--private-network"},
			jsonRequest{Method: "OPTIONS", Origin: "https://a.example", AccessControlRequestMethod: "GET", AccessControlRequestPrivateNetwork: "true",
				SecFetchSite: "cross-site", Authority: "b.example", Path: "/p", RouteName: "r1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explainJSON(t, append([]string{"examples/config.json"}, tt.args...)...).Request
			if got != tt.want {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

// TestExplainText runs the binary and checks the human-readable output
// in full for a denial and an allowed actual request.
func TestExplainText(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{
			name: "denied preflight with two fixes",
			args: []string{"explain", "examples/config.json", "--origin", "https://evil.example.net", "--url", "https://api.example.com/v1/x", "--preflight", "--method", "PUT", "--header", "X-Foo", "--credentials"},
			want: lines(
				"request:   OPTIONS api.example.com/v1/x (preflight)",
				"           origin: https://evil.example.net",
				"           access-control-request-method: PUT",
				"           access-control-request-headers: x-foo",
				"           sec-fetch-site: cross-site",
				"policy:    default (top-level)",
				"decision:  denied: origin_not_allowed",
				`why:       the origin "https://evil.example.net" is not in allowOrigins and matches no pattern or regex of the top-level policy.`,
				"response:  local reply 403 Forbidden (not forwarded)",
				"           vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
				"           (no access-control-* headers)",
				"browser:   blocked: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.",
				`fix 1:     add "https://evil.example.net" to allowOrigins`,
				`fix 2:     add "x-foo" to allowHeaders`,
				"           (checked: after this, the config validates and the request is allowed)",
			),
		},
		{
			name: "allowed actual request inside a WasmPlugin",
			args: []string{"explain", "deploy/istio/wasmplugin.yaml", "--origin", "https://app.example.com", "--url", "https://api.example.com/v1/x", "--method", "PUT"},
			want: lines(
				"request:   PUT api.example.com/v1/x (actual)",
				"           origin: https://app.example.com",
				"           sec-fetch-site: same-site",
				"policy:    default (top-level)",
				"decision:  allowed",
				"why:       the origin is allowed by the top-level policy, so the response gets the CORS headers below.",
				"response:  forwarded; on the upstream's response the filter:",
				"           removes every access-control-* header the upstream set",
				"           sets access-control-allow-origin: https://app.example.com",
				"           sets access-control-allow-credentials: true",
				"           sets access-control-expose-headers: x-request-id",
				"           merges into vary: Origin",
				"browser:   the page can read the response",
				`note:      a browser sends a preflight before this request (method "PUT" or the extra headers are not CORS-safelisted): add --preflight to explain it`,
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exe(t, tt.args...).check(t, exitOK, tt.want, "")
		})
	}
}

func TestExplainInvalidConfig(t *testing.T) {
	f := "policy/testdata/invalid/forbidden-method.json"
	want, err := policy.Compile(mustRead(t, "../../"+f))
	if err == nil {
		t.Fatalf("%s compiles: %v", f, want)
	}
	var stderr []string
	for _, l := range strings.Split(err.Error(), "\n") {
		stderr = append(stderr, f+": "+l)
	}
	stderr = append(stderr, f+": invalid: the filter would not start with this config; run corsctl validate")
	exe(t, "explain", f, "--origin", "https://app.example.com").check(t, exitInvalid, "", lines(stderr...))
}

func TestExplainSeveralConfigs(t *testing.T) {
	r := exe(t, "explain", td+"istio-bundle.yaml", "--config", "1", "--origin", "https://app.example.com", "--json")
	const note = "note: cmd/corsctl/testdata/istio-bundle.yaml holds 2 configurations; explaining number 1 (document 2 (line 9, WasmPlugin prod/cors-api): spec.pluginConfig); choose with --config N\n"
	if r.code != exitOK || r.stderr != note || !strings.Contains(r.stdout, `"source": "document 2 (line 9, WasmPlugin prod/cors-api): spec.pluginConfig"`) {
		t.Errorf("got exit %d, stderr %q, stdout %s; want 0, %q and the first WasmPlugin", r.code, r.stderr, r.stdout, note)
	}
	r = exe(t, "explain", td+"istio-bundle.yaml", "--config", "2", "--origin", "https://app.example.com")
	if r.code != exitInvalid || !strings.Contains(r.stderr, `upstreamCors: "keep"`) {
		t.Errorf("got exit %d, stderr %q; want 1 and the second plugin's errors", r.code, r.stderr)
	}
}

// TestExplainPublicNotCORS: under "*" a request without Origin gets the
// same public headers as a CORS one and no Vary, and the sentence says so
// rather than printing an empty Vary.
func TestExplainPublicNotCORS(t *testing.T) {
	got := explainJSON(t, "examples/public-api.json", "--url", "https://api.example.com/x")
	const want = "the request has no Origin header, so it is not a CORS request: it passes; the response is the same for every origin, so it needs no Vary."
	if got.Explanation != want {
		t.Errorf("explanation: got %q; want %q", got.Explanation, want)
	}
	if got.Vary != "" {
		t.Errorf("vary: got %q; want none", got.Vary)
	}
	if len(got.Headers) == 0 || got.Headers[0] != (jsonHeader{Name: "access-control-allow-origin", Value: "*"}) {
		t.Errorf("headers: got %v; want access-control-allow-origin: * first", got.Headers)
	}
}
