package corshttp

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// TestRequestFastPath: request builds single-line requests itself and
// must build exactly what policy.RequestLines builds (requestLines), for
// every combination of present, empty and repeated header lines.
func TestRequestFastPath(t *testing.T) {
	headers := []string{"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
		"Access-Control-Request-Private-Network", "Sec-Fetch-Site"}
	values := [][]string{nil, {""}, {"x"}, {"a", "b"}}
	p, err := policy.Compile([]byte(`{"allowOrigins": ["https://a.example"], "crossOriginProtection": true}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, details := range []bool{false, true} {
		h := &handler{m: &Middleware{Policy: p}, details: details}
		for _, method := range []string{"GET", "OPTIONS"} {
			for hi, name := range headers {
				for _, v := range values {
					r := httptest.NewRequest(method, "http://api.example/p?q", nil)
					r.Header = http.Header{"Origin": {"https://a.example"}, "Access-Control-Request-Method": {"PUT"}}
					if v == nil {
						delete(r.Header, name)
					} else {
						r.Header[name] = v
					}
					var fast, slow policy.Request
					h.request(r, r.Header["Origin"], &fast)
					h.requestLines(r, &slow)
					if fast != slow {
						t.Errorf("details=%v %s %s=%q: got %+v; want %+v (policy.RequestLines)", details, method, headers[hi], v, fast, slow)
					}
				}
			}
		}
	}
}

// TestNoOriginDecision: without routes or crossOriginProtection the
// handler decides requests without Origin once, at construction; that
// decision must be what Evaluate gives each such request.
func TestNoOriginDecision(t *testing.T) {
	for _, config := range []string{
		`{"allowOrigins": ["https://a.example"], "allowCredentials": true}`,
		`{"allowOrigins": ["*"], "exposeHeaders": ["x-a"]}`,
		`{"allowOrigins": ["https://a.example"], "upstreamCors": "preserve", "shadow": true}`,
	} {
		p, err := policy.Compile([]byte(config))
		if err != nil {
			t.Fatalf("%s: %v", config, err)
		}
		h := (&Middleware{Policy: p}).Handler(http.NotFoundHandler()).(*handler)
		if h.details {
			t.Fatalf("%s: got details; want a policy without routes or crossOriginProtection", config)
		}
		for _, method := range []string{"GET", "POST", "OPTIONS", "patch"} {
			for _, sfs := range []string{"", "cross-site"} {
				r := policy.Request{Method: method, SecFetchSite: sfs, Authority: "api.example", Path: "/x"}
				if want := p.Evaluate(&r); h.noOrigin != want {
					t.Errorf("%s %s: got %+v; want %+v", config, method, h.noOrigin, want)
				}
			}
		}
	}
}
