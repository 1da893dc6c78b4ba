package browser

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/gateway"
	"github.com/corswasm/corswasm/policy"
)

// fetchResult is what JavaScript in the page could observe.
type fetchResult struct {
	OK        bool     `json:"ok"`
	Status    int      `json:"status"`
	Headers   []string `json:"headers"` // names JavaScript can read
	RequestID *string  `json:"requestId"`
	Secret    *string  `json:"secret"`
	Body      string   `json:"body"`
	Error     string   `json:"error"`
}

func (r fetchResult) String() string {
	if !r.OK {
		return "blocked (" + r.Error + ")"
	}
	return fmt.Sprintf("allowed (status %d)", r.Status)
}

// probeJS runs fetch and reports what the browser let JavaScript see. A
// CORS failure is a TypeError without detail, as the Fetch standard says.
const probeJS = `async (url, init) => {
  try {
    const res = await fetch(url, init);
    const headers = [];
    res.headers.forEach((v, k) => headers.push(k));
    return {ok: true, status: res.status, headers,
      requestId: res.headers.get('x-request-id'),
      secret: res.headers.get('x-internal-secret'),
      body: await res.text()};
  } catch (e) {
    return {ok: false, error: String(e)};
  }
}`

// step is one fetch: a path on the gateway and a JavaScript RequestInit
// literal.
type step struct {
	path string
	init string
}

// env is what a scenario's check can look at besides the page.
type env struct {
	gw       *gateway.Stats // what reached the gateway
	upstream *gateway.Stats // what reached the upstream behind it
}

type scenario struct {
	name string
	// fromDisallowed runs the scenario in the page whose origin the config
	// does not allow (otherwise the allowed one).
	fromDisallowed bool
	steps          []step
	// byName calls the gateway as http://localhost:G instead of
	// http://127.0.0.1:G. Firefox does not reliably reuse preflight-cache
	// entries for an IP-literal host (docs/browsers.md, "preflight cache"),
	// so the cache scenarios use a host name.
	byName bool
	// formPost, when set, submits a real <form method=post> to this
	// gateway path instead of running fetch steps.
	formPost string

	// Expectations on the last fetch.
	wantAllowed bool
	wantStatus  int    // when allowed; 0 skips
	wantBody    string // substring of the body when allowed; "" skips
	// check asserts on the gateway's and upstream's counters (and on all
	// results when a scenario needs more than the last one).
	check func(t *testing.T, e env, got []fetchResult)
}

// origins: the allowed page is http://127.0.0.1:P (same site as the
// gateway, so the SameSite=Lax cookie works); the disallowed page is
// http://localhost:Q, which Chromium treats as another site altogether.
func testConfig(allowed string) map[string]any {
	origins := []string{allowed}
	route := func(name, prefix string, rules map[string]any) map[string]any {
		r := map[string]any{"name": name, "pathPrefixes": []string{prefix}, "allowOrigins": origins, "unmatchedPreflights": "reject"}
		for k, v := range rules {
			r[k] = v
		}
		return r
	}
	return map[string]any{
		"allowOrigins":          origins,
		"allowMethods":          []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
		"allowHeaders":          []string{"content-type", "x-api-key"},
		"exposeHeaders":         []string{"x-request-id"},
		"allowCredentials":      true,
		"maxAge":                600,
		"unmatchedPreflights":   "reject",
		"crossOriginProtection": true,
		"upstreamCors":          "override",
		"routes": []any{
			route("lowercase-patch", "/lp/", map[string]any{"allowMethods": []string{"patch"}, "maxAge": 600}),
			route("star", "/star/", map[string]any{"allowMethods": []string{"GET", "PUT"}, "allowHeaders": []string{"*"}}),
			route("star-auth", "/star-auth/", map[string]any{"allowMethods": []string{"GET", "PUT"}, "allowHeaders": []string{"*", "authorization"}}),
			route("no-cache", "/nocache/", map[string]any{"allowMethods": []string{"PUT"}, "allowHeaders": []string{"x-api-key"}, "maxAge": 0}),
			route("no-credentials", "/nocreds/", map[string]any{"allowMethods": []string{"GET"}}),
		},
	}
}

