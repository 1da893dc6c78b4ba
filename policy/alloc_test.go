package policy

import (
	"fmt"
	"strings"
	"testing"
)

// TestEvaluateZeroAllocs pins the requirement that Evaluate never
// allocates, for allowed and denied preflights and actual requests, on a
// policy with many exact origins, wildcard patterns and routes.
func TestEvaluateZeroAllocs(t *testing.T) {
	var origins []string
	for i := range 1000 {
		origins = append(origins, fmt.Sprintf("%q", fmt.Sprintf("https://app%d.example.com", i)))
	}
	for i := range 50 {
		origins = append(origins, fmt.Sprintf("%q", fmt.Sprintf("https://*.tenant%d.example.net", i)))
	}
	config := `{
		"allowOrigins": [` + strings.Join(origins, ",") + `, "http://localhost:*"],
		"allowOriginRegexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"],
		"allowMethods": ["GET", "PUT", "PATCH"],
		"allowHeaders": ["content-type", "authorization", "x-request-id"],
		"exposeHeaders": ["x-request-id"],
		"allowCredentials": true,
		"maxAge": 600,
		"crossOriginProtection": true,
		"routes": [
			{"hosts": ["*.api.example.com"], "pathPrefixes": ["/v2/"], "allowOrigins": ["https://v2.example.com"]},
			{"routeNames": ["r1"], "allowOrigins": ["https://r1.example.com"]}
		]
	}`
	p := mustCompile(t, config)
	long := strings.Repeat("x-a,", 2000)
	tests := []struct {
		name   string
		req    Request
		reason Reason
	}{
		{"allowed preflight", Request{Method: "OPTIONS", Origin: "https://app999.example.com", AccessControlRequestMethod: "PATCH", AccessControlRequestHeaders: "authorization,Content-Type,X-Request-ID", Authority: "www.example.com", Path: "/"}, ReasonAllowed},
		{"wildcard preflight", Request{Method: "OPTIONS", Origin: "https://a.b.tenant49.example.net", AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: "content-type"}, ReasonAllowed},
		{"denied preflight origin", Request{Method: "OPTIONS", Origin: "https://evil.com", AccessControlRequestMethod: "PUT"}, ReasonOriginNotAllowed},
		{"denied preflight header", Request{Method: "OPTIONS", Origin: "https://app1.example.com", AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: "x-nope"}, ReasonHeaderNotAllowed},
		{"denied preflight flood", Request{Method: "OPTIONS", Origin: "https://app1.example.com", AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: long}, ReasonHeadersMalformed},
		{"allowed actual", Request{Method: "POST", Origin: "http://localhost:3000", SecFetchSite: "cross-site"}, ReasonAllowed},
		{"regex actual", Request{Method: "GET", Origin: "https://pr-17.preview.example.com"}, ReasonAllowed},
		{"denied actual", Request{Method: "GET", Origin: "https://APP1.example.com"}, ReasonOriginNotAllowed},
		{"cross-origin protection", Request{Method: "POST", Origin: "https://evil.com", SecFetchSite: "cross-site"}, ReasonCrossOriginProtection},
		{"routed actual", Request{Method: "GET", Origin: "https://v2.example.com", Authority: "eu.api.example.com", Path: "/v2/x"}, ReasonAllowed},
		{"route name", Request{Method: "GET", Origin: "https://r1.example.com", RouteName: "r1"}, ReasonAllowed},
		{"not CORS", Request{Method: "GET", Authority: "www.example.com", Path: "/"}, ReasonNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Decision
			allocs := testing.AllocsPerRun(200, func() { d = p.Evaluate(&tt.req) })
			if d.Reason != tt.reason {
				t.Fatalf("Evaluate reason: got %v; want %v", d.Reason, tt.reason)
			}
			if allocs != 0 {
				t.Errorf("Evaluate allocs/op: got %v; want 0 (decision %v/%v)", allocs, d.Kind, d.Reason)
			}
		})
	}
}
