package policy

import (
	"regexp"
	"slices"
)

// Policy is a compiled, immutable config. It is safe for concurrent use.
type Policy struct {
	def            *rules // top-level policy; nil when the top level sets none
	routes         []route
	warnings       []Warning
	needsRouteName bool
	needsDetails   bool
}

// route is a compiled routes[i]: its selectors and its policy.
type route struct {
	hosts      []hostSelector
	prefixes   []string
	routeNames []string
	rules      *rules
}

type hostSelector struct {
	host     string // lowercase; for a wildcard the part after "*."
	wildcard bool
}

// rules is one compiled policy. Every header value it can emit is built
// here, at New time; Evaluate only picks among them (and reflects the
// request's own, strictly parsed, Origin).
type rules struct {
	name, path string // Decision.Route and Decision.RoutePath

	hasOrigins bool // allowOrigins or allowOriginRegexes is set
	allowAll   bool // "*" in allowOrigins
	exact      map[string]struct{}
	patterns   []schemePatterns // wildcard and any-port entries, by scheme
	regexes    []*regexp.Regexp

	creds     bool
	methods   []string // configured methods, compared case-sensitively
	anyMethod bool     // "*" without credentials
	headers   map[string]struct{}
	anyHeader bool // "*" without credentials (never covers authorization)

	allowMethods string // Access-Control-Allow-Methods, "" = not sent
	allowHeaders string // Access-Control-Allow-Headers, "" = not sent
	expose       string // Access-Control-Expose-Headers, "" = not sent
	maxAge       string // Access-Control-Max-Age, "" = not sent
	pna          bool

	preflightStatus int
	forward         bool // unmatchedPreflights "forward"
	cop             bool // crossOriginProtection
	preserve        bool // upstreamCors "preserve"
	shadow          bool

	varyActual    string // Vary for actual and non-CORS requests
	varyPreflight string
}

// schemePatterns indexes the wildcard and any-port entries of one scheme
// by host, so that matching costs a few map lookups (one per trailing
// label count that some wildcard has) however many entries there are.
type schemePatterns struct {
	scheme string
	// anyPortHosts holds "scheme://host:*" entries: host with any port.
	anyPortHosts map[string]struct{}
	// wildcards maps the base of "scheme://*.base[:port]" to its port
	// rules ("" = no port, "*" = any port or none, else that port).
	wildcards map[string][]string
	// maxBaseLabels is the most labels any wildcard base has; a request
	// host's suffixes with more labels need not be looked up.
	maxBaseLabels int
}

// Warnings returns the legal but risky settings found by New.
func (p *Policy) Warnings() []Warning { return slices.Clone(p.warnings) }

// NeedsRouteName reports whether some route selects on routeNames, so the
// caller must fetch Envoy's route_name property for every request.
func (p *Policy) NeedsRouteName() bool { return p.needsRouteName }

// NeedsRequestDetails reports whether a request without Origin still
// needs Method, SecFetchSite, Authority and Path to be decided (routes
// select on them, or crossOriginProtection inspects them). When false, a
// caller may skip reading them for requests without Origin.
func (p *Policy) NeedsRequestDetails() bool { return p.needsDetails }
