package corshttp_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/corshttp"
)

// Issue 9 §1: an outer middleware may edit w.Header() after our handler
// returns (net/http allows it). Each response must own its header slices:
// an edit must reach neither a later response nor the request (whose
// Origin slice was once reflected as Access-Control-Allow-Origin).
// jub0bs/cors#14 and rs/cors#198 are the same bug class. `make test` also
// runs these under -race, where a slice shared between concurrent
// responses is a reported data race.

// mutationCases cover every path that writes headers: local replies
// (allowed and refused preflights) and decorated forwarded responses
// (allowed, refused, no Origin, "*").
var mutationCases = []struct {
	name, config, method string
	headers              []string
}{
	{"allowed actual with credentials", testConfig, "GET", []string{"Origin", "https://app.example.com"}},
	{"allowed preflight", testConfig, "OPTIONS", []string{"Origin", "https://app.example.com", "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type"}},
	{"refused preflight", testConfig, "OPTIONS", []string{"Origin", "https://evil.com", "Access-Control-Request-Method", "PUT"}},
	{"refused actual", testConfig, "GET", []string{"Origin", "https://evil.com"}},
	{"no Origin", testConfig, "GET", nil},
	{"public *", `{"allowOrigins": ["*"], "exposeHeaders": ["x-a"]}`, "GET", []string{"Origin", "https://any.example"}},
}

// mutating wraps h as an outer middleware that, once h has returned,
// overwrites every header value in place and appends to every slice.
func mutating(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		for k, v := range w.Header() {
			for i := range v {
				v[i] = "mutated"
			}
			w.Header()[k] = append(v, "appended")
		}
	})
}

func newMutationRequest(method string, headers []string) *http.Request {
	r := httptest.NewRequest(method, "http://api.example.com/api", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

// serve runs one request and returns the header map as the handler left
// it, copied before anyone can mutate it.
func serve(h http.Handler, r *http.Request) http.Header {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Header().Clone()
}

func TestMutationDoesNotLeak(t *testing.T) {
	for _, tc := range mutationCases {
		t.Run(tc.name, func(t *testing.T) {
			inner := corshttp.Handler(mustCompile(t, tc.config), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(200)
			}))
			want := serve(inner, newMutationRequest(tc.method, tc.headers))
			if len(want) == 0 {
				t.Fatalf("baseline response has no headers; want a case that sets some")
			}

			r := newMutationRequest(tc.method, tc.headers)
			before := r.Header.Clone()
			serve(mutating(inner), r)
			if !equalHeaders(r.Header, before) {
				t.Errorf("request headers after an outer edit of the response: got %v; want %v", r.Header, before)
			}
			if got := serve(inner, newMutationRequest(tc.method, tc.headers)); !equalHeaders(got, want) {
				t.Errorf("next response after an outer edit of the previous one: got %v; want %v", got, want)
			}

			// The other direction: a response kept (by a cache, a log)
			// must not change when a later one is served and edited.
			first := httptest.NewRecorder()
			inner.ServeHTTP(first, newMutationRequest(tc.method, tc.headers))
			firstCopy := first.Header().Clone()
			serve(mutating(inner), newMutationRequest(tc.method, tc.headers))
			if !equalHeaders(first.Header(), firstCopy) {
				t.Errorf("earlier response after later ones were served and edited: got %v; want %v", first.Header(), firstCopy)
			}
		})
	}
}

// TestMutationConcurrent: responses served and edited concurrently. Under
// -race any slice shared between two responses is reported; without it,
// a response read back with an edited value fails the comparison.
func TestMutationConcurrent(t *testing.T) {
	const workers, rounds = 4, 50
	for _, tc := range mutationCases {
		t.Run(tc.name, func(t *testing.T) {
			inner := corshttp.Handler(mustCompile(t, tc.config), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(200)
			}))
			want := serve(inner, newMutationRequest(tc.method, tc.headers))
			outer := mutating(inner)
			var wg sync.WaitGroup
			errs := make(chan string, workers)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						serve(outer, newMutationRequest(tc.method, tc.headers))
						if got := serve(inner, newMutationRequest(tc.method, tc.headers)); !equalHeaders(got, want) {
							errs <- "got " + http.Header(got).Get("Access-Control-Allow-Origin") + "/" + http.Header(got).Get("Vary")
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Errorf("a response edited concurrently by an outer middleware leaked into another: %s; want %v", e, want)
			}
		})
	}
}

func equalHeaders(a, b http.Header) bool {
	return maps.EqualFunc(a, b, slices.Equal)
}
