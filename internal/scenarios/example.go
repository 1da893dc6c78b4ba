package scenarios

// ConfigExample is examples/config.json: the configuration envoy.yaml and
// the docker-compose Envoy embed (deploy/envoy_test.go keeps those equal;
// TestConfigExampleIsTheExampleFile keeps this equal to the file). The
// e2e replay against a running Envoy keeps only scenarios whose Config is
// the gateway's, so these are the ones it replays there.
const ConfigExample = `{
  "allowOrigins": ["http://localhost:8080", "http://127.0.0.1:8080", "https://app.example.com", "https://*.example.com"],
  "allowMethods": ["GET", "POST", "PUT", "DELETE", "PATCH"],
  "allowHeaders": ["content-type", "authorization", "x-api-key"],
  "exposeHeaders": ["x-request-id"],
  "allowCredentials": true,
  "maxAge": 600,
  "preflightStatus": 204,
  "unmatchedPreflights": "reject",
  "crossOriginProtection": true,
  "upstreamCors": "override"
}`

// demo is the page origin of `make run`'s demo (examples/config.json
// allows it); the gateway listens on another port, so it is cross-origin.
const (
	demo     = "http://localhost:8080"
	demoHost = "localhost:10000"
)

// exampleScenarios run with ConfigExample.
func exampleScenarios() []Scenario {
	allCORS := []string{ACAO, ACAC, ACAM, ACAH, ACMA, ACEH, ACAPN}
	return []Scenario{
		{
			Name: "example config: allowed actual GET from the demo page", Config: ConfigExample,
			Method: "GET", Path: "/items", Authority: demoHost, Headers: h("origin", demo),
			Want: Want{Status: 200, Headers: map[string]string{ACAO: demo, ACAC: "true", ACEH: "x-request-id", Vary: "Origin"},
				Absent: []string{ACAM, ACAH, ACMA}, Metric: "actual_allowed"},
		},
		{
			Name: "example config: preflight for PUT with content-type answered locally", Config: ConfigExample,
			Method: "OPTIONS", Path: "/items", Authority: demoHost,
			Headers: h("origin", demo, "access-control-request-method", "PUT", "access-control-request-headers", "content-type"),
			Want: Want{LocalReply: true, Status: 204, Headers: map[string]string{
				ACAO: demo, ACAC: "true", ACAM: "GET, POST, PUT, DELETE, PATCH", ACAH: "content-type, authorization, x-api-key", ACMA: "600", Vary: preVary,
			}, Absent: []string{ACEH}, Metric: "preflight_allowed"},
		},
		{
			Name: "example config: origin not listed gets no CORS headers", Config: ConfigExample,
			Method: "GET", Path: "/items", Authority: demoHost, Headers: h("origin", evil),
			Want: Want{Status: 200, Headers: map[string]string{Vary: "Origin"}, Absent: []string{ACAO, ACAC, ACEH}, Metric: "actual_denied",
				Log: `origin "https://evil.example" not allowed by route "default"`},
		},
		{
			// A form POST needs no preflight, so CORS alone would let it
			// reach the backend; crossOriginProtection stops it.
			Name: "example config: cross-site form POST rejected by cross-origin protection", Config: ConfigExample,
			Method: "POST", Path: "/transfer", Authority: demoHost,
			Headers: h("origin", evil, "sec-fetch-site", "cross-site", "content-type", "application/x-www-form-urlencoded"),
			Want: Want{LocalReply: true, Status: 403, Absent: allCORS, Metric: "cross_origin_protection_rejected",
				Log: `cross-origin "POST" request from origin "https://evil.example" (sec-fetch-site "cross-site") rejected by cross-origin protection`},
		},
		{
			Name: "example config: cross-site POST from an allowed origin passes", Config: ConfigExample,
			Method: "POST", Path: "/items", Authority: demoHost,
			Headers: h("origin", demo, "sec-fetch-site", "cross-site", "content-type", "application/json"),
			Want:    Want{Status: 200, Headers: map[string]string{ACAO: demo, ACAC: "true"}, Metric: "actual_allowed"},
		},
		{
			Name: "example config: upstream Access-Control-Allow-Origin: * overridden", Config: ConfigExample,
			Method: "GET", Path: "/items", Authority: demoHost, Headers: h("origin", demo),
			Upstream: &Response{Status: 200, Headers: h(ACAO, "*", ACAM, "GET", ACEH, "x-internal")},
			Want: Want{Status: 200, Headers: map[string]string{ACAO: demo, ACAC: "true", ACEH: "x-request-id", Vary: "Origin"},
				Absent: []string{ACAM}, Metric: "actual_allowed"},
		},
		{
			Name: "example config: 401 from the upstream is decorated so the page can read it", Config: ConfigExample,
			Method: "GET", Path: "/private", Authority: demoHost, Headers: h("origin", demo),
			Upstream: &Response{Status: 401, Headers: h("www-authenticate", "Bearer")},
			Want: Want{Status: 401, Headers: map[string]string{ACAO: demo, ACAC: "true", Vary: "Origin", "www-authenticate": "Bearer"},
				Metric: "actual_allowed"},
		},
	}
}
