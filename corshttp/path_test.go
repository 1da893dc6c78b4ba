package corshttp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
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

func TestJoinLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"absent", nil, ""},
		{"one line is returned as is", []string{"a, b"}, "a, b"},
		{"split lines are one list", []string{"content-type", "x-request-id"}, "content-type,x-request-id"},
		{"empty lines stay visible to the parser", []string{"a", "", "b"}, "a,,b"},
		// 2 × 2047 + 1 comma = 4095, + "," + "b" = 4097 > 4096: the
		// second line fits, the third is cut to nothing after its comma.
		{"a join up to the bound is whole", []string{strings.Repeat("a", 2047), strings.Repeat("a", 2048)}, strings.Repeat("a", 2047) + "," + strings.Repeat("a", 2048)},
		{"a join over the bound is cut just past it", slices.Repeat([]string{strings.Repeat("x", 999)}, 100), strings.Repeat(strings.Repeat("x", 999)+",", 4) + strings.Repeat("x", 97)},
		{"the line crossing the bound is cut", []string{strings.Repeat("a", 4000), strings.Repeat("b", 50000)}, strings.Repeat("a", 4000) + "," + strings.Repeat("b", 96)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := joinLines(tc.lines); got != tc.want {
				t.Errorf("joinLines(%d lines): got %d bytes %.40q…; want %d bytes %.40q…", len(tc.lines), len(got), got, len(tc.want), tc.want)
			}
		})
	}
}

// A split Access-Control-Request-Headers over the engine's bound is
// refused as malformed whether it is joined whole or cut at
// maxJoinedACRH, and joining it costs at most maxJoinedACRH bytes, not the
// size of the flood.
func TestJoinLinesFloodIsBounded(t *testing.T) {
	flood := slices.Repeat([]string{"x-a,x-b,x-c,x-d"}, 20000) // 320 KB of lines
	got := joinLines(flood)
	if len(got) != maxJoinedACRH {
		t.Errorf("joined length: got %d; want %d", len(got), maxJoinedACRH)
	}
	if allocs := testing.AllocsPerRun(20, func() { joinLines(flood) }); allocs > 2 {
		t.Errorf("allocations per join: got %v; want ≤ 2 (the buffer and the string)", allocs)
	}
	whole := strings.Join(flood, ",")
	p := compilePolicy(t, `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowHeaders": ["*"]}`)
	for name, acrh := range map[string]string{"whole": whole, "cut": got} {
		d := p.Evaluate(&policy.Request{Method: "OPTIONS", Origin: "https://app.example.com", AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: acrh})
		if d.Reason != policy.ReasonHeadersMalformed {
			t.Errorf("%s flood: reason got %v; want %v", name, d.Reason, policy.ReasonHeadersMalformed)
		}
	}
}

func compilePolicy(t *testing.T, config string) *policy.Policy {
	t.Helper()
	p, err := policy.Compile([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
