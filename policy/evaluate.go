package policy

// Header names, lowercase as Header.Name requires.
const (
	hAllowOrigin         = "access-control-allow-origin"
	hAllowCredentials    = "access-control-allow-credentials"
	hAllowMethods        = "access-control-allow-methods"
	hAllowHeaders        = "access-control-allow-headers"
	hMaxAge              = "access-control-max-age"
	hAllowPrivateNetwork = "access-control-allow-private-network"
	hExposeHeaders       = "access-control-expose-headers"
)

// Evaluate decides what to do with one request. It is pure and does not
// allocate: every header value is either precomputed by New or the
// request's own Origin, which has been strictly parsed (so it carries no
// CR, LF or NUL).
func (p *Policy) Evaluate(r *Request) Decision {
	var d Decision
	p.EvaluateTo(r, &d)
	return d
}

// EvaluateTo is Evaluate writing into *d, which it overwrites entirely:
// a caller that keeps the Decision in place (the net/http adapter, on its
// stack) saves copying the ~300-byte value.
func (p *Policy) EvaluateTo(r *Request, d *Decision) {
	*d = Decision{}
	switch {
	case r.Origin == "" && !r.MultipleOrigins:
		d.Kind = NotCORS
	case r.Method == "OPTIONS" && r.AccessControlRequestMethod != "":
		// Fetch "CORS-preflight request": OPTIONS with Origin and
		// Access-Control-Request-Method. An OPTIONS without ACRM is an
		// ordinary request and is forwarded (apache/apisix#4717).
		d.Kind = Preflight
	default:
		d.Kind = Actual
	}
	ru := p.pick(r)
	if ru == nil {
		return
	}
	d.Route, d.RoutePath, d.Shadow = ru.name, ru.path, ru.shadow
	switch d.Kind {
	case NotCORS:
		ru.notCORS(r, d)
	case Preflight:
		ru.preflight(r, d)
	default:
		ru.actual(r, d)
	}
}

func (d *Decision) add(name, value string) {
	d.Headers[d.NumHeaders] = Header{Name: name, Value: value}
	d.NumHeaders++
}

// upstream sets how the filter treats the upstream's own CORS headers on
// a forwarded request.
func (ru *rules) upstream(d *Decision) {
	if ru.preserve {
		d.PreserveUpstream = true
	} else {
		// The gateway is authoritative: a backend echoing "*" must not
		// undo the policy (istio#23757).
		d.StripUpstream = true
	}
}

// rejectCOP turns d into crossOriginProtection's local 403.
func rejectCOP(d *Decision) {
	d.Action, d.Status, d.Reason, d.Allowed = Respond, 403, ReasonCrossOriginProtection, false
}

func (ru *rules) notCORS(r *Request, d *Decision) {
	if ru.cop && crossOriginBlocked(r, false) {
		rejectCOP(d)
		return
	}
	// The response would differ had the request carried an Origin, so
	// caches must key on it (Fetch §3.2.5 "CORS protocol and HTTP caches").
	d.Vary = ru.varyActual
	ru.upstream(d)
	ru.publicHeaders(d)
}

// publicHeaders: with "*" (never combined with credentials) every
// response carries the same CORS headers, whatever the request's Origin
// (absent, malformed, repeated). Fetch §3.2.5: a response cached from a
// non-CORS request (an <img>, a navigation) is later served to fetch();
// with "*" and no Vary it must already carry the headers.
func (ru *rules) publicHeaders(d *Decision) {
	if !ru.allowAll {
		return
	}
	d.add(hAllowOrigin, "*")
	if ru.expose != "" {
		d.add(hExposeHeaders, ru.expose)
	}
}

func (ru *rules) actual(r *Request, d *Decision) {
	allowed, reason := ru.matchOrigin(r)
	if ru.cop && crossOriginBlocked(r, allowed) {
		rejectCOP(d)
		return
	}
	d.Allowed, d.Reason = allowed, reason
	d.Vary = ru.varyActual
	ru.upstream(d)
	if !allowed {
		// Never 403 an actual request for CORS reasons: same-origin
		// requests carry Origin too. Without our headers the browser
		// withholds the response from the script. Under "*" the public
		// headers still go out, even for a repeated or malformed Origin:
		// nothing is reflected, and a shared cache keyed without Origin
		// (no Vary under "*") would otherwise serve a header-less copy to
		// the next browser, whose CORS check then fails (Fetch §3.2.5).
		ru.publicHeaders(d)
		return
	}
	ru.allowOriginHeaders(r, d)
	if ru.expose != "" {
		d.add(hExposeHeaders, ru.expose)
	}
}

func (ru *rules) allowOriginHeaders(r *Request, d *Decision) {
	if ru.allowAll && !ru.creds {
		d.add(hAllowOrigin, "*")
	} else {
		d.add(hAllowOrigin, r.Origin)
	}
	if ru.creds {
		d.add(hAllowCredentials, "true")
	}
}