// counts asserts exact request counts, e.g. counts(t, e.gw, "OPTIONS /x", 1).
func counts(t *testing.T, s *gateway.Stats, where, method, path string, want int) {
	t.Helper()
	if got := s.Requests(method, path); got != want {
		t.Errorf("%s saw %s %s %d times; want %d", where, method, path, got, want)
	}
}

// answered asserts that the gateway answered method+path with status.
func answered(t *testing.T, s *gateway.Stats, method, path string, status int) {
	t.Helper()
	if s.Status(method, path, status) == 0 {
		t.Errorf("gateway answers to %s %s: %v; want a %d", method, path, s.Snapshot()[gateway.Key(method, path)].Statuses, status)
	}
}

var scenarios = []scenario{
	{
		name:        "simple GET from an allowed origin is readable",
		steps:       []step{{"/api/simple", "{}"}},
		wantAllowed: true, wantStatus: 200, wantBody: `"upstream"`,
		check: func(t *testing.T, e env, _ []fetchResult) {
			counts(t, e.gw, "gateway", "OPTIONS", "/api/simple", 0) // simple: no preflight
			counts(t, e.upstream, "upstream", "GET", "/api/simple", 1)
		},
	},
	{
		name:           "simple GET from a disallowed origin is blocked but still sent",
		fromDisallowed: true,
		steps:          []step{{"/api/simple-foreign", "{}"}},
		wantAllowed:    false,
		check: func(t *testing.T, e env, _ []fetchResult) {
			// CORS guards reading, not sending: the GET reached the upstream.
			counts(t, e.upstream, "upstream", "GET", "/api/simple-foreign", 1)
		},
	},
	{
		name:        "JSON POST is preflighted, answered by the module, then sent",
		steps:       []step{{"/api/json", `{method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{"a":1}'}`}},
		wantAllowed: true, wantStatus: 200, wantBody: `"body":"{\"a\":1}"`,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/api/json", 204)
			counts(t, e.upstream, "upstream", "OPTIONS", "/api/json", 0)
			counts(t, e.upstream, "upstream", "POST", "/api/json", 1)
		},
	},
	{
		name:        "preflighted PUT with a custom header is allowed",
		steps:       []step{{"/api/put", `{method: 'PUT', headers: {'X-Api-Key': 'k'}, body: 'x'}`}},
		wantAllowed: true, wantStatus: 200, wantBody: `"method":"PUT"`,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/api/put", 204)
			counts(t, e.upstream, "upstream", "PUT", "/api/put", 1)
		},
	},
	{
		// The script lists the headers out of order and in mixed case; the
		// browser sends "content-type,x-api-key" (Fetch: lowercased,
		// sorted), which the engine's ordering rule accepts (issue 10).
		name:        "preflighted PUT with two custom headers set out of order is allowed",
		steps:       []step{{"/api/put-two", `{method: 'PUT', headers: {'X-Api-Key': 'k', 'Content-Type': 'application/json'}, body: 'x'}`}},
		wantAllowed: true, wantStatus: 200, wantBody: `"method":"PUT"`,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/api/put-two", 204)
			counts(t, e.upstream, "upstream", "PUT", "/api/put-two", 1)
		},
	},
	{
		name:        "preflighted DELETE with a custom header is allowed",
		steps:       []step{{"/api/delete", `{method: 'DELETE', headers: {'X-Api-Key': 'k'}}`}},
		wantAllowed: true, wantStatus: 200, wantBody: `"method":"DELETE"`,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/api/delete", 204)
			counts(t, e.upstream, "upstream", "DELETE", "/api/delete", 1)
		},
	},
	{
		name:        "PUT with a header outside allowHeaders is refused at the preflight",
		steps:       []step{{"/api/put-bad-header", `{method: 'PUT', headers: {'X-Debug': '1'}}`}},
		wantAllowed: false,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/api/put-bad-header", 403)
			counts(t, e.upstream, "upstream", "OPTIONS", "/api/put-bad-header", 0)
			counts(t, e.upstream, "upstream", "PUT", "/api/put-bad-header", 0)
		},
	},
	{
		name:        "lowercase patch is refused when only PATCH is allowed",
		steps:       []step{{"/api/patch", `{method: 'patch', body: 'x'}`}},
		wantAllowed: false,
		check: func(t *testing.T, e env, _ []fetchResult) {
			// fetch does not uppercase patch, so the preflight asks for
			// "patch" and methods compare case-sensitively.
			answered(t, e.gw, "OPTIONS", "/api/patch", 403)
			counts(t, e.upstream, "upstream", "patch", "/api/patch", 0)
		},
	},
	{
		name:        "lowercase patch is allowed by a route listing patch",
		steps:       []step{{"/lp/item", `{method: 'patch', body: 'x'}`}},
		wantAllowed: true, wantStatus: 200, wantBody: `"method":"patch"`,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/lp/item", 204)
			counts(t, e.upstream, "upstream", "patch", "/lp/item", 1)
		},
	},
	{
		name:        "uppercase PATCH is allowed",
		steps:       []step{{"/api/patch-upper", `{method: 'PATCH', body: 'x'}`}},
		wantAllowed: true, wantStatus: 200, wantBody: `"method":"PATCH"`,
	},
	{
		name: "credentials: the upstream's cookie is stored and sent back",
		steps: []step{
			{"/api/login", `{method: 'POST', credentials: 'include'}`},
			{"/api/me", `{credentials: 'include'}`},
		},
		wantAllowed: true, wantStatus: 200,
		check: func(t *testing.T, e env, got []fetchResult) {
			var login, me map[string]any
			if !got[0].OK || json.Unmarshal([]byte(got[0].Body), &login) != nil {
				t.Fatalf("login: got %v %q; want an allowed JSON response", got[0], got[0].Body)
			}
			json.Unmarshal([]byte(got[1].Body), &me)
			set, _ := login["set_cookie"].(string)
			if want := gateway.SessionCookie + "=" + fmt.Sprint(me["cookie"]); set != want {
				t.Errorf("cookie the upstream received on /api/me: got %v; want the one it set, %q", me["cookie"], set)
			}
		},
	},
	{
		name: "credentials are refused by a route without allowCredentials",
		steps: []step{
			{"/nocreds/me", `{}`},                       // the same GET without credentials is readable
			{"/nocreds/me", `{credentials: 'include'}`}, // with them, no Allow-Credentials: blocked
		},
		wantAllowed: false,
		check: func(t *testing.T, e env, got []fetchResult) {
			if !got[0].OK {
				t.Errorf("GET without credentials: got %v; want allowed", got[0])
			}
			counts(t, e.upstream, "upstream", "GET", "/nocreds/me", 2)
		},
	},
	{
		name:        "exposed x-request-id is readable, x-internal-secret is not",
		steps:       []step{{"/api/expose", "{}"}},
		wantAllowed: true, wantStatus: 200,
		check: func(t *testing.T, e env, got []fetchResult) {
			r := got[0]
			if r.RequestID == nil || *r.RequestID == "" {
				t.Errorf("res.headers.get('x-request-id'): got null; want the upstream's id (it is in exposeHeaders)")
			}
			if r.Secret != nil {
				t.Errorf("res.headers.get('x-internal-secret'): got %q; want null (not exposed)", *r.Secret)
			}
			if slices.Contains(r.Headers, "x-internal-secret") {
				t.Errorf("headers JavaScript can list: got %v; want no x-internal-secret", r.Headers)
			}
		},
	},
	{
		name:        "allowHeaders * does not cover Authorization",
		steps:       []step{{"/star/auth", `{headers: {'Authorization': 'Bearer t'}}`}},
		wantAllowed: false,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/star/auth", 403)
			counts(t, e.upstream, "upstream", "GET", "/star/auth", 0)
		},
	},
	{
		name:        "allowHeaders * covers other custom headers",
		steps:       []step{{"/star/custom", `{headers: {'X-Anything': '1'}}`}},
		wantAllowed: true, wantStatus: 200,
	},
	{
		name:        "allowHeaders * plus authorization allows Authorization",
		steps:       []step{{"/star-auth/auth", `{headers: {'Authorization': 'Bearer t'}}`}},
		wantAllowed: true, wantStatus: 200,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/star-auth/auth", 204)
		},
	},
	{
		name:   "preflight cache: after Max-Age, a second identical request sends no OPTIONS",
		byName: true,
		steps: []step{
			{"/api/cached", `{method: 'PUT', headers: {'X-Api-Key': 'k'}}`},
			{"/api/cached", `{method: 'PUT', headers: {'X-Api-Key': 'k'}}`},
		},
		wantAllowed: true, wantStatus: 200,
		check: func(t *testing.T, e env, _ []fetchResult) {
			counts(t, e.gw, "gateway", "OPTIONS", "/api/cached", 1)
			counts(t, e.gw, "gateway", "PUT", "/api/cached", 2)
		},
	},
	{
		name:   "maxAge 0: every request is preflighted again",
		byName: true,
		steps: []step{
			{"/nocache/put", `{method: 'PUT', headers: {'X-Api-Key': 'k'}}`},
			{"/nocache/put", `{method: 'PUT', headers: {'X-Api-Key': 'k'}}`},
		},
		wantAllowed: true, wantStatus: 200,
		check: func(t *testing.T, e env, _ []fetchResult) {
			counts(t, e.gw, "gateway", "OPTIONS", "/nocache/put", 2)
		},
	},
	{
		name:           "preflight from a disallowed origin is answered 403 without reaching the upstream",
		fromDisallowed: true,
		steps:          []step{{"/api/foreign-put", `{method: 'PUT', headers: {'X-Api-Key': 'k'}}`}},
		wantAllowed:    false,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.gw, "OPTIONS", "/api/foreign-put", 403)
			counts(t, e.upstream, "upstream", "OPTIONS", "/api/foreign-put", 0)
			counts(t, e.upstream, "upstream", "PUT", "/api/foreign-put", 0)
		},
	},
	{
		name:           "cross-origin protection rejects a cross-site form POST",
		fromDisallowed: true,
		formPost:       "/api/form-cross-site",
		check: func(t *testing.T, e env, _ []fetchResult) {
			if !eventually(func() bool { return e.gw.Requests("POST", "/api/form-cross-site") > 0 }) {
				t.Fatal("gateway never saw the form POST")
			}
			answered(t, e.gw, "POST", "/api/form-cross-site", 403)
			counts(t, e.upstream, "upstream", "POST", "/api/form-cross-site", 0)
		},
	},
	{
		name:     "a form POST from an allowed origin passes cross-origin protection",
		formPost: "/api/form-trusted",
		check: func(t *testing.T, e env, _ []fetchResult) {
			if !eventually(func() bool { return e.upstream.Requests("POST", "/api/form-trusted") > 0 }) {
				t.Fatalf("upstream never saw the form POST; gateway answers: %v", e.gw.Snapshot()[gateway.Key("POST", "/api/form-trusted")])
			}
		},
	},
	{
		name:        "upstream Access-Control-Allow-Origin: * is overridden",
		steps:       []step{{"/api/upstream-star?echo_header=Access-Control-Allow-Origin:*&echo_header=Access-Control-Allow-Credentials:true", `{credentials: 'include'}`}},
		wantAllowed: true, wantStatus: 200,
	},
	{
		name:        "an allowed origin reads a 401 from the upstream",
		steps:       []step{{"/api/private", "{}"}},
		wantAllowed: true, wantStatus: http.StatusUnauthorized, wantBody: "missing or invalid credentials",
	},
	{
		name:           "a disallowed origin cannot read the 401",
		fromDisallowed: true,
		steps:          []step{{"/foreign/private", "{}"}},
		wantAllowed:    false,
		check: func(t *testing.T, e env, _ []fetchResult) {
			answered(t, e.upstream, "GET", "/foreign/private", 401)
		},
	},
}

