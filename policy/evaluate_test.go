package policy

import "testing"

const credConfig = `{
	"allowOrigins": ["https://app.example.com", "https://*.example.com", "http://localhost:*",
		"https://foo.com", "https://bar.com", "https://bücher.example", "https://api.example.org:*",
		"https://[::1]:8443", "http://127.0.0.1:3000"],
	"allowOriginRegexes": ["https://pr-[0-9]+\\.preview\\.example\\.net"],
	"allowMethods": ["GET", "PUT", "PATCH"],
	"allowHeaders": ["Content-Type", "authorization"],
	"exposeHeaders": ["X-Request-Id"],
	"allowCredentials": true,
	"maxAge": "10m"
}`

const anyConfig = `{
	"allowOrigins": ["*"],
	"allowMethods": ["*"],
	"allowHeaders": ["*", "authorization"],
	"exposeHeaders": ["x-a"],
	"maxAge": 0
}`

const anyNoAuthzConfig = `{"allowOrigins": ["*"], "allowHeaders": ["*"]}`

const routesConfig = `{
	"allowOrigins": ["https://www.example.com"],
	"routes": [
		{"name": "v2", "hosts": ["api.example.com", "*.api.example.com"], "pathPrefixes": ["/v2/"],
		 "allowOrigins": ["https://v2.example.com"], "allowMethods": ["PUT"], "upstreamCors": "preserve"},
		{"routeNames": ["legacy"], "allowOrigins": ["https://legacy.example.com"], "shadow": true},
		{"hosts": ["open.example.com"], "allowOrigins": ["https://o.example.com"],
		 "unmatchedPreflights": "forward", "preflightStatus": 200}
	]
}`

const copConfig = `{"allowOrigins": ["https://app.example.com"], "crossOriginProtection": true}`
const copOnlyConfig = `{"crossOriginProtection": true}`
const pnaConfig = `{"allowOrigins": ["https://app.example.com"], "allowPrivateNetwork": true}`
const routeOnlyConfig = `{"routes": [{"hosts": ["a.example.com"], "allowOrigins": ["https://x.example.com"]}]}`

var credAllowedPreflight = []string{
	"access-control-allow-origin: https://app.example.com",
	"access-control-allow-credentials: true",
	"access-control-allow-methods: GET, PUT, PATCH",
	"access-control-allow-headers: content-type, authorization",
	"access-control-max-age: 600",
}

func actualAllowed(origin string) want {
	return want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "default", vary: "Origin", strip: true,
		headers: []string{"access-control-allow-origin: " + origin, "access-control-allow-credentials: true",
			"access-control-expose-headers: x-request-id"}}
}

func actualDenied(reason Reason) want {
	return want{kind: Actual, reason: reason, route: "default", vary: "Origin", strip: true}
}

