//go:build !race

package corshttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corswasm/corswasm/corshttp"
)

// TestHandlerAllocs pins the adapter's allocations per request for the
// common paths (the race detector allocates, hence the build tag). Each
// response still owns its header slices (issue 9 §1, mutation_test.go),
// but they are carved from a chunk that serves about 30 responses, so the
// average is 0 (AllocsPerRun truncates: one allocation in 200 runs would
// pass, one per run would not). Speed is shown by BenchmarkMiddleware;
// this only counts.
func TestHandlerAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	p := mustCompile(t, testConfig)
	plain := corshttp.Handler(p, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(200)
	}))
	varying := corshttp.Handler(p, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Vary", "Accept-Encoding") // 1 allocation of its own
		w.WriteHeader(200)
	}))
	mk := func(method string, headers ...string) *http.Request {
		r := httptest.NewRequest(method, "http://api.example.com/api", nil)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Add(headers[i], headers[i+1])
		}
		return r
	}
	tests := []struct {
		name string
		h    http.Handler
		req  *http.Request
		want float64
	}{
		{"allowed preflight", plain, mk("OPTIONS", "Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"), 0},
		{"refused preflight", plain, mk("OPTIONS", "Origin", "https://evil.com", "Access-Control-Request-Method", "PUT"), 0},
		{"allowed actual", plain, mk("GET", "Origin", "https://app.example.com"), 0},
		{"disallowed actual", plain, mk("GET", "Origin", "https://evil.com"), 0},
		{"no origin", plain, mk("GET"), 0},
		// merging into an upstream Vary builds a new value: 1, and only
		// when the upstream set Vary itself (1 more is the handler's own
		// Set).
		{"allowed actual, upstream Vary", varying, mk("GET", "Origin", "https://app.example.com"), 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &discardWriter{h: make(http.Header, 8)}
			tc.h.ServeHTTP(w, tc.req) // warm the writer pool
			got := testing.AllocsPerRun(200, func() {
				w.reset()
				tc.h.ServeHTTP(w, tc.req)
			})
			if got > tc.want {
				t.Errorf("allocs per request: got %v; want at most %v", got, tc.want)
			}
		})
	}
}
