package corshttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/corshttp"
	"github.com/corswasm/corswasm/policy"
	jub0bs "github.com/jub0bs/cors"
	"github.com/rs/cors"
)

// discardWriter is a minimal reusable ResponseWriter: the same one serves
// corshttp, rs/cors and jub0bs/cors, and resetting it costs nothing, so
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

// benchOrigins builds n-1 exact origins, then the allowed test origin
// https://app.example.com and one wildcard: a linear scan pays for all.
func benchOrigins(n int) []string {
	o := make([]string, 0, n+1)
	for i := range n - 1 {
		o = append(o, fmt.Sprintf("https://app%d.customer.example.org", i))
	}
	return append(o, "https://app.example.com", "https://*.tenant.example.com")
}

// impl is one middleware under test.
type impl struct {
	name string
	h    http.Handler
}

// benchMiddlewares builds corshttp, rs/cors v1.11.1 and jub0bs/cors v0.6.0
// with the same semantics: exact origins, one wildcard, methods, request
// headers, exposed headers, credentials, max-age.
func benchMiddlewares(b *testing.B, nOrigins int) []impl {
	origins := benchOrigins(nOrigins)
	methods := []string{"GET", "POST", "PUT", "DELETE"}
	headers := []string{"content-type", "x-request-id", "authorization"}
	expose := []string{"x-request-id"}
	p, err := policy.New(policy.Config{Rules: policy.Rules{
		AllowOrigins: origins, AllowMethods: methods, AllowHeaders: headers,
		ExposeHeaders: expose, AllowCredentials: true,
		MaxAge: &policy.Duration{Duration: 600e9},
	}})
	if err != nil {
		b.Fatalf("policy.New: %v", err)
	}
	jm, err := jub0bs.NewMiddleware(jub0bs.Config{
		Origins: origins, Credentialed: true, Methods: methods,
		RequestHeaders: headers, MaxAgeInSeconds: 600, ResponseHeaders: expose,
	})
	if err != nil {
		b.Fatalf("jub0bs/cors: %v", err)
	}
	return []impl{
		{"corshttp", corshttp.Handler(p, noop)},
		{"rscors", cors.New(cors.Options{
			AllowedOrigins: origins, AllowedMethods: methods, AllowedHeaders: headers,
			ExposedHeaders: expose, AllowCredentials: true, MaxAge: 600,
		}).Handler(noop)},
		{"jub0bs", jm.Wrap(noop)},
	}
}

type benchCase struct {
	name    string
	req     *http.Request
	allowed bool // every middleware must agree: checked before timing
}

func benchRequest(method string, headers ...string) *http.Request {
	r := httptest.NewRequest(method, "http://api.example.com/v1/orders?id=7", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

// acrh4KB is a 4 KB Access-Control-Request-Headers no browser sends: one
// allowed name repeated (Fetch sends the list sorted and de-duplicated).
// It is the input that makes a scanner that accepts duplicates work
// hardest without tripping a length bound.
var acrh4KB = strings.TrimSuffix(strings.Repeat("content-type,", 4096/len("content-type,")), ",")

// benchCases are the issue 10 table: what a user sees through net/http.
func benchCases() []benchCase {
	const origin = "https://app.example.com"
	return []benchCase{
		{"no-origin", benchRequest("GET"), false},
		{"allowed-get", benchRequest("GET", "Origin", origin), true},
		{"wildcard-subdomain", benchRequest("GET", "Origin", "https://eu.tenant.example.com"), true},
		{"refused-origin", benchRequest("GET", "Origin", "https://app.example.com.evil.com"), false},
		{"allowed-preflight", benchRequest("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", "content-type,x-request-id"), true},
		{"preflight-acrh-4KB", benchRequest("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", acrh4KB), false},
	}
}

// BenchmarkMiddleware runs the same requests through corshttp over the
// policy engine, rs/cors v1.11.1 and jub0bs/cors v0.6.0, with the same
// writer, at 1 to 10,000 allowed origins. `make bench-report` turns it
// into the table in docs/performance.md.
func BenchmarkMiddleware(b *testing.B) {
	for _, n := range []int{1, 100, 1_000, 10_000} {
		impls := benchMiddlewares(b, n)
		for _, tc := range benchCases() {
			for _, im := range impls {
				b.Run(fmt.Sprintf("origins=%d/case=%s/impl=%s", n, tc.name, im.name), func(b *testing.B) {
					runBench(b, im.h, tc)
				})
			}
		}
	}
}

func runBench(b *testing.B, h http.Handler, tc benchCase) {
	w := &discardWriter{h: make(http.Header, 16)}
	h.ServeHTTP(w, tc.req)
	if got := w.h.Get("Access-Control-Allow-Origin") != ""; got != tc.allowed {
		b.Fatalf("%s: got allowed=%v; want %v", tc.name, got, tc.allowed)
	}
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, tc.req)
	}
}

