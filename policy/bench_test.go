package policy_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// benchConfig builds the benchmark config: nExact exact origins and
// 100 wildcard patterns (https://*.tenantN.example.com) in the last of 5
// routes, so route selection walks every route before the one that
// applies. The default policy is deliberately small.
func benchConfig(tb testing.TB, nExact int) []byte {
	tb.Helper()
	origins := make([]string, 0, nExact+100)
	for i := range nExact {
		origins = append(origins, fmt.Sprintf("https://app%d.customer.example.org", i))
	}
	for i := range 100 {
		origins = append(origins, fmt.Sprintf("https://*.tenant%d.example.com", i))
	}
	type rules struct {
		Name             string   `json:"name,omitempty"`
		Hosts            []string `json:"hosts,omitempty"`
		PathPrefixes     []string `json:"pathPrefixes,omitempty"`
		AllowOrigins     []string `json:"allowOrigins"`
		AllowMethods     []string `json:"allowMethods,omitempty"`
		AllowHeaders     []string `json:"allowHeaders,omitempty"`
		ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
		AllowCredentials bool     `json:"allowCredentials,omitempty"`
		MaxAge           int      `json:"maxAge,omitempty"`
	}
	var routes []rules
	for i := range 4 {
		routes = append(routes, rules{
			Hosts:        []string{fmt.Sprintf("svc%d.example.net", i)},
			PathPrefixes: []string{fmt.Sprintf("/v%d/", i)},
			AllowOrigins: []string{fmt.Sprintf("https://svc%d.example.net", i)},
		})
	}
	routes = append(routes, rules{
		Name:             "tenants",
		Hosts:            []string{"api.example.com", "*.api.example.com"},
		PathPrefixes:     []string{"/v2/"},
		AllowOrigins:     origins,
		AllowMethods:     []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
		AllowHeaders:     []string{"content-type", "authorization", "x-request-id"},
		ExposeHeaders:    []string{"x-request-id"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	cfg := struct {
		rules
		Routes []rules `json:"routes"`
	}{
		rules:  rules{AllowOrigins: []string{"https://www.example.com"}},
		Routes: routes,
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// benchRequests are evaluated against benchConfig. Every request targets
// the last route. The exact origin sits at the end of a list of 10
// (app9), so it exists at every size.
func benchRequests() []struct {
	name    string
	req     policy.Request
	allowed bool
} {
	const host, path = "eu.api.example.com", "/v2/orders?id=7"
	return []struct {
		name    string
		req     policy.Request
		allowed bool
	}{
		{"preflight-allowed", policy.Request{Method: "OPTIONS", Origin: "https://app9.customer.example.org",
			AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: "authorization,content-type,x-request-id",
			Authority: host, Path: path}, true},
		{"preflight-allowed-wildcard", policy.Request{Method: "OPTIONS", Origin: "https://shop.tenant77.example.com",
			AccessControlRequestMethod: "DELETE", AccessControlRequestHeaders: "content-type",
			Authority: host, Path: path}, true},
		{"preflight-denied-header", policy.Request{Method: "OPTIONS", Origin: "https://app9.customer.example.org",
			AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: "content-type,x-evil",
			Authority: host, Path: path}, false},
		{"actual-allowed", policy.Request{Method: "POST", Origin: "https://app9.customer.example.org",
			Authority: host, Path: path}, true},
		{"actual-allowed-wildcard", policy.Request{Method: "GET", Origin: "https://a.b.tenant99.example.com",
			Authority: host, Path: path}, true},
		{"actual-denied-lookalike", policy.Request{Method: "GET", Origin: "https://app9.customer.example.org.evil.com",
			Authority: host, Path: path}, false},
		{"actual-denied-unknown", policy.Request{Method: "GET", Origin: "https://app12345678.customer.example.org",
			Authority: host, Path: path}, false},
	}
}

// BenchmarkEvaluate shows the per-request cost and that it does not grow
// with the number of exact origins (10 → 100,000): origin lookup must be a
// hash lookup, not a scan.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{10, 1_000, 10_000, 100_000} {
		p, err := policy.Compile(benchConfig(b, n))
		if err != nil {
			b.Fatalf("origins=%d: Compile: %v", n, err)
		}
		for _, tc := range benchRequests() {
			b.Run(fmt.Sprintf("origins=%d/case=%s", n, tc.name), func(b *testing.B) {
				req := tc.req
				if d := p.Evaluate(&req); d.Allowed != tc.allowed || d.Route != "tenants" {
					b.Fatalf("Evaluate: got allowed=%v route=%q reason=%v; want allowed=%v route=%q",
						d.Allowed, d.Route, d.Reason, tc.allowed, "tenants")
				}
				b.ReportAllocs()
				var d policy.Decision
				for b.Loop() {
					d = p.Evaluate(&req)
				}
				sinkDecision = d
			})
		}
	}
}

var sinkDecision policy.Decision

// BenchmarkEvaluateAdversarial covers inputs built to cost work: they must
// be refused in time bounded independently of their size.
func BenchmarkEvaluateAdversarial(b *testing.B) {
	p, err := policy.Compile(benchConfig(b, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	const host, path = "api.example.com", "/v2/x"
	commas := string(make1MiB(','))
	cases := []struct {
		name string
		req  policy.Request
	}{
		{"acrh-1MiB-commas", policy.Request{Method: "OPTIONS", Origin: "https://app9.customer.example.org",
			AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: commas, Authority: host, Path: path}},
		{"acrh-1MiB-names", policy.Request{Method: "OPTIONS", Origin: "https://app9.customer.example.org",
			AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: repeatTo("content-type,", 1<<20), Authority: host, Path: path}},
		{"origin-1MiB", policy.Request{Method: "GET", Origin: "https://" + repeatTo("a", 1<<20) + ".tenant1.example.com",
			Authority: host, Path: path}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			req := tc.req
			if d := p.Evaluate(&req); d.Allowed {
				b.Fatalf("Evaluate: got allowed; want denied (reason %v)", d.Reason)
			}
			b.ReportAllocs()
			var d policy.Decision
			for b.Loop() {
				d = p.Evaluate(&req)
			}
			sinkDecision = d
		})
	}
}

func make1MiB(c byte) []byte {
	s := make([]byte, 1<<20)
	for i := range s {
		s[i] = c
	}
	return s
}

func repeatTo(unit string, n int) string {
	b := make([]byte, 0, n+len(unit))
	for len(b) < n {
		b = append(b, unit...)
	}
	return string(b)
}