func preflightDenied(reason Reason, detail string) want {
	return want{kind: Preflight, action: Respond, status: 403, reason: reason, detail: detail, route: "default", vary: varyPreflight}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		config string
		req    Request
		want   want
	}{
		// Classification (Fetch "CORS request", "CORS-preflight request").
		{"no origin is not CORS, Vary still set", credConfig, Request{Method: "GET"},
			want{kind: NotCORS, route: "default", vary: "Origin", strip: true}},
		{"OPTIONS without ACRM is an actual request", credConfig, Request{Method: "OPTIONS", Origin: "https://app.example.com"},
			actualAllowed("https://app.example.com")},
		{"lowercase options is not a preflight", credConfig, Request{Method: "options", Origin: "https://app.example.com", AccessControlRequestMethod: "PUT"},
			actualAllowed("https://app.example.com")},

		// Allowed preflights.
		{"allowed preflight", credConfig, preflight("https://app.example.com", "PUT", "content-type"),
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default", vary: varyPreflight, headers: credAllowedPreflight}},
		{"safelisted method passes without being listed", credConfig, preflight("https://app.example.com", "POST", "authorization"),
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default", vary: varyPreflight, headers: credAllowedPreflight}},
		{"ACRH case-insensitive with OWS and empty elements", credConfig, preflight("https://app.example.com", "PATCH", " AUTHORIZATION ,\tContent-Type,, "),
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default", vary: varyPreflight, headers: credAllowedPreflight}},
		{"wildcard subdomain preflight reflects origin", credConfig, preflight("https://a.b.example.com", "GET", ""),
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default", vary: varyPreflight, headers: append([]string{
				"access-control-allow-origin: https://a.b.example.com"}, credAllowedPreflight[1:]...)}},

		// Disallowed preflights: 403 without any Access-Control-* header.
		{"preflight from unknown origin", credConfig, preflight("https://evil.com", "PUT", ""), preflightDenied(ReasonOriginNotAllowed, "")},
		{"preflight method not allowed", credConfig, preflight("https://app.example.com", "DELETE", ""), preflightDenied(ReasonMethodNotAllowed, "DELETE")},
		{"method compare is case-sensitive: patch is not PATCH", credConfig, preflight("https://app.example.com", "patch", ""), preflightDenied(ReasonMethodNotAllowed, "patch")},
		{"lowercase get is not safelisted", credConfig, preflight("https://app.example.com", "get", ""), preflightDenied(ReasonMethodNotAllowed, "get")},
		{"preflight header not allowed", credConfig, preflight("https://app.example.com", "PUT", "content-type,x-secret"), preflightDenied(ReasonHeaderNotAllowed, "x-secret")},
		{"ACRH with a non-token", credConfig, preflight("https://app.example.com", "PUT", "content type"), preflightDenied(ReasonHeadersMalformed, "")},
		{"PNA requested but not allowed", credConfig, Request{Method: "OPTIONS", Origin: "https://app.example.com", AccessControlRequestMethod: "GET", AccessControlRequestPrivateNetwork: "true"},
			preflightDenied(ReasonPrivateNetworkNotAllowed, "")},
		{"multiple origins preflight", credConfig, Request{Method: "OPTIONS", Origin: "https://app.example.com", MultipleOrigins: true, AccessControlRequestMethod: "GET"},
			preflightDenied(ReasonOriginMalformed, "")},
		{"malformed origin preflight", credConfig, preflight("https://app.example.com/", "GET", ""), preflightDenied(ReasonOriginMalformed, "")},

		// Actual requests.
		{"actual from allowed origin", credConfig, Request{Method: "GET", Origin: "https://app.example.com"}, actualAllowed("https://app.example.com")},
		{"actual from disallowed origin: no 403, still Vary and strip", credConfig, Request{Method: "POST", Origin: "https://evil.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"actual with multiple origins", credConfig, Request{Method: "GET", Origin: "https://app.example.com", MultipleOrigins: true}, actualDenied(ReasonOriginMalformed)},
		{"regex origin", credConfig, Request{Method: "GET", Origin: "https://pr-42.preview.example.net"}, actualAllowed("https://pr-42.preview.example.net")},
		{"regex anchored at the end", credConfig, Request{Method: "GET", Origin: "https://pr-42.preview.example.net.evil.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"regex anchored at the start", credConfig, Request{Method: "GET", Origin: "https://xpr-42.preview.example.net"}, actualDenied(ReasonOriginNotAllowed)},

		// Regression rows for known CORS bug classes.
		{"suffix confusion: foo.com + bar.com never allow barfoo.com", credConfig, Request{Method: "GET", Origin: "https://barfoo.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"suffix confusion: foobar.com", credConfig, Request{Method: "GET", Origin: "https://foobar.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"lookalike of an exact origin", credConfig, Request{Method: "GET", Origin: "https://app.example.com.evil.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"lookalike of a wildcard", credConfig, Request{Method: "GET", Origin: "https://x.example.com.evil.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"wildcard needs a label boundary", credConfig, Request{Method: "GET", Origin: "https://evilexample.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"wildcard never matches the apex", credConfig, Request{Method: "GET", Origin: "https://example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"wildcard rejects an empty label", credConfig, Request{Method: "GET", Origin: "https://.example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"wildcard rejects a doubled dot", credConfig, Request{Method: "GET", Origin: "https://a..example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"wildcard scheme must match", credConfig, Request{Method: "GET", Origin: "http://app.example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"wildcard without port refuses a port", credConfig, Request{Method: "GET", Origin: "https://a.example.com:8443"}, actualDenied(ReasonOriginNotAllowed)},
		{"null origin is never allowed", credConfig, Request{Method: "GET", Origin: "null"}, actualDenied(ReasonOriginNotAllowed)},
		{"uppercase host is compared byte-exactly", credConfig, Request{Method: "GET", Origin: "https://APP.example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"uppercase scheme is compared byte-exactly", credConfig, Request{Method: "GET", Origin: "HTTPS://app.example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"uppercase label under a wildcard", credConfig, Request{Method: "GET", Origin: "https://Foo.example.com"}, actualDenied(ReasonOriginNotAllowed)},
		{"IDN config origin matches its punycode", credConfig, Request{Method: "GET", Origin: "https://xn--bcher-kva.example"}, actualAllowed("https://xn--bcher-kva.example")},
		{"Unicode Origin header is malformed", credConfig, Request{Method: "GET", Origin: "https://bücher.example"}, actualDenied(ReasonOriginMalformed)},
		{"port wildcard with a port", credConfig, Request{Method: "GET", Origin: "http://localhost:5173"}, actualAllowed("http://localhost:5173")},
		{"port wildcard without a port", credConfig, Request{Method: "GET", Origin: "http://localhost"}, actualAllowed("http://localhost")},
		{"port wildcard keeps the host exact", credConfig, Request{Method: "GET", Origin: "http://localhost.evil.com:5173"}, actualDenied(ReasonOriginNotAllowed)},
		{"https port wildcard", credConfig, Request{Method: "GET", Origin: "https://api.example.org:8443"}, actualAllowed("https://api.example.org:8443")},
		{"exact port must match", credConfig, Request{Method: "GET", Origin: "http://127.0.0.1:3001"}, actualDenied(ReasonOriginNotAllowed)},
		{"exact port", credConfig, Request{Method: "GET", Origin: "http://127.0.0.1:3000"}, actualAllowed("http://127.0.0.1:3000")},
		{"IPv6 origin", credConfig, Request{Method: "GET", Origin: "https://[::1]:8443"}, actualAllowed("https://[::1]:8443")},
		{"userinfo in Origin is malformed", credConfig, Request{Method: "GET", Origin: "https://user@app.example.com"}, actualDenied(ReasonOriginMalformed)},
		{"CRLF in Origin is malformed", credConfig, Request{Method: "GET", Origin: "https://app.example.com\r\nx: y"}, actualDenied(ReasonOriginMalformed)},

		// "*" without credentials.
		{"any origin actual sends * and no Vary", anyConfig, Request{Method: "GET", Origin: "https://anything.test"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "default", strip: true,
				headers: []string{"access-control-allow-origin: *", "access-control-expose-headers: x-a"}}},
		{"null under * without credentials gets * (nothing reflected)", anyConfig, Request{Method: "GET", Origin: "null"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "default", strip: true,
				headers: []string{"access-control-allow-origin: *", "access-control-expose-headers: x-a"}}},
		{"any origin non-CORS: same * headers, no Vary (Fetch §3.2.5 caches)", anyConfig, Request{Method: "GET"}, want{kind: NotCORS, route: "default", strip: true,
			headers: []string{"access-control-allow-origin: *", "access-control-expose-headers: x-a"}}},
		{"any origin preflight: * methods, *, authorization, max-age 0", anyConfig, preflight("https://anything.test", "patch", "authorization,x-custom"),
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default", vary: varyPreflight,
				headers: []string{"access-control-allow-origin: *", "access-control-allow-methods: *", "access-control-allow-headers: *, authorization", "access-control-max-age: 0"}}},
		{"* never covers authorization", anyNoAuthzConfig, preflight("https://anything.test", "GET", "authorization,x-custom"),
			want{kind: Preflight, action: Respond, status: 403, reason: ReasonHeaderNotAllowed, detail: "authorization", route: "default", vary: varyPreflight}},
		{"* method still refuses forbidden methods", anyConfig, preflight("https://anything.test", "TRACE", ""),
			want{kind: Preflight, action: Respond, status: 403, reason: ReasonMethodNotAllowed, detail: "TRACE", route: "default", vary: varyPreflight}},
		{"any origin: malformed origin not allowed, response still carries the public *", anyConfig, Request{Method: "GET", Origin: "https://a.test/path"},
			want{kind: Actual, reason: ReasonOriginMalformed, route: "default", strip: true,
				headers: []string{"access-control-allow-origin: *", "access-control-expose-headers: x-a"}}},
		// Issue 9: every forwarded response under "*" carries the same
		// public headers, or a shared cache spreads a header-less copy.
		{"any origin: repeated Origin still carries the public *", anyConfig, Request{Method: "GET", Origin: "https://a.test", MultipleOrigins: true},
			want{kind: Actual, reason: ReasonOriginMalformed, route: "default", strip: true,
				headers: []string{"access-control-allow-origin: *", "access-control-expose-headers: x-a"}}},
		{"any origin: repeated empty Origin still carries the public *", anyConfig, Request{Method: "GET", MultipleOrigins: true},
			want{kind: Actual, reason: ReasonOriginMalformed, route: "default", strip: true,
				headers: []string{"access-control-allow-origin: *", "access-control-expose-headers: x-a"}}},

		// Private network access.
		{"PNA allowed", pnaConfig, Request{Method: "OPTIONS", Origin: "https://app.example.com", AccessControlRequestMethod: "GET", AccessControlRequestPrivateNetwork: "true"},
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default",
				vary:    varyPreflight + ", Access-Control-Request-Private-Network",
				headers: []string{"access-control-allow-origin: https://app.example.com", "access-control-allow-private-network: true"}}},
		{"PNA header only when requested", pnaConfig, preflight("https://app.example.com", "GET", ""),
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "default",
				vary:    varyPreflight + ", Access-Control-Request-Private-Network",
				headers: []string{"access-control-allow-origin: https://app.example.com"}}},

		// Routes.
		{"route by host and path prefix", routesConfig, Request{Method: "GET", Origin: "https://v2.example.com", Authority: "API.example.com:443", Path: "/v2/items"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "v2", routePath: "routes[0]", vary: "Origin", preserve: true,
				headers: []string{"access-control-allow-origin: https://v2.example.com"}}},
		{"route wildcard host", routesConfig, Request{Method: "OPTIONS", Origin: "https://v2.example.com", AccessControlRequestMethod: "PUT", Authority: "eu.api.example.com", Path: "/v2/x"},
			want{kind: Preflight, action: Respond, status: 204, allowed: true, reason: ReasonAllowed, route: "v2", routePath: "routes[0]", vary: varyPreflight,
				headers: []string{"access-control-allow-origin: https://v2.example.com", "access-control-allow-methods: PUT"}}},
		{"routes are complete: default origins do not apply", routesConfig, Request{Method: "GET", Origin: "https://www.example.com", Authority: "api.example.com", Path: "/v2/"},
			want{kind: Actual, reason: ReasonOriginNotAllowed, route: "v2", routePath: "routes[0]", vary: "Origin", preserve: true}},
		{"path outside the prefix falls back to default", routesConfig, Request{Method: "GET", Origin: "https://www.example.com", Authority: "api.example.com", Path: "/v1/"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "default", vary: "Origin", strip: true,
				headers: []string{"access-control-allow-origin: https://www.example.com"}}},
		{"wildcard host needs a label boundary", routesConfig, Request{Method: "GET", Origin: "https://v2.example.com", Authority: "evilapi.example.com", Path: "/v2/"},
			actualDenied(ReasonOriginNotAllowed)},
		{"wildcard host with an empty label", routesConfig, Request{Method: "GET", Origin: "https://v2.example.com", Authority: ".api.example.com", Path: "/v2/"},
			actualDenied(ReasonOriginNotAllowed)},
		{"route by route name, shadow", routesConfig, Request{Method: "GET", Origin: "https://legacy.example.com", RouteName: "legacy"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "routes[1]", routePath: "routes[1]", shadow: true, vary: "Origin", strip: true,
				headers: []string{"access-control-allow-origin: https://legacy.example.com"}}},
		// Issue 9: under "override" a forwarded refused preflight loses
		// every upstream Access-Control-* header.
		{"forward unmatched preflight: upstream CORS stripped under override", routesConfig, Request{Method: "OPTIONS", Origin: "https://evil.com", AccessControlRequestMethod: "GET", Authority: "open.example.com"},
			want{kind: Preflight, reason: ReasonOriginNotAllowed, route: "routes[2]", routePath: "routes[2]", vary: varyPreflight, strip: true}},
		{"forward unmatched preflight: upstream answer stands under preserve", `{"allowOrigins": ["https://o.example.com"], "unmatchedPreflights": "forward", "upstreamCors": "preserve"}`,
			preflight("https://evil.com", "DELETE", ""),
			want{kind: Preflight, reason: ReasonOriginNotAllowed, route: "default", vary: varyPreflight, preserve: true}},
		{"preflightStatus 200", routesConfig, Request{Method: "OPTIONS", Origin: "https://o.example.com", AccessControlRequestMethod: "GET", Authority: "open.example.com"},
			want{kind: Preflight, action: Respond, status: 200, allowed: true, reason: ReasonAllowed, route: "routes[2]", routePath: "routes[2]", vary: varyPreflight,
				headers: []string{"access-control-allow-origin: https://o.example.com"}}},
		{"IPv6 authority selects an IPv6 host route", `{"routes": [{"hosts": ["[::1]"], "allowOrigins": ["https://v6.example.com"]}]}`,
			Request{Method: "GET", Origin: "https://v6.example.com", Authority: "[::1]:8080"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "routes[0]", routePath: "routes[0]", vary: "Origin", strip: true,
				headers: []string{"access-control-allow-origin: https://v6.example.com"}}},
		{"IPv6 authority without port", `{"routes": [{"hosts": ["[::1]"], "allowOrigins": ["https://v6.example.com"]}]}`,
			Request{Method: "GET", Origin: "https://v6.example.com", Authority: "[::1]"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "routes[0]", routePath: "routes[0]", vary: "Origin", strip: true,
				headers: []string{"access-control-allow-origin: https://v6.example.com"}}},
		{"host selector is not a prefix match", `{"routes": [{"hosts": ["a.example.com"], "allowOrigins": ["https://x.example.com"]}]}`,
			Request{Method: "GET", Origin: "https://x.example.com", Authority: "a.example.com.evil.com"}, want{kind: Actual}},
		{"Kelvin sign does not fold onto k", `{"routes": [{"hosts": ["k.example.com"], "allowOrigins": ["https://x.example.com"]}]}`,
			Request{Method: "GET", Origin: "https://x.example.com", Authority: "\u212a.example.com"}, want{kind: Actual}},
		{"no route and no default: nothing to do", routeOnlyConfig, Request{Method: "GET", Origin: "https://x.example.com", Authority: "b.example.com"},
			want{kind: Actual}},
		{"empty config: nothing to do", `{}`, preflight("https://x.example.com", "PUT", ""), want{kind: Preflight}},

		// crossOriginProtection (Go 1.25 net/http.CrossOriginProtection).
		{"COP: GET passes", copConfig, Request{Method: "GET", Origin: "https://evil.com", SecFetchSite: "cross-site"}, copPassed()},
		{"COP: same-origin passes", copConfig, Request{Method: "POST", Origin: "https://evil.com", SecFetchSite: "same-origin"}, copPassed()},
		{"COP: none passes", copConfig, Request{Method: "POST", SecFetchSite: "none"}, want{kind: NotCORS, route: "default", vary: "Origin", strip: true}},
		{"COP: cross-site POST rejected", copConfig, Request{Method: "POST", Origin: "https://evil.com", SecFetchSite: "cross-site"},
			want{kind: Actual, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP: same-site POST rejected", copConfig, Request{Method: "POST", Origin: "https://evil.example.com", SecFetchSite: "same-site"},
			want{kind: Actual, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP: cross-site without Origin rejected", copConfig, Request{Method: "POST", SecFetchSite: "cross-site"},
			want{kind: NotCORS, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP: allowed CORS origin is trusted", copConfig, Request{Method: "PUT", Origin: "https://app.example.com", SecFetchSite: "cross-site"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "default", vary: "Origin", strip: true, headers: []string{"access-control-allow-origin: https://app.example.com"}}},
		{"COP: no Sec-Fetch-Site, no Origin passes", copConfig, Request{Method: "POST"}, want{kind: NotCORS, route: "default", vary: "Origin", strip: true}},
		{"COP: no Sec-Fetch-Site, Origin equals authority passes", copConfig, Request{Method: "POST", Origin: "https://api.example.com:8443", Authority: "api.example.com:8443"}, copPassed()},
		{"COP: Origin host equals authority case-insensitively", copConfig, Request{Method: "POST", Origin: "https://api.example.com", Authority: "API.Example.com"}, copPassed()},
		{"COP: Origin port must equal authority port", copConfig, Request{Method: "POST", Origin: "https://api.example.com", Authority: "api.example.com:8443"},
			want{kind: Actual, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP: multiple Origins without Sec-Fetch-Site rejected", copConfig, Request{Method: "POST", Origin: "https://api.example.com", MultipleOrigins: true, Authority: "api.example.com"},
			want{kind: Actual, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP: no Sec-Fetch-Site, other Origin rejected", copConfig, Request{Method: "POST", Origin: "https://evil.com", Authority: "api.example.com"},
			want{kind: Actual, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP only: cross-site DELETE rejected", copOnlyConfig, Request{Method: "DELETE", Origin: "https://evil.com", SecFetchSite: "cross-site"},
			want{kind: Actual, action: Respond, status: 403, reason: ReasonCrossOriginProtection, route: "default"}},
		{"COP only: same-origin POST passes, nothing varies", copOnlyConfig, Request{Method: "POST", Origin: "https://api.example.com", SecFetchSite: "same-origin"},
			want{kind: Actual, reason: ReasonOriginNotAllowed, route: "default", strip: true}},
		{"COP does not touch preflights", copConfig, preflight("https://evil.com", "PUT", ""), preflightDenied(ReasonOriginNotAllowed, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.config)
			d := p.Evaluate(&tt.req)
			if diff := tt.want.diff(&d); diff != "" {
				t.Errorf("Evaluate(%+v):%s", tt.req, diff)
			}
		})
	}
}

// copPassed is the decision of copConfig for a request from a disallowed
// origin that crossOriginProtection lets through.
func copPassed() want {
	return want{kind: Actual, reason: ReasonOriginNotAllowed, route: "default", vary: "Origin", strip: true}
}

func TestEvaluateShadowKeepsDecision(t *testing.T) {
	p := mustCompile(t, `{"allowOrigins": ["https://a.example.com"], "shadow": true}`)
	tests := []struct {
		name string
		req  Request
		want want
	}{
		{"denied preflight", preflight("https://evil.com", "GET", ""),
			want{kind: Preflight, action: Respond, status: 403, reason: ReasonOriginNotAllowed, route: "default", shadow: true, vary: varyPreflight}},
		{"allowed actual", Request{Method: "GET", Origin: "https://a.example.com"},
			want{kind: Actual, allowed: true, reason: ReasonAllowed, route: "default", shadow: true, vary: "Origin", strip: true,
				headers: []string{"access-control-allow-origin: https://a.example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Evaluate(&tt.req)
			if diff := tt.want.diff(&d); diff != "" {
				t.Errorf("Evaluate(%+v):%s", tt.req, diff)
			}
		})
	}
}
