package scenarios

import "strings"

const (
	app     = "https://app.example.com"
	evil    = "https://evil.example"
	api     = "api.example.com"
	preVary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
)

// h builds header lines from name, value pairs.
func h(kv ...string) [][2]string {
	out := make([][2]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

// repeatLine is n lines of one header.
func repeatLine(name, value string, n int) [][2]string {
	out := make([][2]string, n)
	for i := range out {
		out[i] = [2]string{name, value}
	}
	return out
}

// All returns the table. Each call returns fresh values.
func All() []Scenario {
	return append(coreScenarios(), exampleScenarios()...)
}

// coreScenarios exercise one rule each, with the configs in scenarios.go.
func coreScenarios() []Scenario {
	allCORS := []string{ACAO, ACAC, ACAM, ACAH, ACMA, ACEH, ACAPN}
	return []Scenario{
		// Classification (Fetch "CORS protocol").
		{
			Name: "no Origin: forwarded, Vary added for caches", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api,
			Want: Want{Status: 200, Headers: map[string]string{Vary: "Origin"}, Absent: []string{ACAO, ACAC}, Metric: "no_origin"},
		},
		{
			Name: "allowed actual GET: origin reflected with credentials and exposed headers", Config: ConfigCredentials,
			Method: "GET", Path: "/items", Authority: api, Headers: h("origin", app),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true", ACEH: "x-request-id", Vary: "Origin"}, Absent: []string{ACAM, ACAH, ACMA}, Metric: "actual_allowed"},
		},
		{
			Name: "allowed actual via wildcard subdomain", Config: ConfigCredentials,
			Method: "POST", Path: "/items", Authority: api, Headers: h("origin", "https://eu.shop.example.com"),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "https://eu.shop.example.com", ACAC: "true"}, Metric: "actual_allowed"},
		},
		{
			Name: "denied actual: forwarded without CORS headers (never 403)", Config: ConfigCredentials,
			Method: "GET", Path: "/items", Authority: api, Headers: h("origin", evil),
			Want: Want{Status: 200, Headers: map[string]string{Vary: "Origin"}, Absent: []string{ACAO, ACAC, ACEH}, Metric: "actual_denied",
				Log: `origin "https://evil.example" not allowed by route "default"`},
		},
		{
			Name: "allowed preflight answered locally", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api,
			Headers: h("origin", app, "access-control-request-method", "PUT", "access-control-request-headers", "content-type,x-api-key"),
			Want: Want{LocalReply: true, Status: 204, Headers: map[string]string{
				ACAO: app, ACAC: "true", ACAM: "GET, POST, PUT, DELETE, PATCH", ACAH: "content-type, authorization, x-api-key", ACMA: "600", Vary: preVary,
			}, Absent: []string{ACEH}, Metric: "preflight_allowed"},
		},
		{
			Name: "preflight from a disallowed origin: local 403 without CORS headers", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", evil, "access-control-request-method", "PUT"),
			Want: Want{LocalReply: true, Status: 403, Headers: map[string]string{Vary: preVary}, Absent: allCORS, Metric: "preflight_denied",
				Log: `origin "https://evil.example" not allowed by route "default"`},
		},
		{
			Name: "preflight for a method not allowed", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", app, "access-control-request-method", "PURGE"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied",
				Log: `preflight method "PURGE" from origin "https://app.example.com" not allowed by route "default"`},
		},
		{
			Name: "preflight for a header not allowed", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api,
			Headers: h("origin", app, "access-control-request-method", "POST", "access-control-request-headers", "content-type,x-secret"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied",
				Log: `preflight header "x-secret" from origin "https://app.example.com" not allowed by route "default"`},
		},
		{
			Name: "lowercase patch is not PATCH: methods are case-sensitive", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", app, "access-control-request-method", "patch"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied", Log: `preflight method "patch"`},
		},
		{
			Name: "OPTIONS without Access-Control-Request-Method is forwarded and decorated", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h("allow", "GET, OPTIONS")},
			Want:     Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true", "allow": "GET, OPTIONS"}, Absent: []string{ACAM, ACMA}, Metric: "actual_allowed"},
		},
		{
			Name: "safelisted method preflight passes without being listed", Config: ConfigStar,
			Method: "OPTIONS", Path: "/", Authority: api, Headers: h("origin", evil, "access-control-request-method", "GET"),
			Want: Want{LocalReply: true, Status: 204, Headers: map[string]string{ACAO: "*", ACAM: "GET, POST"}, Absent: []string{ACAC}, Metric: "preflight_allowed"},
		},
		{
			Name: "* without credentials: literal *, no Vary needed", Config: ConfigStar,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", evil),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Absent: []string{ACAC, Vary}, Metric: "actual_allowed"},
		},
		{
			// Fetch §3.2.5: a response cached from a request without Origin
			// (an <img>, a navigation) may later be served to fetch(); with
			// "*" and no Vary it must already carry the header.
			Name: "* without credentials: no Origin still gets literal *", Config: ConfigStar,
			Method: "GET", Path: "/", Authority: api,
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Absent: []string{ACAC, Vary}, Metric: "no_origin"},
		},

		// Vary (Fetch §3.2.5; merge, never clobber, never duplicate).
		{
			Name: "Vary merged into the upstream's", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h("vary", "Accept-Encoding")},
			Want:     Want{Status: 200, Headers: map[string]string{Vary: "Accept-Encoding, Origin", ACAO: app}, Metric: "actual_allowed"},
		},
		{
			Name: "Vary already naming origin is left alone", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h("vary", "origin")},
			Want:     Want{Status: 200, Headers: map[string]string{Vary: "origin", ACAO: app}, Metric: "actual_allowed"},
		},
		{
			Name: "Vary over two lines: merged into one, nothing lost", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h("vary", "Accept-Encoding", "vary", "Accept-Language")},
			Want:     Want{Status: 200, Headers: map[string]string{Vary: "Accept-Encoding, Accept-Language, Origin", ACAO: app}, Metric: "actual_allowed"},
		},
		{
			Name: "Vary: * is left alone", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h("vary", "*")},
			Want:     Want{Status: 200, Headers: map[string]string{Vary: "*", ACAO: app}, Metric: "actual_allowed"},
		},

		// The gateway is authoritative (istio#23757) unless told otherwise.
		{
			Name: "upstream ACAO * replaced under override", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h(ACAO, "*", ACAM, "GET", ACEH, "x-internal")},
			Want:     Want{Status: 200, Headers: map[string]string{ACAO: app, ACEH: "x-request-id"}, Absent: []string{ACAM}, Metric: "actual_allowed"},
		},
		{
			Name: "upstream CORS headers stripped for a denied origin", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", evil),
			Upstream: &Response{Status: 200, Headers: h(ACAO, "*", ACAC, "true")},
			Want:     Want{Status: 200, Absent: []string{ACAO, ACAC}, Metric: "actual_denied"},
		},
		{
			Name: "duplicate upstream ACAO collapsed to ours", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h(ACAO, "*", ACAO, evil)},
			Want:     Want{Status: 200, Headers: map[string]string{ACAO: app}, Metric: "actual_allowed"},
		},
		{
			Name: "upstream ACAO kept under preserve", Config: ConfigPreserve,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 200, Headers: h(ACAO, "*")},
			Want:     Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Absent: []string{Vary}, Metric: "actual_allowed"},
		},
		{
			Name: "preserve without an upstream answer: ours applies", Config: ConfigPreserve,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app, Vary: "Origin"}, Metric: "actual_allowed"},
		},
		{
			Name: "401 from the auth filter is decorated so the script can read it", Config: ConfigCredentials,
			Method: "GET", Path: "/private", Authority: api, Headers: h("origin", app),
			Upstream: &Response{Status: 401, Headers: h("www-authenticate", "Bearer"), From: "auth"},
			Want:     Want{Status: 401, Headers: map[string]string{ACAO: app, ACAC: "true", "www-authenticate": "Bearer"}, Metric: "actual_allowed"},
		},
		{
			Name: "429 from the rate limiter is decorated", Config: ConfigStar,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", evil),
			Upstream: &Response{Status: 429, From: "ratelimit"},
			Want:     Want{Status: 429, Headers: map[string]string{ACAO: "*"}, Metric: "actual_allowed"},
		},

		// Hostile origins.
		{
			Name: "two Origin headers: denied", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app, "origin", evil),
			Want: Want{Status: 200, Absent: []string{ACAO, ACAC}, Metric: "actual_denied", Log: "repeated Origin header not allowed"},
		},
		{
			Name: "two Origin headers on a preflight: local 403", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/", Authority: api, Headers: h("origin", app, "origin", app, "access-control-request-method", "PUT"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			// Issue 9 §2: no Vary under "*", so a shared cache would serve
			// a header-less copy of this response to the next browser.
			Name: "* with two Origin headers: the public * still goes out", Config: ConfigStar,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app, "origin", evil),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Absent: []string{ACAC, Vary}, Metric: "actual_denied", Log: "repeated Origin header not allowed"},
		},
		{
			Name: "* with a malformed Origin: the public * still goes out", Config: ConfigStar,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "https://app.example.com/path"),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Absent: []string{ACAC, Vary}, Metric: "actual_denied"},
		},
		{
			Name: "Origin null is never allowed", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "null"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied", Log: `origin "null" not allowed`},
		},
		{
			Name: "lookalike suffix origin", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "https://app.example.com.evil.example"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied"},
		},
		{
			Name: "lookalike prefix origin", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "https://evilexample.com"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied"},
		},
		{
			Name: "apex does not match the subdomain wildcard", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "https://example.com"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied"},
		},
		{
			Name: "unparsable origin", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "https://app.example.com/path?x"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied", Log: "malformed origin"},
		},
		{
			Name: "CR LF in the origin cannot forge a log line", Config: ConfigCredentials,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", "https://app.example.com\r\nx-injected: 1"),
			NotOverHTTP: "HTTP codecs reject CR/LF in header values (Envoy answers 400)",
			Want:        Want{Status: 200, Absent: []string{ACAO, "x-injected"}, Metric: "actual_denied", Log: `"https://app.example.com\r\nx-injected: 1"`},
		},
		{
			Name: "Access-Control-Request-Headers comma flood (50 KB, under Envoy's 60 KiB header limit): refused", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/", Authority: api,
			Headers: h("origin", app, "access-control-request-method", "POST", "access-control-request-headers", strings.Repeat(",", 50000)+"content-type"),
			Want:    Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "Access-Control-Request-Headers split over two lines is one list", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/", Authority: api,
			Headers: h("origin", app, "access-control-request-method", "POST", "access-control-request-headers", "content-type", "access-control-request-headers", "x-api-key"),
			Want:    Want{LocalReply: true, Status: 204, Headers: map[string]string{ACAO: app}, Metric: "preflight_allowed"},
		},

		{
			// Issue 9 §5: lines "" and "x-api-key" are the list ",x-api-key",
			// as a merging intermediary would forward it; 100 empty lines
			// are 101 elements, over the bound of 64, in every adapter.
			Name: "Access-Control-Request-Headers: 100 empty lines before a name are 101 elements: refused", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/", Authority: api,
			Headers: append(h("origin", app, "access-control-request-method", "POST"), append(repeatLine("access-control-request-headers", "", 100), [2]string{"access-control-request-headers", "x-api-key"})...),
			Want:    Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			// Issue 16 §1: the first line counts, as for Envoy's own
			// lookup and net/http's Header.Get: not a preflight.
			Name: "Access-Control-Request-Method lines \"\" then PUT: the first counts, an actual request", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/items", Authority: api,
			Headers: h("origin", app, "access-control-request-method", "", "access-control-request-method", "PUT"),
			Want:    Want{Status: 200, Headers: map[string]string{ACAO: app, ACAC: "true"}, Absent: []string{ACAM, ACMA}, Metric: "actual_allowed"},
		},

		// unmatchedPreflights "forward" under upstreamCors "override"
		// (issue 9 §4): the gateway stays authoritative.
		{
			Name: "forwarded refused preflight: the upstream's CORS answer is stripped", Config: ConfigForward,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", evil, "access-control-request-method", "DELETE"),
			Upstream: &Response{Status: 200, Headers: h(ACAO, evil, ACAC, "true", ACAM, "DELETE", ACAH, "x-any", ACMA, "86400", "allow", "DELETE")},
			Want:     Want{Status: 200, Headers: map[string]string{Vary: preVary, "allow": "DELETE"}, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "forwarded preflight for a method not allowed: stripped too", Config: ConfigForward,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", app, "access-control-request-method", "DELETE"),
			Upstream: &Response{Status: 204, Headers: h(ACAO, app, ACAC, "true", ACAM, "DELETE")},
			Want:     Want{Status: 204, Headers: map[string]string{Vary: preVary}, Absent: allCORS, Metric: "preflight_denied"},
		},
		{
			Name: "allowed preflight under forward is still answered locally", Config: ConfigForward,
			Method: "OPTIONS", Path: "/items", Authority: api, Headers: h("origin", app, "access-control-request-method", "PUT"),
			Want: Want{LocalReply: true, Status: 204, Headers: map[string]string{ACAO: app, ACAC: "true", ACAM: "PUT", Vary: preVary}, Metric: "preflight_allowed"},
		},

		// Routes (Envoy gives wasm filters no per-route config, envoy#26440).
		{
			Name: "route by host", Config: ConfigRoutes,
			Method: "GET", Path: "/", Authority: "admin.example.com:8443", Headers: h("origin", "https://admin-ui.example.com"),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "https://admin-ui.example.com"}, Metric: "actual_allowed"},
		},
		{
			Name: "route by host: the default origin is not allowed there", Config: ConfigRoutes,
			Method: "GET", Path: "/", Authority: "admin.example.com", Headers: h("origin", app),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied", Log: `by route "admin"`},
		},
		{
			Name: "route by path prefix", Config: ConfigRoutes,
			Method: "GET", Path: "/public/logo.png", Authority: api, Headers: h("origin", evil),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Metric: "actual_allowed"},
		},
		{
			Name: "route by Envoy route name", Config: ConfigRoutes, RouteName: "partner_api",
			Method: "GET", Path: "/v1/orders", Authority: api, Headers: h("origin", "https://partner.example.org"),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: "https://partner.example.org"}, Metric: "actual_allowed"},
		},
		{
			Name: "no route matched: the top-level policy applies", Config: ConfigRoutes, RouteName: "other",
			Method: "GET", Path: "/v1/orders", Authority: api, Headers: h("origin", app),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app}, Metric: "actual_allowed"},
		},

		// Cross-origin protection (Go 1.25 net/http.CrossOriginProtection).
		{
			Name: "cross-site form POST rejected", Config: ConfigCOP,
			Method: "POST", Path: "/transfer", Authority: api, Headers: h("origin", evil, "sec-fetch-site", "cross-site", "content-type", "application/x-www-form-urlencoded"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "cross_origin_protection_rejected", Log: "rejected by cross-origin protection"},
		},
		{
			Name: "cross-site POST without Origin but with Sec-Fetch-Site rejected", Config: ConfigCOP,
			Method: "POST", Path: "/transfer", Authority: api, Headers: h("sec-fetch-site", "cross-site"),
			Want: Want{LocalReply: true, Status: 403, Metric: "cross_origin_protection_rejected"},
		},
		{
			Name: "same-origin POST passes", Config: ConfigCOP,
			Method: "POST", Path: "/transfer", Authority: api, Headers: h("origin", "https://api.example.com", "sec-fetch-site", "same-origin"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied"},
		},
		{
			Name: "same-origin POST from an old browser (Origin host = Host) passes", Config: ConfigCOP,
			Method: "POST", Path: "/transfer", Authority: api, Headers: h("origin", "https://api.example.com"),
			Want: Want{Status: 200, Metric: "actual_denied"},
		},
		{
			Name: "allowed origin is trusted for cross-site writes", Config: ConfigCOP,
			Method: "PUT", Path: "/transfer", Authority: api, Headers: h("origin", app, "sec-fetch-site", "same-site"),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: app}, Metric: "actual_allowed"},
		},
		{
			Name: "cross-site GET is not a write", Config: ConfigCOP,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", evil, "sec-fetch-site", "cross-site"),
			Want: Want{Status: 200, Absent: []string{ACAO}, Metric: "actual_denied"},
		},

		// Shadow mode.
		{
			Name: "shadow: a denied preflight is forwarded untouched but counted", Config: ConfigShadow,
			Method: "OPTIONS", Path: "/", Authority: api, Headers: h("origin", evil, "access-control-request-method", "PUT"),
			Upstream: &Response{Status: 200, Headers: h(ACAO, "*")},
			Want:     Want{Status: 200, Headers: map[string]string{ACAO: "*"}, Absent: []string{Vary}, Metric: "preflight_denied", Log: `shadow: origin "https://evil.example" not allowed`},
		},
		{
			Name: "shadow: an allowed actual request is not decorated", Config: ConfigShadow,
			Method: "GET", Path: "/", Authority: api, Headers: h("origin", app),
			Want: Want{Status: 200, Absent: []string{ACAO, Vary}, Metric: "actual_allowed"},
		},

		// Private Network Access (off unless allowed).
		{
			Name: "PNA preflight refused by default", Config: ConfigCredentials,
			Method: "OPTIONS", Path: "/", Authority: api, Headers: h("origin", app, "access-control-request-method", "GET", "access-control-request-private-network", "true"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "preflight_denied", Log: "private network access"},
		},
		{
			Name: "PNA preflight allowed when configured", Config: ConfigPNA,
			Method: "OPTIONS", Path: "/", Authority: api, Headers: h("origin", app, "access-control-request-method", "GET", "access-control-request-private-network", "true"),
			Want: Want{LocalReply: true, Status: 204, Headers: map[string]string{ACAO: app, ACAPN: "true", Vary: preVary + ", Access-Control-Request-Private-Network"}, Metric: "preflight_allowed"},
		},
	}
}
