// Package corshttp applies a corswasm CORS policy (package policy) to
// net/http servers, so Go services can reuse the exact policy the Envoy
// filter enforces, and so the engine can be benchmarked fairly against
// net/http CORS middlewares such as github.com/rs/cors.
//
// It must never be imported by the wasm build (the root package and
// internal/abi): net/http roughly doubles the module's size.
//
// The adapter makes no CORS decision of its own. It maps the request to a
// policy.Request, calls Evaluate once, and carries out the Decision:
//
//   - Respond (answered or refused preflights, cross-origin-protection
//     rejections): write Decision.Status and Decision.Headers, merge
//     Decision.Vary, and stop; next is not called.
//   - Continue: call next. When the decision has headers, a Vary or
//     stripping to do, the ResponseWriter is wrapped so that, the moment
//     the response header is committed (first WriteHeader >= 200, Write or
//     Flush, or when next returns without writing), upstream
//     Access-Control-* headers are stripped (upstreamCors "override"), the
//     decision's headers replace any upstream value, and Decision.Vary is
//     merged into Vary with policy.MergeVary. With upstreamCors "preserve",
//     a response that already carries Access-Control-Allow-Origin is left
//     untouched.
//   - Shadow: the decision is reported to OnDecision and nothing changes.
package corshttp

import (
	"net/http"
	"strings"
	"sync"

	"github.com/corswasm/corswasm/policy"
)

// Middleware holds a compiled policy and the optional hooks.
type Middleware struct {
	// Policy is the compiled, immutable policy. Required.
	Policy *policy.Policy
	// RouteName, when set, supplies the route name that routes' routeNames
	// select on (Envoy's route_name property has no net/http equivalent).
	RouteName func(r *http.Request) string
	// OnDecision, when set, is called with every decision before it is
	// carried out (for logging and metrics; shadow-mode decisions are only
	// observable here). d is valid only during the call.
	OnDecision func(r *http.Request, d *policy.Decision)
}

// Handler wraps next with the policy p, with no hooks.
func Handler(p *policy.Policy, next http.Handler) http.Handler {
	return (&Middleware{Policy: p}).Handler(next)
}

// Handler wraps next with the middleware's policy.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	if m.Policy == nil {
		panic("corshttp: Middleware.Policy is nil")
	}
	if next == nil {
		panic("corshttp: next handler is nil")
	}
	h := &handler{m: m, next: next,
		details:   m.Policy.NeedsRequestDetails(),
		routeName: m.RouteName != nil && m.Policy.NeedsRouteName(),
	}
	if !h.details {
		// Without routes or crossOriginProtection, a request without
		// Origin is decided by nothing it carries (NeedsRequestDetails):
		// decide it once here.
		h.m.Policy.EvaluateTo(&policy.Request{Method: http.MethodGet}, &h.noOrigin)
	}
	return h
}

type handler struct {
	m    *Middleware
	next http.Handler
	// details: the policy has routes or crossOriginProtection, so
	// Authority and Path take part in decisions; otherwise they are not
	// read at all. routeName: some route selects on routeNames.
	details, routeName bool
	// noOrigin is the decision for every request without Origin when
	// !details; read-only.
	noOrigin policy.Decision
}

// ServeHTTP keeps the request and the decision on its stack: nothing
// escapes unless OnDecision is set (the hook receives a pointer). Only a
// forwarded request whose response must be decorated takes a pooled
// writer (see apply.go), and a local reply takes one for its header slices.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.m.OnDecision != nil {
		h.serveObserved(w, r)
		return
	}
	origin := r.Header["Origin"]
	if !h.details && len(origin) == 0 {
		h.carryOut(w, r, &h.noOrigin)
		return
	}
	var req policy.Request
	var d policy.Decision
	h.request(r, origin, &req)
	h.m.Policy.EvaluateTo(&req, &d)
	h.carryOut(w, r, &d)
}

// decisionPool recycles the decisions handed to OnDecision, which must
// live on the heap once a pointer to them leaves this package.
var decisionPool = sync.Pool{New: func() any { return new(policy.Decision) }}

func (h *handler) serveObserved(w http.ResponseWriter, r *http.Request) {
	var req policy.Request
	h.request(r, r.Header["Origin"], &req)
	d := decisionPool.Get().(*policy.Decision)
	h.m.Policy.EvaluateTo(&req, d)
	h.m.OnDecision(r, d)
	h.carryOut(w, r, d)
	*d = policy.Decision{}
	decisionPool.Put(d)
}

