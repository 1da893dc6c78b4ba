package corshttp_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/corshttp"
	"github.com/corswasm/corswasm/policy"
)

const testConfig = `{
	"allowOrigins": ["https://app.example.com", "https://*.example.com"],
	"allowMethods": ["GET", "POST", "PUT", "DELETE"],
	"allowHeaders": ["content-type", "x-request-id"],
	"exposeHeaders": ["x-request-id"],
	"allowCredentials": true,
	"maxAge": 600,
	"routes": [
		{"pathPrefixes": ["/legacy/"], "allowOrigins": ["https://app.example.com"], "upstreamCors": "preserve"},
		{"pathPrefixes": ["/shadow/"], "allowOrigins": ["https://app.example.com"], "shadow": true},
		{"routeNames": ["named"], "allowOrigins": ["https://named.example.net"]}
	]
}`

func mustCompile(t testing.TB, cfg string) *policy.Policy {
	t.Helper()
	p, err := policy.Compile([]byte(cfg))
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

// upstream is what the wrapped handler does to the response.
type upstream func(w http.ResponseWriter)

func writeStatus(code int, headers ...string) upstream {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Add(headers[i], headers[i+1])
		}
		w.WriteHeader(code)
	}
}

const preflightVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

func TestHandler(t *testing.T) {
	p := mustCompile(t, testConfig)
	tests := []struct {
		name     string
		method   string
		path     string
		headers  []string // name, value pairs; repeated names make repeated lines
		preset   []string // headers an outer handler set before ours ran
		upstream upstream
		route    string // RouteName hook result
		config   string // "" = testConfig

		wantNext   bool
		wantStatus int
		want       map[string]string // "" value: header must be absent
	}{
		{
			name: "allowed preflight is answered locally", method: "OPTIONS", path: "/",
			headers:  []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type,x-request-id"},
			wantNext: false, wantStatus: 204,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Max-Age": "600", "Vary": preflightVary, "Access-Control-Expose-Headers": ""},
		},
		{
			name: "disallowed preflight is 403 without Access-Control-* even if an outer handler set some", method: "OPTIONS", path: "/",
			headers:  []string{"Origin", "https://evil.com", "Access-Control-Request-Method", "PUT"},
			preset:   []string{"Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"},
			wantNext: false, wantStatus: 403,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": "", "Access-Control-Allow-Methods": ""},
		},
		{
			name: "preflight asking for a header not allowed is 403", method: "OPTIONS", path: "/",
			headers:    []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-evil"},
			wantStatus: 403,
			want:       map[string]string{"Access-Control-Allow-Origin": ""},
		},
		{
			name: "split Access-Control-Request-Headers lines are one list", method: "OPTIONS", path: "/",
			headers:    []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type", "Access-Control-Request-Headers", "x-request-id"},
			wantStatus: 204,
			want:       map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"},
		},
		{
			name: "OPTIONS without Access-Control-Request-Method is an actual request", method: "OPTIONS", path: "/",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(200, "Allow", "GET, OPTIONS"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Allow": "GET, OPTIONS"},
		},
		{
			name: "allowed actual request: error responses are decorated too", method: "POST", path: "/api",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(401, "Vary", "Accept-Encoding"),
			wantNext: true, wantStatus: 401,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers": "x-request-id", "Vary": "Accept-Encoding, Origin", "Access-Control-Max-Age": ""},
		},
		{
			name: "override: upstream Access-Control-* are replaced or stripped", method: "GET", path: "/api",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(200, "Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "TRACE", "access-control-max-age", "99999"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "", "access-control-max-age": ""},
		},
		{
			name: "disallowed actual request: forwarded, no Access-Control-*, still Vary: Origin", method: "GET", path: "/api",
			headers:  []string{"Origin", "https://app.example.com.evil.com"},
			upstream: writeStatus(200, "Access-Control-Allow-Origin", "*"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"},
		},
		{
			name: "repeated Origin lines are never allowed", method: "GET", path: "/api",
			headers:  []string{"Origin", "https://app.example.com", "Origin", "https://app.example.com"},
			upstream: writeStatus(200),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": ""},
		},
		{
			name: "Vary: * is left alone", method: "GET", path: "/api",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(200, "Vary", "*"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Vary": "*", "Access-Control-Allow-Origin": "https://app.example.com"},
		},
		{
			name: "Origin already in Vary is not duplicated", method: "GET", path: "/api",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(200, "Vary", "origin"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Vary": "origin"},
		},
		{
			name: "a handler that writes nothing still gets decorated", method: "GET", path: "/api",
			headers:  []string{"Origin", "https://x.example.com"},
			upstream: func(http.ResponseWriter) {},
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://x.example.com", "Vary": "Origin"},
		},
		{
			name: "preserve: an upstream that answered CORS itself is untouched", method: "GET", path: "/legacy/x",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(200, "Access-Control-Allow-Origin", "https://legacy.example.com", "Access-Control-Allow-Methods", "GET"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://legacy.example.com", "Access-Control-Allow-Methods": "GET", "Vary": ""},
		},
		{
			name: "preserve: an upstream without CORS headers is decorated", method: "GET", path: "/legacy/x",
			headers:  []string{"Origin", "https://app.example.com"},
			upstream: writeStatus(200, "Access-Control-Max-Age", "5"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Max-Age": "5", "Vary": "Origin"},
		},
		{
			name: "shadow: a refused preflight still reaches the handler, response untouched", method: "OPTIONS", path: "/shadow/x",
			headers:  []string{"Origin", "https://evil.com", "Access-Control-Request-Method", "PUT"},
			upstream: writeStatus(200, "Access-Control-Allow-Origin", "*"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Vary": ""},
		},
		{
			name: "RouteName hook selects a routeNames route", method: "GET", path: "/",
			headers:  []string{"Origin", "https://named.example.net"},
			upstream: writeStatus(200), route: "named",
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://named.example.net"},
		},
		{
			name: "without the hook the default policy applies", method: "GET", path: "/",
			headers:  []string{"Origin", "https://named.example.net"},
			upstream: writeStatus(200),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": ""},
		},

		// Issue 9: the rows below pin what changed on the wire.
		{
			name: "* with two Origin lines: the public * still goes out (§2)", method: "GET", path: "/",
			config:   `{"allowOrigins": ["*"]}`,
			headers:  []string{"Origin", "https://a.example", "Origin", "https://b.example"},
			upstream: writeStatus(200),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Vary": ""},
		},
		{
			name: "forwarded refused preflight: a reflecting upstream's CORS answer is stripped (§4)", method: "OPTIONS", path: "/",
			config:   `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowCredentials": true, "unmatchedPreflights": "forward"}`,
			headers:  []string{"Origin", "https://evil.com", "Access-Control-Request-Method", "DELETE"},
			upstream: writeStatus(200, "Access-Control-Allow-Origin", "https://evil.com", "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Methods", "DELETE", "Allow", "DELETE"),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": "", "Access-Control-Allow-Methods": "",
				"Allow": "DELETE", "Vary": preflightVary},
		},
		{
			name: "ACRH: 100 empty lines before a name are 101 elements, refused as in the filter (§5)", method: "OPTIONS", path: "/",
			headers:  append([]string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT"}, append(slices.Repeat([]string{"Access-Control-Request-Headers", ""}, 100), "Access-Control-Request-Headers", "x-request-id")...),
			wantNext: false, wantStatus: 403,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Vary": preflightVary},
		},
		{
			name: "ACRH: 63 empty lines before a name are 64 elements, allowed", method: "OPTIONS", path: "/",
			headers:  append([]string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT"}, append(slices.Repeat([]string{"Access-Control-Request-Headers", ""}, 63), "Access-Control-Request-Headers", "x-request-id")...),
			wantNext: false, wantStatus: 204,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"},
		},
		{
			name: "ACRM lines \"\" then PUT: the first line counts, as in the filter (issue 16 §1)", method: "OPTIONS", path: "/",
			headers:  []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "", "Access-Control-Request-Method", "PUT"},
			upstream: writeStatus(200),
			wantNext: true, wantStatus: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "", "Vary": "Origin"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := p
			if tc.config != "" {
				p = mustCompile(t, tc.config)
			}
			var decisions []policy.Decision
			m := &corshttp.Middleware{
				Policy:     p,
				OnDecision: func(_ *http.Request, d *policy.Decision) { decisions = append(decisions, *d) },
			}
			if tc.route != "" {
				m.RouteName = func(*http.Request) string { return tc.route }
			}
			nextCalled := false
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				nextCalled = true
				if tc.upstream != nil {
					tc.upstream(w)
				}
			}))
			req := httptest.NewRequest(tc.method, "http://api.example.com"+tc.path, nil)
			for i := 0; i+1 < len(tc.headers); i += 2 {
				req.Header.Add(tc.headers[i], tc.headers[i+1])
			}
			rec := httptest.NewRecorder()
			for i := 0; i+1 < len(tc.preset); i += 2 {
				rec.Header().Add(tc.preset[i], tc.preset[i+1])
			}
			h.ServeHTTP(rec, req)
			res := rec.Result()

			if nextCalled != tc.wantNext {
				t.Errorf("next called: got %v; want %v", nextCalled, tc.wantNext)
			}
			if res.StatusCode != tc.wantStatus {
				t.Errorf("status: got %d; want %d", res.StatusCode, tc.wantStatus)
			}
			if len(decisions) != 1 {
				t.Fatalf("OnDecision calls: got %d; want 1", len(decisions))
			}
			for name, want := range tc.want {
				vals := rec.Header()[name] // exact key: non-canonical keys are checked as written
				got := strings.Join(vals, " | ")
				if got != want {
					t.Errorf("header %s: got %q; want %q", name, got, want)
				}
				if want != "" && len(vals) != 1 {
					t.Errorf("header %s: got %d lines; want exactly 1", name, len(vals))
				}
			}
			if res.StatusCode == 403 {
				for k := range rec.Header() {
					if strings.HasPrefix(strings.ToLower(k), "access-control-") {
						t.Errorf("403 response: got header %s; want no Access-Control-* header", k)
					}
				}
				// The refusal says why in one line, and echoes nothing
				// from the request.
				body := rec.Body.String()
				if want := policy.RefusalText(decisions[0].Reason); body != want || want == "" {
					t.Errorf("403 body: got %q; want %q (the reason, one line)", body, want)
				}
				if o := req.Header.Get("Origin"); o != "" && strings.Contains(body, o) {
					t.Errorf("403 body: got %q; want it not to contain the request's Origin %q", body, o)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
					t.Errorf("403 Content-Type: got %q; want text/plain; charset=utf-8", ct)
				}
			}
			// The adapter carries out the decision verbatim: every header
			// the engine decided is on the response, exactly once.
			d := decisions[0]
			if d.Shadow || (d.PreserveUpstream && res.Header.Get("Access-Control-Allow-Origin") != "" && len(d.HeaderList()) > 0 &&
				res.Header.Get("Access-Control-Allow-Origin") != d.Headers[0].Value) {
				return // shadow, or preserve left the upstream's answer alone
			}
			for _, hd := range d.HeaderList() {
				got := rec.Header().Values(hd.Name)
				if !slices.Equal(got, []string{hd.Value}) {
					t.Errorf("decided header %s: got %q; want [%q]", hd.Name, got, hd.Value)
				}
			}
		})
	}
}

// snapshotWriter records the header map at each WriteHeader, to check
// that informational responses are not decorated.
type snapshotWriter struct {
	h     http.Header
	codes []int
	snaps []http.Header
}

func (w *snapshotWriter) Header() http.Header { return w.h }
func (w *snapshotWriter) Write(b []byte) (int, error) {
	if len(w.codes) == 0 || w.codes[len(w.codes)-1] < 200 {
		w.WriteHeader(200)
	}
	return len(b), nil
}
func (w *snapshotWriter) WriteHeader(code int) {
	w.codes = append(w.codes, code)
	w.snaps = append(w.snaps, w.h.Clone())
}

func TestHandlerInformationalResponses(t *testing.T) {
	p := mustCompile(t, testConfig)
	h := corshttp.Handler(p, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Link", "</app.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Write([]byte("ok"))
	}))
	req := httptest.NewRequest("GET", "http://api.example.com/", nil)
	req.Header.Set("Origin", "https://app.example.com")
	w := &snapshotWriter{h: http.Header{}}
	h.ServeHTTP(w, req)
	if !slices.Equal(w.codes, []int{103, 200}) {
		t.Fatalf("status codes: got %v; want [103 200]", w.codes)
	}
	if got := w.snaps[0].Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("103 Early Hints: got Access-Control-Allow-Origin %q; want none", got)
	}
	if got := w.snaps[1].Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("200: got Access-Control-Allow-Origin %q; want %q", got, "https://app.example.com")
	}
}

