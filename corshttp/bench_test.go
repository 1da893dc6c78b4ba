package corshttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/corshttp"
	"github.com/corswasm/corswasm/policy"
	"github.com/rs/cors"
)

// discardWriter is a minimal reusable ResponseWriter: the same one serves
// the baseline, corshttp and rs/cors, and resetting it costs nothing, so
// the numbers are the middlewares' own.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) reset()                      { clear(w.h); w.code = 0 }

var noop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// benchOrigins builds n exact origins; the allowed test origin
// https://app.example.com is the last one, so a linear scan pays for all.
func benchOrigins(n int) []string {
	o := make([]string, 0, n+1)
	for i := range n - 1 {
		o = append(o, fmt.Sprintf("https://app%d.customer.example.org", i))
	}
	return append(o, "https://app.example.com", "https://*.tenant.example.com")
}

// Both middlewares get the same semantics: exact origins, one wildcard,
// methods, headers, credentials, max-age.
func benchMiddlewares(b *testing.B, nOrigins int) (ours, rs http.Handler) {
	origins := benchOrigins(nOrigins)
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	headers := []string{"content-type", "x-request-id", "authorization"}
	cfg := policy.Config{Rules: policy.Rules{
		AllowOrigins: origins, AllowMethods: methods, AllowHeaders: headers,
		ExposeHeaders: []string{"x-request-id"}, AllowCredentials: true,
		MaxAge: &policy.Duration{Duration: 600e9},
	}}
	p, err := policy.New(cfg)
	if err != nil {
		b.Fatalf("policy.New: %v", err)
	}
	ours = corshttp.Handler(p, noop)
	rs = cors.New(cors.Options{
		AllowedOrigins: origins, AllowedMethods: methods, AllowedHeaders: headers,
		ExposedHeaders: []string{"x-request-id"}, AllowCredentials: true, MaxAge: 600,
	}).Handler(noop)
	return ours, rs
}

type benchCase struct {
	name    string
	req     *http.Request
	allowed bool
}

func benchCases() []benchCase {
	mk := func(method string, headers ...string) *http.Request {
		r := httptest.NewRequest(method, "http://api.example.com/v1/orders?id=7", nil)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Add(headers[i], headers[i+1])
		}
		return r
	}
	const origin = "https://app.example.com"
	many := mk("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "content-type,x-request-id")
	for i := range 1000 {
		many.Header.Add(fmt.Sprintf("X-Filler-%d", i), "value")
	}
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("x-h%04d", i)
	}
	return []benchCase{
		{"preflight-allowed", mk("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", "content-type,x-request-id"), true},
		{"actual-allowed", mk("GET", "Origin", origin), true},
		{"actual-allowed-wildcard", mk("GET", "Origin", "https://eu.tenant.example.com"), true},
		{"actual-disallowed-origin", mk("GET", "Origin", "https://app.example.com.evil.com"), false},
		{"preflight-disallowed-origin", mk("OPTIONS", "Origin", "https://evil.com", "Access-Control-Request-Method", "PUT"), false},
		{"no-origin", mk("GET"), false},
		{"adversarial-acrh-1MiB-commas", mk("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", strings.Repeat(",", 1<<20)), false},
		{"adversarial-acrh-1000-names", mk("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", strings.Join(names, ",")), false},
		{"adversarial-origin-1MiB", mk("GET", "Origin", "https://"+strings.Repeat("a", 1<<20)+".tenant.example.com"), false},
		{"adversarial-1000-request-headers", many, true},
	}
}

// BenchmarkMiddleware runs the same requests through a plain no-op handler
// (baseline), corshttp over the policy engine, and rs/cors v1.11.1, with
// the same writer. origins=5 is a typical config; origins=10000 shows how
// each scales with the allowlist (rs/cors scans it linearly).
func BenchmarkMiddleware(b *testing.B) {
	for _, n := range []int{5, 10_000} {
		ours, rs := benchMiddlewares(b, n)
		for _, tc := range benchCases() {
			for _, impl := range []struct {
				name string
				h    http.Handler
			}{{"baseline", noop}, {"corshttp", ours}, {"rscors", rs}} {
				b.Run(fmt.Sprintf("origins=%d/%s/%s", n, tc.name, impl.name), func(b *testing.B) {
					w := &discardWriter{h: make(http.Header, 16)}
					impl.h.ServeHTTP(w, tc.req)
					if impl.name == "corshttp" {
						got := w.h.Get("Access-Control-Allow-Origin") != ""
						if got != tc.allowed {
							b.Fatalf("%s: got allowed=%v; want %v", tc.name, got, tc.allowed)
						}
					}
					b.ReportAllocs()
					for b.Loop() {
						w.reset()
						impl.h.ServeHTTP(w, tc.req)
					}
				})
			}
		}
	}
}