// BenchmarkMiddlewareFreshHeader is BenchmarkMiddleware at 1 and 100
// origins with a new header map for every request, as net/http gives
// every response (its handlerHeader is a fresh make(Header)). Reusing one
// cleared map, as BenchmarkMiddleware does, leaves a middleware that
// allocates nothing without any GC at all, while one that allocates pays
// for the harness's clear too (a bulk write barrier while the GC marks).
// Both views are reported; neither replaces the other.
func BenchmarkMiddlewareFreshHeader(b *testing.B) {
	for _, n := range []int{1, 100} {
		impls := benchMiddlewares(b, n)
		for _, tc := range benchCases() {
			for _, im := range impls {
				b.Run(fmt.Sprintf("origins=%d/case=%s/impl=%s", n, tc.name, im.name), func(b *testing.B) {
					w := &discardWriter{h: http.Header{}}
					im.h.ServeHTTP(w, tc.req)
					if got := w.h.Get("Access-Control-Allow-Origin") != ""; got != tc.allowed {
						b.Fatalf("%s: got allowed=%v; want %v", tc.name, got, tc.allowed)
					}
					b.ReportAllocs()
					for b.Loop() {
						w.h, w.code = http.Header{}, 0
						im.h.ServeHTTP(w, tc.req)
					}
				})
			}
		}
	}
}

// BenchmarkMiddlewareAdversarial: hostile inputs, at 5 origins. Each must
// cost about what a normal request costs, whatever its size.
func BenchmarkMiddlewareAdversarial(b *testing.B) {
	const origin = "https://app.example.com"
	many := benchRequest("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
		"Access-Control-Request-Headers", "content-type,x-request-id")
	for i := range 1000 {
		many.Header.Add(fmt.Sprintf("X-Filler-%d", i), "value")
	}
	names := make([]string, 1000)
	for i := range names {
		names[i] = fmt.Sprintf("x-h%04d", i)
	}
	cases := []benchCase{
		{"preflight-refused-origin", benchRequest("OPTIONS", "Origin", "https://evil.com", "Access-Control-Request-Method", "PUT"), false},
		{"acrh-1MiB-commas", benchRequest("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", strings.Repeat(",", 1<<20)), false},
		{"acrh-1000-names", benchRequest("OPTIONS", "Origin", origin, "Access-Control-Request-Method", "PUT",
			"Access-Control-Request-Headers", strings.Join(names, ",")), false},
		{"origin-1MiB", benchRequest("GET", "Origin", "https://"+strings.Repeat("a", 1<<20)+".tenant.example.com"), false},
		{"1000-request-headers", many, true},
	}
	impls := benchMiddlewares(b, 5)
	for _, tc := range cases {
		for _, im := range impls {
			b.Run("case="+tc.name+"/impl="+im.name, func(b *testing.B) { runBench(b, im.h, tc) })
		}
	}
}
