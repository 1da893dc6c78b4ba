package corshttp

import (
	"net/http"
	"net/url"
	"testing"
)

func TestRequestPath(t *testing.T) {
	tests := []struct {
		name       string
		requestURI string
		url        string
		want       string
	}{
		{"origin-form", "/v2/orders?id=7", "", "/v2/orders?id=7"},
		{"absolute-form", "http://api.example.com/v2/orders?id=7", "", "/v2/orders?id=7"},
		{"absolute-form with port", "https://api.example.com:8443/v2/", "", "/v2/"},
		{"absolute-form without path", "http://api.example.com", "", "/"},
		{"absolute-form with only a query", "http://api.example.com?x=1", "", "/?x=1"},
		{"built by hand", "", "http://api.example.com/a/b?c=d", "/a/b?c=d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &http.Request{RequestURI: tc.requestURI}
			if tc.url != "" {
				u, err := url.Parse(tc.url)
				if err != nil {
					t.Fatal(err)
				}
				r.URL = u
			}
			if got := requestPath(r); got != tc.want {
				t.Errorf("requestPath(%q): got %q; want %q", tc.requestURI, got, tc.want)
			}
		})
	}
}