func TestHandlerResponseController(t *testing.T) {
	p := mustCompile(t, testConfig)
	h := corshttp.Handler(p, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the wrapper: got %v; want nil", err)
		}
	}))
	req := httptest.NewRequest("GET", "http://api.example.com/", nil)
	req.Header.Set("Origin", "https://app.example.com")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !rec.Flushed {
		t.Errorf("recorder flushed: got false; want true")
	}
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
		t.Errorf("Access-Control-Allow-Origin after Flush: got %q; want %q", got, "https://app.example.com")
	}
}

// TestHandlerConcurrent: pooled per-request state and the shared value
// cache never leak one request's answer into another's (run with -race).
func TestHandlerConcurrent(t *testing.T) {
	p := mustCompile(t, testConfig)
	h := corshttp.Handler(p, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok"))
	}))
	origins := []string{"https://app.example.com", "https://a.example.com", "https://b.example.com", "https://evil.com"}
	done := make(chan string, 8)
	for g := range 8 {
		go func() {
			for i := range 200 {
				origin := origins[(g+i)%len(origins)]
				req := httptest.NewRequest("GET", "http://api.example.com/", nil)
				req.Header.Set("Origin", origin)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				want := origin
				if origin == "https://evil.com" {
					want = ""
				}
				if got := rec.Header().Get("Access-Control-Allow-Origin"); got != want {
					done <- "Origin " + origin + ": got Access-Control-Allow-Origin " + got + "; want " + want
					return
				}
			}
			done <- ""
		}()
	}
	for range 8 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
