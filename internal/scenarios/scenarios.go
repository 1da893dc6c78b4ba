// Package scenarios is the shared table of request → response cases for
// the CORS filter. The wasm tests (filter_test.go) run it against
// build/cors.wasm in wazero; the end-to-end tests replay it over real
// HTTP through Envoy and the gateway. So every field is plain data: a
// request is a method, a path, an authority and header lines; the upstream
// response is a status and header lines.
package scenarios

// Scenario is one request through the filter with one config.
type Scenario struct {
	Name   string
	Config string // the plugin configuration (JSON)

	// The request.
	Method    string
	Path      string
	Authority string // :authority (Host)
	Headers   [][2]string
	// RouteName is Envoy's route_name property for the request ("" = none).
	// Over HTTP it needs an Envoy route of that name.
	RouteName string

	// Upstream is the response that reaches the filter if the request is
	// forwarded: the upstream's, or a local reply of a later filter (From
	// names it, e.g. "auth"). nil means 200 with no headers.
	Upstream *Response

	// NotOverHTTP says why a real HTTP proxy cannot carry this request
	// unchanged ("" = it can), e.g. a CR/LF inside a header value, which
	// HTTP codecs reject before any filter runs. The wasm tests run it
	// anyway: the filter must survive what a host might hand it.
	NotOverHTTP string

	Want Want
}

// Response is a status and header lines.
type Response struct {
	Status  int
	Headers [][2]string
	From    string // "" for the upstream service, else the filter that replied
}

// Want is what the client receives.
type Want struct {
	// LocalReply: the CORS filter answered itself; the request never
	// reached the upstream.
	LocalReply bool
	Status     int
	// Headers must each appear exactly once with exactly this value
	// (names lowercase).
	Headers map[string]string
	// Absent must not appear at all.
	Absent []string
	// Metric is the counter this request increments (without the
	// "corswasm." prefix), e.g. "preflight_allowed".
	Metric string
	// Log, when set, must be a substring of one log line.
	Log string
}

// ACAO and friends, for readability of the table.
const (
	ACAO  = "access-control-allow-origin"
	ACAC  = "access-control-allow-credentials"
	ACAM  = "access-control-allow-methods"
	ACAH  = "access-control-allow-headers"
	ACMA  = "access-control-max-age"
	ACEH  = "access-control-expose-headers"
	ACAPN = "access-control-allow-private-network"
	Vary  = "vary"
)

// Configs used by the table.
const (
	// Credentialed API: the README's example shape.
	ConfigCredentials = `{
  "allowOrigins": ["https://app.example.com", "https://*.example.com"],
  "allowMethods": ["GET", "POST", "PUT", "DELETE", "PATCH"],
  "allowHeaders": ["content-type", "authorization", "x-api-key"],
  "exposeHeaders": ["x-request-id"],
  "allowCredentials": true,
  "maxAge": 600
}`
	// Public, non-credentialed API.
	ConfigStar = `{"allowOrigins": ["*"], "allowMethods": ["GET", "POST"]}`
	// The backend's own CORS answer wins when it gives one.
	ConfigPreserve = `{"allowOrigins": ["https://app.example.com"], "upstreamCors": "preserve"}`
	// Routes selected by host, path prefix and Envoy route name.
	ConfigRoutes = `{
  "allowOrigins": ["https://app.example.com"],
  "routes": [
    {"name": "admin", "hosts": ["admin.example.com"], "allowOrigins": ["https://admin-ui.example.com"]},
    {"name": "public", "pathPrefixes": ["/public/"], "allowOrigins": ["*"]},
    {"name": "api", "routeNames": ["partner_api"], "allowOrigins": ["https://partner.example.org"]}
  ]
}`
	// Cross-site writes rejected (Go's CrossOriginProtection algorithm).
	ConfigCOP = `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["GET", "POST", "PUT"], "crossOriginProtection": true}`
	// Shadow mode: decide, count and log, change nothing.
	ConfigShadow = `{"allowOrigins": ["https://app.example.com"], "shadow": true}`
	// Refused preflights forwarded to a credentialed upstream, which stays
	// overridden (issue 9 §4).
	ConfigForward = `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowCredentials": true, "unmatchedPreflights": "forward"}`
	// Private Network Access preflights allowed.
	ConfigPNA = `{"allowOrigins": ["https://app.example.com"], "allowPrivateNetwork": true}`
)