func (h *handler) carryOut(w http.ResponseWriter, r *http.Request, d *policy.Decision) {
	switch {
	case d.Shadow:
		// shadow: evaluate, log and count, change nothing.
		h.next.ServeHTTP(w, r)
	case d.Action == policy.Respond:
		respond(w, d)
	case d.NumHeaders == 0 && d.Vary == "" && !d.StripUpstream:
		// Nothing to do to the response: skip the wrapper entirely.
		h.next.ServeHTTP(w, r)
	default:
		cw := getWriter(w, d)
		h.next.ServeHTTP(cw, r)
		// A handler that writes nothing lets the server send the header
		// map as it stands when it returns: decorate it now.
		cw.commit()
		cw.release()
	}
}

// request fills req, a zero Request, from r, whose Origin lines the
// caller has looked up already. Which line of a repeated header counts,
// and how split lines are joined, is policy.RequestLines's to decide: the
// Envoy filter builds its Request the same way. When no header the engine
// reads has more than one line (every browser request), there is nothing
// to decide: each field is its one line, as RequestLines would make it,
// and building it directly saves a third of the adapter's own time
// (TestRequestFastPath checks the two agree).
func (h *handler) request(r *http.Request, origin []string, req *policy.Request) {
	hd := r.Header
	var acrm, acrh, acrpn, sfs []string
	// The Access-Control-Request-* headers only mean something on a
	// preflight, which is an OPTIONS request (Fetch uppercases it; methods
	// are case-sensitive), so other requests skip the lookups.
	options := r.Method == http.MethodOptions
	if options {
		acrm = hd["Access-Control-Request-Method"]
		acrh = hd["Access-Control-Request-Headers"]
		acrpn = hd["Access-Control-Request-Private-Network"]
	}
	// Sec-Fetch-Site, Authority and Path only select routes and feed
	// crossOriginProtection.
	if h.details {
		sfs = hd["Sec-Fetch-Site"]
	}
	if len(origin) > 1 || len(acrm) > 1 || len(acrh) > 1 || len(acrpn) > 1 || len(sfs) > 1 {
		h.requestLines(r, req)
		return
	}
	// Field by field into the caller's zero Request: assigning a whole
	// composite literal through the pointer clears and copies all of it.
	req.Method = r.Method
	if len(origin) == 1 {
		req.Origin = origin[0]
	}
	if options {
		req.AccessControlRequestMethod = first(acrm)
		req.AccessControlRequestHeaders = first(acrh)
		req.AccessControlRequestPrivateNetwork = first(acrpn)
	}
	if h.details {
		req.SecFetchSite = first(sfs)
		req.Authority, req.Path = r.Host, requestPath(r)
	}
	if h.routeName {
		req.RouteName = h.m.RouteName(r)
	}
}

func first(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// requestLines is request through policy.RequestLines, for any request.
func (h *handler) requestLines(r *http.Request, req *policy.Request) {
	hd := r.Header
	var l policy.RequestLines
	l.Add(":method", r.Method)
	addLines(&l, "origin", hd["Origin"])
	if r.Method == http.MethodOptions {
		addLines(&l, "access-control-request-method", hd["Access-Control-Request-Method"])
		addLines(&l, "access-control-request-headers", hd["Access-Control-Request-Headers"])
		addLines(&l, "access-control-request-private-network", hd["Access-Control-Request-Private-Network"])
	}
	if h.details {
		addLines(&l, "sec-fetch-site", hd["Sec-Fetch-Site"])
		l.Add(":authority", r.Host)
		l.Add(":path", requestPath(r))
	}
	*req = l.Request()
	if h.routeName {
		req.RouteName = h.m.RouteName(r)
	}
}

func addLines(l *policy.RequestLines, name string, lines []string) {
	for _, v := range lines {
		l.Add(name, v)
	}
}

// requestPath is the :path equivalent: the origin-form request target,
// query included.
func requestPath(r *http.Request) string {
	u := r.RequestURI
	if u != "" && u[0] == '/' {
		return u
	}
	// absolute-form target (RFC 9112 §3.2.2, sent to proxies): the path
	// starts at the first '/' after the authority.
	if _, rest, ok := strings.Cut(u, "://"); ok {
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			if rest[i] == '/' {
				return rest[i:]
			}
			return "/" + rest[i:] // "http://h?q": an empty path is "/"
		}
		return "/"
	}
	if r.URL == nil {
		return ""
	}
	// requests built by hand without RequestURI.
	return r.URL.RequestURI()
}
