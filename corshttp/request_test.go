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
					h.request(r, &fast)
					h.requestLines(r, &slow)
					if fast != slow {
						t.Errorf("details=%v %s %s=%q: got %+v; want %+v (policy.RequestLines)", details, method, headers[hi], v, fast, slow)
					}
				}
			}
		}
	}
}
