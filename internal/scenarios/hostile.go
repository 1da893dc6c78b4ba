package scenarios

import (
	"fmt"
	"strings"
)

// EnvoyMaxHeadersBytes is Envoy's default limit on a request's header
// block (max_request_headers_kb: 60): the largest header map a filter is
// handed without the operator raising it.
const EnvoyMaxHeadersBytes = 60 << 10

// Hostile is the traffic that killed the unfixed module in Envoy's wasm
// host (golang/go#78513 through a preflight flood): preflights with a 20
// and a 50 KB Access-Control-Request-Headers, answered before any auth
// filter, mixed with ordinary requests, a cookie near 16 KB, and header
// maps near Envoy's 60 KiB limit. Each round of the hostile soak sends
// them all, in order; every answer must be the same in every round.
func Hostile() []Scenario {
	allCORS := []string{ACAO, ACAC, ACAM, ACAH, ACMA, ACEH, ACAPN}
	pre := func(acrh string, extra ...string) [][2]string {
		return h(append([]string{"origin", app, "access-control-request-method", "PUT", "access-control-request-headers", acrh}, extra...)...)
	}
	return []Scenario{
		{
			Name: "allowed actual GET", Config: ConfigCredentials,
			Method: "GET", Path: "/items", Authority: api, Headers: h("origin", app),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true"}, Metric: "actual_allowed"},
		},
		{
			Name: "allowed preflight", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: pre("content-type,x-api-key"),
			Want: Want{LocalReply: true, Status: 204, Headers: map[string]string{ACAO: app, ACAC: "true"}, Metric: "preflight_allowed"},
		},
		{
			Name: "preflight with a 20 KB Access-Control-Request-Headers of distinct names", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: pre(headerNames(20_000)),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "no Origin", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api,
			Want: Want{Status: 200, Headers: map[string]string{Vary: "Origin"}, Absent: []string{ACAO}, Metric: "no_origin"},
		},
		{
			Name: "preflight with a 50 KB Access-Control-Request-Headers of distinct names", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: pre(headerNames(50_000)),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "preflight with a 50 KB comma flood", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: pre(strings.Repeat(",", 50_000) + "content-type"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "allowed GET with a cookie near 16 KB", Config: ConfigCredentials,
			Method: "GET", Path: "/me", Authority: api, Headers: h("origin", app, "cookie", "session="+strings.Repeat("c", 16_000)),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true"}, Metric: "actual_allowed"},
		},
		{
			Name: "allowed GET with a header map near 60 KiB", Config: ConfigCredentials,
			Method: "GET", Path: "/items", Authority: api, Headers: append(h("origin", app), padding(EnvoyMaxHeadersBytes-1024)...),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true"}, Metric: "actual_allowed"},
		},
		{
			Name: "denied preflight with a header map near 60 KiB", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api,
			Headers: append(h("origin", evil, "access-control-request-method", "PUT"), padding(EnvoyMaxHeadersBytes-1024)...),
			Want:    Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
	}
}

// HostileRaisedLimit is the same kind of traffic for an Envoy whose
// operator raised max_request_headers_kb to 1024 (Envoy accepts up to
// 8192): header maps and an Access-Control-Request-Headers of several
// hundred KB, more than the filter keeps between requests, so every such
// request makes the Go runtime allocate, and collect, inside
// proxy_on_memory_allocate.
func HostileRaisedLimit() []Scenario {
	allCORS := []string{ACAO, ACAC, ACAM, ACAH, ACMA, ACEH, ACAPN}
	return []Scenario{
		{
			Name: "allowed actual GET", Config: ConfigCredentials,
			Method: "GET", Path: "/items", Authority: api, Headers: h("origin", app),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true"}, Metric: "actual_allowed"},
		},
		{
			Name: "preflight with a 400 KB Access-Control-Request-Headers", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api,
			Headers: h("origin", app, "access-control-request-method", "PUT", "access-control-request-headers", headerNames(400_000)),
			Want:    Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "allowed GET with a 300 KB header map", Config: ConfigCredentials,
			Method: "GET", Path: "/items", Authority: api, Headers: append(h("origin", app), padding(300_000)...),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true"}, Metric: "actual_allowed"},
		},
	}
}

// headerNames is a browser-shaped Access-Control-Request-Headers of about
// n bytes: distinct lowercase names, sorted, comma-joined.
func headerNames(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "x-custom-header-%06d", i)
	}
	return b.String()
}

// padding is header lines of about n bytes in all, each well under
// Envoy's per-header limits.
func padding(n int) [][2]string {
	var out [][2]string
	for i := 0; n > 0; i++ {
		v := strings.Repeat("p", min(n, 1200))
		out = append(out, [2]string{fmt.Sprintf("x-pad-%02d", i), v})
		n -= len(v) + 12
	}
	return out
}
