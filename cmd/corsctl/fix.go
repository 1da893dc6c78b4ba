package main

import (
	"slices"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// maxFixSteps bounds the fix search: origin, method, header(s), private
// network, one round each is plenty.
const maxFixSteps = 8

// suggestion is the outcome of looking for the config change that would
// allow a denied request.
type suggestion struct {
	Fixes []string // config changes, in the order they are needed
	Notes []string // facts the operator should know (case of methods, ...)
	// Verified: applying Fixes to the config and evaluating the request
	// again allows it (the fixed config also passes validation).
	Verified bool
	// Blocker explains why no config change can allow the request.
	Blocker string
}

// suggest finds the config changes that would allow r. It edits a copy of
// cfg one problem at a time, re-validating and re-evaluating with the real
// engine after each step, so a suggestion is only made when it works.
//
// browserOK reports whether the browser accepts what the filter sends
// (see checkBrowser); with credentials it can refuse an allowed request.
func suggest(cfg policy.Config, r policy.Request, credentials bool, browserOK func(*policy.Request, *policy.Decision) bool) suggestion {
	var s suggestion
	var last policy.Decision
	for step := range maxFixSteps {
		p, err := policy.New(cfg)
		if err != nil {
			// The last change is refused by validation: say why instead.
			last := s.Fixes[len(s.Fixes)-1]
			s.Fixes = s.Fixes[:len(s.Fixes)-1]
			s.Blocker = "the change (" + last + ") is refused by validation: " + firstLine(err.Error())
			return s
		}
		d := p.Evaluate(&r)
		if step > 0 && d == last {
			// The change did not move the decision: stop rather than
			// suggest something that does not work.
			s.Blocker = "the change (" + s.Fixes[len(s.Fixes)-1] + ") would not allow the request (still " + d.Reason.String() + ")"
			s.Fixes = s.Fixes[:len(s.Fixes)-1]
			return s
		}
		last = d
		if d.Allowed && !browserOK(&r, &d) && credentials {
			rules, path := rulesAt(&cfg, d.RoutePath)
			at := fieldAt(path)
			if i := slices.Index(rules.AllowOrigins, "*"); i >= 0 {
				s.Fixes = append(s.Fixes, "replace \"*\" in "+at("allowOrigins")+" with the origins that call it, including "+strconv.Quote(r.Origin)+
					", and set "+at("allowCredentials")+" to true (\"*\" never works for requests with credentials)")
				rules.AllowOrigins = slices.Delete(rules.AllowOrigins, i, i+1)
				rules.AllowOrigins = append(rules.AllowOrigins, r.Origin)
			} else {
				s.Fixes = append(s.Fixes, "set "+at("allowCredentials")+" to true (the page sends credentials)")
			}
			rules.AllowCredentials = true
			continue
		}
		if d.Allowed || d.Kind == policy.NotCORS && d.Reason != policy.ReasonCrossOriginProtection {
			s.Verified = len(s.Fixes) > 0
			return s
		}
		rules, path := rulesAt(&cfg, d.RoutePath)
		if d.Route == "" {
			// No route matches and there is no default policy.
			rules, path = &cfg.Rules, ""
		}
		at := fieldAt(path)
		reason := d.Reason
		if d.Route == "" {
			reason = policy.ReasonOriginNotAllowed
		}
		switch reason {
		case policy.ReasonOriginNotAllowed:
			if r.Origin == "null" {
				s.Blocker = `the origin "null" (sandboxed iframes, file: and data: documents) can never be allowed: any site can produce it; serve the page from a real origin`
				return s
			}
			if low := strings.ToLower(r.Origin); low != r.Origin {
				s.Blocker = "browsers send origins in lowercase and the filter compares the Origin byte-exactly, so " + strconv.Quote(r.Origin) +
					" does not come from a browser: check the client (a browser would send " + strconv.Quote(low) + ")"
				return s
			}
			fix := "add " + strconv.Quote(r.Origin) + " to " + at("allowOrigins")
			if d.Route == "" {
				fix += " (a top-level default policy: no route matches this request)"
			}
			s.Fixes = append(s.Fixes, fix)
			if n := portNote(rules.AllowOrigins, r.Origin); n != "" {
				s.Notes = append(s.Notes, n)
			}
			rules.AllowOrigins = append(rules.AllowOrigins, r.Origin)
		case policy.ReasonOriginMalformed:
			s.Blocker = "the Origin header is not a serialized origin (scheme://host[:port], at most 326 bytes, no path or userinfo) or was sent twice; browsers never send that, so look at the client or a proxy rewriting it"
			return s
		case policy.ReasonMethodNotAllowed:
			m := r.AccessControlRequestMethod
			up := strings.ToUpper(m)
			if up != m && !contains(fetchNormalizes, up) {
				// fetch sent it verbatim: the page asked for "patch".
				why := " — note methods are case-sensitive: the browser sent " + strconv.Quote(m) +
					" because fetch only uppercases DELETE, GET, HEAD, OPTIONS, POST, PUT"
				if contains(rules.AllowMethods, up) {
					s.Fixes = append(s.Fixes, "call fetch with method: "+strconv.Quote(up)+" ("+at("allowMethods")+" already lists it)"+why)
				} else {
					s.Fixes = append(s.Fixes, "add "+strconv.Quote(up)+" to "+at("allowMethods")+" and call fetch with method: "+strconv.Quote(up)+why)
					rules.AllowMethods = append(rules.AllowMethods, up)
				}
				r.AccessControlRequestMethod = up
				continue
			}
			s.Fixes = append(s.Fixes, "add "+strconv.Quote(m)+" to "+at("allowMethods"))
			rules.AllowMethods = append(rules.AllowMethods, m)
		case policy.ReasonHeaderNotAllowed:
			h := strings.ToLower(d.Detail)
			fix := "add " + strconv.Quote(h) + " to " + at("allowHeaders")
			if h == "authorization" && contains(rules.AllowHeaders, "*") {
				fix += ` ("*" does not cover authorization: list it)`
			}
			s.Fixes = append(s.Fixes, fix)
			rules.AllowHeaders = append(rules.AllowHeaders, h)
		case policy.ReasonHeadersMalformed:
			s.Blocker = "the Access-Control-Request-Headers value is malformed or over the filter's bound on names and length; browsers send a short comma-separated list of lowercase names, so look at what adds headers to the request"
			return s
		case policy.ReasonPrivateNetworkNotAllowed:
			s.Fixes = append(s.Fixes, "set "+at("allowPrivateNetwork")+" to true (only if public pages must reach this private-network service; current chromium asks the user through the local network access prompt instead)")
			rules.AllowPrivateNetwork = true
		case policy.ReasonCrossOriginProtection:
			if r.Origin == "" {
				s.Blocker = "a state-changing request with Sec-Fetch-Site " + strconv.Quote(r.SecFetchSite) +
					" and no Origin is a cross-site write; only turning off " + at("crossOriginProtection") + " would let it through"
				return s
			}
			s.Fixes = append(s.Fixes, "add "+strconv.Quote(r.Origin)+" to "+at("allowOrigins")+" (origins allowed for CORS are trusted by cross-origin protection)")
			rules.AllowOrigins = append(rules.AllowOrigins, r.Origin)
		default:
			s.Blocker = "no config change found (reason " + d.Reason.String() + ")"
			return s
		}
	}
	s.Blocker = "no config change found within " + strconv.Itoa(maxFixSteps) + " steps"
	return s
}

// fieldAt makes JSON paths of fields of the policy at path.
func fieldAt(path string) func(string) string {
	return func(field string) string {
		if path == "" {
			return field
		}
		return path + "." + field
	}
}

// rulesAt returns the policy at a Decision.RoutePath ("" or "routes[i]").
func rulesAt(cfg *policy.Config, path string) (*policy.Rules, string) {
	if i, ok := routeIndex(path); ok && i < len(cfg.Routes) {
		return &cfg.Routes[i].Rules, path
	}
	return &cfg.Rules, ""
}

func routeIndex(path string) (int, bool) {
	s, ok := strings.CutPrefix(path, "routes[")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, "]"))
	return n, err == nil
}

// portNote explains a near miss on the port: origins include it.
func portNote(configured []string, origin string) string {
	i := strings.LastIndexByte(origin, ':')
	if i <= strings.Index(origin, "://") {
		return ""
	}
	bare := origin[:i]
	for _, c := range configured {
		if strings.EqualFold(c, bare) {
			return "an origin includes its port: " + strconv.Quote(origin) + " is not " + strconv.Quote(c) +
				"; list it, or use " + strconv.Quote(bare+":*") + " for any port"
		}
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
