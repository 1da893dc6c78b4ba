package policy

// This file is the contract between the engine and its callers (the wasm
// filter in the repository root, corsctl, the net/http adapter). The
// engine's internals may change freely; these names and meanings may not
// without updating every caller.
//
// Entry points (implemented in the other files of this package):
//
//	func ParseConfig(data []byte) (Config, error)      // strict JSON: unknown fields are errors
//	func New(cfg Config) (*Policy, error)               // validates everything, errors.Join of all problems
//	func Compile(data []byte) (*Policy, error)          // ParseConfig + New
//	func (p *Policy) Evaluate(r *Request) Decision      // pure, 0 allocs/op
//	func (p *Policy) EvaluateTo(r *Request, d *Decision) // the same, into *d (no copy of the value)
//	func (p *Policy) Warnings() []Warning               // legal but risky settings
//	func (p *Policy) NeedsRouteName() bool              // some route matches on routeNames
//	func (p *Policy) NeedsRequestDetails() bool         // routes or crossOriginProtection exist, so even a
//	                                                    // request without Origin needs Method, SecFetchSite,
//	                                                    // Authority and Path to be decided
//	func MergeVary(existing, add string) (string, bool) // merged Vary value; false when unchanged
//	type RequestLines; (*RequestLines).Add(name, value)  // header lines -> Request: which line of a repeated
//	                                                    // header counts, how split lists join (both adapters)
//
// Every validation error reads "<json path>: <quoted value>: <reason and
// fix>", e.g. `routes[1].allowOrigins[0]: "https://*.com": a wildcard over a
// public suffix trusts every site registered under it`.

// Request holds the plain request fields a decision depends on. Every
// string is the verbatim header value as received (no lowercasing, no
// trimming); "" means the header was absent.
//
// The caller reads these once in the request phase. Evaluate never keeps a
// reference to r after it returns, except that Decision header values may
// alias r.Origin (the reflected origin) and Decision.Detail may alias a
// substring of r's fields: the caller keeps those strings alive for as
// long as it keeps the Decision.
type Request struct {
	Method string // :method, case-sensitive (Fetch uppercases only six names)
	Origin string // the Origin header
	// MultipleOrigins is true when the request carried more than one Origin
	// header line. Such a request is never allowed.
	MultipleOrigins bool

	AccessControlRequestMethod         string
	AccessControlRequestHeaders        string
	AccessControlRequestPrivateNetwork string
	SecFetchSite                       string

	Authority string // :authority (or Host), port included if sent
	Path      string // :path, query included
	RouteName string // Envoy's route_name property; "" when unknown
}

// Kind classifies a request per the Fetch standard.
type Kind uint8

const (
	// NotCORS: no Origin header.
	NotCORS Kind = iota
	// Preflight: OPTIONS with Origin and Access-Control-Request-Method.
	Preflight
	// Actual: any other request with an Origin header.
	Actual
)

// Action tells the filter what to do with the stream.
type Action uint8

const (
	// Continue forwards the request. In the response phase the filter applies
	// Decision.Headers (replacing upstream values), merges Decision.Vary into
	// Vary, and strips upstream Access-Control-* headers when
	// Decision.StripUpstream is set. With no headers, no Vary and no
	// stripping, the response is untouched.
	Continue Action = iota
	// Respond sends a local reply with Decision.Status and Decision.Headers
	// (and Vary: Decision.Vary when non-empty), and stops the stream. Used
	// for answered preflights (allowed or refused) and for
	// cross-origin-protection rejections.
	Respond
)

// Reason says why a decision came out as it did. Reason.String gives a
// stable lowercase identifier suitable for logs and metrics labels.
type Reason uint8

const (
	ReasonNone                     Reason = iota // not CORS, or no policy applies
	ReasonAllowed                                // allowed
	ReasonOriginNotAllowed                       // origin not in the allowlist
	ReasonOriginMalformed                        // Origin unparsable, too long, or repeated
	ReasonMethodNotAllowed                       // preflight ACRM not allowed (Detail = method)
	ReasonHeaderNotAllowed                       // preflight ACRH name not allowed (Detail = name)
	ReasonHeadersMalformed                       // ACRH unparsable or over the bound
	ReasonPrivateNetworkNotAllowed               // ACRPN: true without allowPrivateNetwork
	ReasonCrossOriginProtection                  // state-changing cross-site request rejected
)

// Header is one response header the filter sets, replacing any value the
// upstream sent, so there is always exactly one.
type Header struct {
	Name  string // lowercase
	Value string // never contains CR, LF or NUL
}

// MaxHeaders bounds Decision.Headers: allow-origin, allow-credentials,
// allow-methods, allow-headers, max-age, allow-private-network.
const MaxHeaders = 6

// Decision is the whole outcome of Evaluate. It is a plain value: no
// pointers into the Policy that could change, no allocation to build it.
type Decision struct {
	Kind    Kind
	Action  Action
	Allowed bool   // the CORS request was allowed (false for NotCORS)
	Reason  Reason // why
	// Detail names the offending input for a denial (the method, the header
	// name) as a substring of the request; "" otherwise.
	Detail string

	// Route is the name of the policy that applied: the route's "name", or
	// "routes[i]" when it has none, or "default". "" when no policy applied.
	Route string
	// RoutePath is the JSON path of the policy in the config: "" for the
	// top-level default policy, "routes[i]" for a route. Meaningless when
	// Route is "".
	RoutePath string

	// Shadow is set when the applied policy is in shadow mode: the filter
	// must log and count this decision but change nothing on the wire.
	Shadow bool

	Status     int // for Respond: preflightStatus, or 403
	Headers    [MaxHeaders]Header
	NumHeaders int
	// Vary lists request headers the response depends on, to merge into
	// the response's Vary (never duplicating, leaving "Vary: *" alone), e.g.
	// "Origin" or "Origin, Access-Control-Request-Method,
	// Access-Control-Request-Headers". "" means none.
	Vary string
	// StripUpstream: remove every Access-Control-* header the upstream
	// set before applying Headers (upstreamCors "override"). False with
	// upstreamCors "preserve".
	StripUpstream bool
	// PreserveUpstream: upstreamCors "preserve": if the upstream response
	// already carries Access-Control-Allow-Origin, leave the response
	// completely untouched.
	PreserveUpstream bool
}

// HeaderList returns the headers to set.
func (d *Decision) HeaderList() []Header { return d.Headers[:d.NumHeaders] }