func (ru *rules) preflight(r *Request, d *Decision) {
	allowed, reason := ru.matchOrigin(r)
	if allowed {
		reason, d.Detail = ru.checkMethod(r.AccessControlRequestMethod)
	}
	if reason == ReasonAllowed {
		reason, d.Detail = ru.checkHeaders(r.AccessControlRequestHeaders)
	}
	pna := r.AccessControlRequestPrivateNetwork == "true"
	if reason == ReasonAllowed && pna && !ru.pna {
		reason = ReasonPrivateNetworkNotAllowed
	}
	d.Reason = reason
	if reason != ReasonAllowed {
		if ru.forward {
			// unmatchedPreflights "forward": the upstream answers. Under
			// upstreamCors "override" the gateway stays authoritative: a
			// legacy backend that reflects any Origin with credentials
			// would otherwise turn this refusal into an acceptance, so
			// every upstream Access-Control-* header is stripped (and none
			// of ours is added: Fetch, a refused preflight carries none).
			// Under "preserve" the upstream's answer stands, as promised.
			d.Vary = ru.varyPreflight
			ru.upstream(d)
			return
		}
		// Fetch endorses a 403 without any CORS header for a refused
		// preflight; Vary still applies, the answer depends on them.
		d.Action, d.Status, d.Vary = Respond, 403, ru.varyPreflight
		return
	}
	d.Allowed = true
	d.Action, d.Status, d.Vary = Respond, ru.preflightStatus, ru.varyPreflight
	ru.allowOriginHeaders(r, d)
	if ru.allowMethods != "" {
		d.add(hAllowMethods, ru.allowMethods)
	}
	if ru.allowHeaders != "" {
		d.add(hAllowHeaders, ru.allowHeaders)
	}
	if ru.maxAge != "" {
		d.add(hMaxAge, ru.maxAge)
	}
	if pna {
		d.add(hAllowPrivateNetwork, "true")
	}
}

// checkMethod: the safelisted GET, HEAD and POST always pass; other
// methods must be listed, compared case-sensitively (fetch uppercases only
// DELETE, GET, HEAD, OPTIONS, POST and PUT, so "patch" is not "PATCH").
func (ru *rules) checkMethod(m string) (Reason, string) {
	if isSafelistedMethod(m) {
		return ReasonAllowed, ""
	}
	for _, c := range ru.methods {
		if c == m {
			return ReasonAllowed, ""
		}
	}
	if ru.anyMethod && isToken(m) && !forbiddenMethod(m) {
		return ReasonAllowed, ""
	}
	return ReasonMethodNotAllowed, m
}

// matchOrigin checks the request Origin against the policy: exact origins
// by one map lookup (cost independent of their number), then wildcard and
// any-port patterns, then regexes. The Origin is compared byte-exactly:
// browsers send the serialized (lowercase) form, and config origins were
// normalized to it.
func (ru *rules) matchOrigin(r *Request) (bool, Reason) {
	if r.MultipleOrigins {
		return false, ReasonOriginMalformed
	}
	// An exact hit needs no parsing: the keys are config origins that New
	// normalized to the serialized form, so an Origin byte-equal to one is
	// well-formed (no CR, LF or NUL) and safe to reflect. The length bound
	// still applies first, as it would in parseRequestOrigin.
	if len(r.Origin) <= maxOriginLen {
		if _, hit := ru.exact[r.Origin]; hit {
			return true, ReasonAllowed
		}
	}
	o, ok := parseRequestOrigin(r.Origin)
	if !ok {
		if r.Origin == "null" {
			// The opaque origin of sandboxed iframes, file: and data:
			// documents: attacker-producible, so it can never be listed.
			// Under "*" (never combined with credentials) the browser would
			// accept the literal "*" for it anyway (Fetch "CORS check"), and
			// nothing is reflected, so a public API stays readable there.
			return ru.allowAll, reasonFor(ru.allowAll)
		}
		return false, ReasonOriginMalformed
	}
	if ru.allowAll {
		return true, ReasonAllowed
	}
	for i := range ru.patterns {
		if ru.patterns[i].scheme == o.scheme {
			if ru.patterns[i].match(&o) {
				return true, ReasonAllowed
			}
			break
		}
	}
	for _, re := range ru.regexes {
		if re.MatchString(r.Origin) {
			return true, ReasonAllowed
		}
	}
	return false, ReasonOriginNotAllowed
}

func reasonFor(allowed bool) Reason {
	if allowed {
		return ReasonAllowed
	}
	return ReasonOriginNotAllowed
}

// match checks o (whose scheme is sp's) against the any-port hosts, then
// against the wildcards: for each suffix of the host made of 1 to
// maxBaseLabels whole labels, one map lookup (the suffix is a substring
// of the header, so the lookup does not allocate).
func (sp *schemePatterns) match(o *reqOrigin) bool {
	if len(sp.anyPortHosts) > 0 {
		if _, ok := sp.anyPortHosts[o.host]; ok {
			return true
		}
	}
	h := o.host
	labels := 0
	for i := len(h) - 1; i > 0 && labels < sp.maxBaseLabels; i-- {
		if h[i] != '.' {
			continue
		}
		labels++
		ports, ok := sp.wildcards[h[i+1:]]
		if !ok {
			continue
		}
		for _, port := range ports {
			if portMatches(port, o.port) && wildcardLabels(h, h[i+1:]) {
				return true
			}
		}
	}
	return false
}

// portMatches applies an entry's port rule: "" = no port, "*" = any port
// or none, else exactly that port.
func portMatches(rule, port string) bool {
	return rule == "*" || rule == port
}

// wildcardLabels reports whether host is one or more whole, non-empty,
// lowercase labels of at most 63 bytes (RFC 1035) followed by "." and base: never base itself (the apex),
// never "xbase" (suffix confusion, GHSA-vhxv-fg4m-p2w8), never
// "base.evil.com" (the suffix is at the end, byte-exact).
func wildcardLabels(host, base string) bool {
	n := len(host) - len(base) - 1
	if n < 1 || host[n] != '.' || host[n+1:] != base {
		return false
	}
	label := 0 // length of the current label
	for i := 0; i < n; i++ {
		c := host[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case !hostByte(c):
			return false // uppercase included: byte-exact semantics
		default:
			label++
			if label > 63 {
				return false
			}
		}
	}
	return label > 0
}
