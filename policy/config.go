package policy

import (
	"strconv"
	"time"
)

// Config is the plugin configuration, as JSON (camelCase). The top level is
// the default policy; Routes are complete policies (nothing is inherited
// from the top level) selected per request, first match wins.
type Config struct {
	// Schema is ignored by the filter. It lets a config file name its JSON
	// Schema ("$schema": "…/schema/corswasm.schema.json") so editors
	// validate and complete it.
	Schema string `json:"$schema,omitempty"`
	Rules
	Routes []Route `json:"routes,omitempty"`
}

// Route is a complete policy that applies when every non-empty selector
// matches the request.
type Route struct {
	// Name identifies the route in logs, metrics and errors; it defaults
	// to "routes[i]".
	Name string `json:"name,omitempty"`
	// Hosts match :authority without its port, case-insensitively.
	// "*.example.com" matches one or more labels before example.com.
	Hosts []string `json:"hosts,omitempty"`
	// PathPrefixes match the start of :path.
	PathPrefixes []string `json:"pathPrefixes,omitempty"`
	// RouteNames match Envoy's route_name property (Envoy gives wasm
	// filters no per-route configuration, envoy#26440).
	RouteNames []string `json:"routeNames,omitempty"`
	Rules
}

// Rules are the settings of one CORS policy.
type Rules struct {
	AllowOrigins                    []string  `json:"allowOrigins,omitempty"`
	AllowOriginRegexes              []string  `json:"allowOriginRegexes,omitempty"`
	AllowMethods                    []string  `json:"allowMethods,omitempty"`
	AllowHeaders                    []string  `json:"allowHeaders,omitempty"`
	ExposeHeaders                   []string  `json:"exposeHeaders,omitempty"`
	AllowCredentials                bool      `json:"allowCredentials,omitempty"`
	MaxAge                          *Duration `json:"maxAge,omitempty"`
	AllowPrivateNetwork             bool      `json:"allowPrivateNetwork,omitempty"`
	PreflightStatus                 int       `json:"preflightStatus,omitempty"`
	UnmatchedPreflights             string    `json:"unmatchedPreflights,omitempty"`
	CrossOriginProtection           bool      `json:"crossOriginProtection,omitempty"`
	UpstreamCors                    string    `json:"upstreamCors,omitempty"`
	Shadow                          bool      `json:"shadow,omitempty"`
	DangerouslyAllowInsecureOrigins bool      `json:"dangerouslyAllowInsecureOrigins,omitempty"`
}

// Duration is maxAge: whole seconds as a JSON integer (600) or a Go
// duration string ("10m"). Its JSON decoding lives in parse.go.
type Duration struct {
	time.Duration
}

// Warning is a legal but risky setting, reported at plugin start and by
// corsctl validate. It never stops a config from loading.
type Warning struct {
	Code    WarningCode // what kind of risk: match on this, never on Message
	Path    string      // JSON path, e.g. "routes[0].allowOrigins[1]"
	Value   string      // the offending value, unquoted
	Message string      // lowercase sentence: the risk and what to do instead
}

// String renders the warning like a validation error:
// `path: "value": message`.
func (w Warning) String() string {
	if w.Value == "" {
		return w.Path + ": " + w.Message
	}
	return w.Path + ": " + strconv.Quote(w.Value) + ": " + w.Message
}