// TestBrowserCORS runs every scenario in every engine, each engine against
// a fresh gateway (the counters are per path) and the same two pages.
func TestBrowserCORS(t *testing.T) {
	module := loadModule(t)

	allowedL, allowedPort := listen(t)
	disallowedL, disallowedPort := listen(t)
	servePage(t, allowedL)
	servePage(t, disallowedL)
	allowedOrigin := "http://127.0.0.1:" + allowedPort
	disallowedOrigin := "http://localhost:" + disallowedPort

	cfg := testConfig(allowedOrigin)
	raw, _ := json.Marshal(cfg)
	if _, err := policy.Compile(raw); err != nil {
		t.Fatalf("test config rejected by the policy engine: %v", err)
	}
	forEachEngine(t, func(t *testing.T, b engine) {
		gw := startGateway(t, module, cfg)
		runScenarios(t, b, gw, allowedOrigin, disallowedOrigin)
	})
}

func runScenarios(t *testing.T, b engine, gw *gateway.Server, allowedOrigin, disallowedOrigin string) {
	e := env{gw: gw.Gateway.Stats, upstream: gw.Upstream.Stats}
	current := ""
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			page := allowedOrigin
			if sc.fromDisallowed {
				page = disallowedOrigin
			}
			if page != current {
				if err := navigate(b, page+"/"); err != nil {
					t.Fatalf("navigate to %s: %v", page, err)
				}
				current = page
			}
			var got []fetchResult
			if sc.formPost != "" {
				js := fmt.Sprintf(`(() => {
  const f = document.createElement('form');
  f.method = 'post'; f.action = %q; f.target = 'sink';
  const i = document.createElement('input'); i.name = 'amount'; i.value = '1000';
  f.appendChild(i); document.body.appendChild(f); f.submit(); return true;
})()`, gw.GatewayURL+sc.formPost)
				if _, err := evaluate[bool](b, js); err != nil {
					t.Fatalf("submit form: %v", err)
				}
			} else {
				var err error
				base := gw.GatewayURL
				if sc.byName {
					base = byName(base)
				}
				if got, err = runSteps(b, base, sc.steps); err != nil {
					t.Fatalf("run fetch in %s: %v", page, err)
				}
				last := got[len(got)-1]
				if last.OK != sc.wantAllowed {
					t.Fatalf("%s: got %v; want allowed=%v", b.name(), last, sc.wantAllowed)
				}
				if sc.wantAllowed && sc.wantStatus != 0 && last.Status != sc.wantStatus {
					t.Errorf("status: got %d; want %d", last.Status, sc.wantStatus)
				}
				if sc.wantAllowed && !strings.Contains(last.Body, sc.wantBody) {
					t.Errorf("body: got %q; want it to contain %q", last.Body, sc.wantBody)
				}
			}
			if sc.check != nil {
				sc.check(t, e, got)
			}
		})
	}
}

// byName turns http://127.0.0.1:port into http://localhost:port.
func byName(url string) string { return strings.Replace(url, "//127.0.0.1:", "//localhost:", 1) }

// runSteps runs fetch steps in order in the current page and returns what
// JavaScript saw of each.
func runSteps(b engine, base string, steps []step) ([]fetchResult, error) {
	var calls strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&calls, "out.push(await probe(%q, %s));\n", base+s.path, s.init)
	}
	js := "(async () => { const probe = " + probeJS + ";\nconst out = [];\n" + calls.String() + "return out; })()"
	got, err := evaluate[[]fetchResult](b, js)
	if err == nil && len(got) != len(steps) {
		err = fmt.Errorf("got %d results; want %d", len(got), len(steps))
	}
	return got, err
}
