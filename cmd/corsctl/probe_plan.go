package main

import (
	"cmp"
	"net"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corswasm/corswasm/policy"
)

// This file derives probe's requests from the policy. Every request is
// fit for a live deployment: actual requests are GETs, a safe method
// (RFC 9110 §9.2.1) that CORS never restricts anyway; the rest are
// preflights (OPTIONS), which a correct deployment answers without
// reaching the backend. No request body is ever sent.

// probeRequest is one planned request and the engine's prediction for it.
type probeRequest struct {
	ID        int    `json:"id"`
	Route     string `json:"route"`     // the policy that applies ("default", a route's name)
	RoutePath string `json:"routePath"` // "" for the top-level policy, "routes[i]"
	Kind      string `json:"kind"`      // "preflight", "actual", "not_cors"
	// Label says why the request is in the plan, e.g. "allowed origin
	// (allowOrigins[2])" or "suffix lookalike of https://app.example.com".
	Label       string      `json:"label"`
	Method      string      `json:"method"`
	Path        string      `json:"path"`
	Origin      string      `json:"origin,omitempty"`
	ACRM        string      `json:"accessControlRequestMethod,omitempty"`
	ACRH        string      `json:"accessControlRequestHeaders,omitempty"`
	Credentials bool        `json:"credentials"` // sends the credential header (an actual request with fetch credentials: "include")
	Predicted   expectation `json:"predicted"`
}

// routeTarget is one policy the probe can reach at the target host: the
// path that selects it.
type routeTarget struct {
	name, path string // Decision.Route, Decision.RoutePath
	urlPath    string // the request path that selects it
	rules      *policy.Rules
}

// planOptions are what the plan depends on besides the config.
type planOptions struct {
	authority string // the target's host[:port], sent as Host
	path      string // the target URL's path (and query)
	routeName string // the route_name Envoy sets, as far as the operator knows
	max       int    // at most this many requests
}

// plan is the whole probe plan.
type plan struct {
	Requests []probeRequest `json:"requests"`
	Dropped  int            `json:"dropped"` // requests left out to stay within --max-requests
	Notes    []string       `json:"notes,omitempty"`
}

// buildPlan derives the requests for every policy the target host
// reaches, interleaved across policies so that --max-requests cuts each
// policy's least important requests first.
func buildPlan(cfg *policy.Config, p *policy.Policy, o planOptions) plan {
	var pl plan
	targets, notes := reachableRoutes(cfg, p, o)
	pl.Notes = notes
	lists := make([][]probeRequest, len(targets))
	for i, t := range targets {
		lists[i] = routeRequests(p, t, o)
	}
	seen := map[string]bool{}
	for round := 0; ; round++ {
		more := false
		for _, l := range lists {
			if round >= len(l) {
				continue
			}
			more = true
			r := l[round]
			k := r.key()
			if seen[k] {
				continue
			}
			seen[k] = true
			if len(pl.Requests) >= o.max {
				pl.Dropped++
				continue
			}
			r.ID = len(pl.Requests) + 1
			pl.Requests = append(pl.Requests, r)
		}
		if !more {
			break
		}
	}
	return pl
}

func (r *probeRequest) key() string {
	return strings.Join([]string{r.Method, r.Path, r.Origin, r.ACRM, r.ACRH, strconv.FormatBool(r.Credentials)}, "\x00")
}

// reachableRoutes finds, for the top-level policy and each route, a path
// on the target host that the engine routes to it. Routes for other hosts
// are skipped: the probe contacts only the host it was given.
func reachableRoutes(cfg *policy.Config, p *policy.Policy, o planOptions) ([]routeTarget, []string) {
	var out []routeTarget
	var notes []string
	selects := func(path string) policy.Decision {
		return p.Evaluate(&policy.Request{Method: "GET", Authority: o.authority, Path: path, RouteName: o.routeName})
	}
	for i := range cfg.Routes {
		r := &cfg.Routes[i]
		want := "routes[" + strconv.Itoa(i) + "]"
		candidates := append([]string{o.path}, r.PathPrefixes...)
		found := false
		for _, path := range candidates {
			if d := selects(path); d.RoutePath == want {
				out = append(out, routeTarget{d.Route, want, path, &r.Rules})
				found = true
				break
			}
		}
		if !found {
			notes = append(notes, want+routeLabel(r)+": not probed: no request to "+o.authority+" reaches it"+whyUnreached(r, o))
		}
	}
	// The top-level policy applies where no route does: at URL's path, or
	// else at the root or a path no route is likely to claim.
	for _, path := range []string{o.path, "/", "/corsctl-probe"} {
		if d := selects(path); d.Route != "" && d.RoutePath == "" {
			return append(out, routeTarget{d.Route, "", path, &cfg.Rules}), notes
		}
	}
	if hasRules(&cfg.Rules) {
		notes = append(notes, "the top-level policy: not probed: every path tried on "+o.authority+" selects a route")
	}
	return out, notes
}

func routeLabel(r *policy.Route) string {
	if r.Name == "" {
		return ""
	}
	return " (" + strconv.Quote(r.Name) + ")"
}

func whyUnreached(r *policy.Route, o planOptions) string {
	switch {
	case len(r.RouteNames) > 0 && o.routeName == "":
		return " (it selects on routeNames, which only Envoy knows: pass --route-name)"
	case len(r.Hosts) > 0:
		return " (its hosts are " + strings.Join(r.Hosts, ", ") + "; probe each host separately)"
	}
	return " (an earlier route takes its paths)"
}

func hasRules(r *policy.Rules) bool {
	return len(r.AllowOrigins) > 0 || len(r.AllowOriginRegexes) > 0
}

// routeRequests lists one policy's requests, most telling first: the
// no-Origin request, every allowed origin, the preflights, then the
// refused neighbours of each allowed origin and the credentialed
// variants.
func routeRequests(p *policy.Policy, t routeTarget, o planOptions) []probeRequest {
	var out []probeRequest
	add := func(label, method, origin, acrm, acrh string, creds bool) {
		r := probeRequest{
			Route: t.name, RoutePath: t.path, Label: label, Method: method, Path: t.urlPath,
			Origin: origin, ACRM: acrm, ACRH: acrh, Credentials: creds,
		}
		// No Sec-Fetch-Site: the probe is not a browser and sends none.
		d := p.Evaluate(&policy.Request{
			Method: method, Origin: origin, AccessControlRequestMethod: acrm, AccessControlRequestHeaders: acrh,
			Authority: o.authority, Path: t.urlPath, RouteName: o.routeName,
		})
		r.Kind = d.Kind.String()
		r.Predicted = predict(&d)
		out = append(out, r)
	}
	add("no Origin header (not a CORS request)", "GET", "", "", "", false)

	allowed := allowedOrigins(p, t, o)
	for _, a := range allowed {
		add(a.label, "GET", a.origin, "", "", false)
	}
	if len(allowed) > 0 {
		first := allowed[0].origin
		for _, pf := range preflights(t.rules) {
			add(pf.label, "OPTIONS", first, pf.method, pf.headers, false)
		}
		add("allowed origin, with credentials", "GET", first, "", "", true)
	}
	// Refused neighbours, those of the first allowed origin first. A
	// neighbour the engine allows (attackerapp.example.com next to
	// app.example.com under *.example.com) tests nothing: left out.
	done := map[string]bool{}
	for i, a := range allowed {
		name := cmp.Or(a.of, a.origin)
		if done[name] {
			continue
		}
		done[name] = true
		ns := neighbours(a.origin, name)
		if a.around != "" {
			// A wildcard also must not match its apex, nor a host that
			// merely ends with the apex's name (GHSA-vhxv-fg4m-p2w8).
			scheme, hostport, _ := strings.Cut(a.around, "://")
			ns = append([]candidate{
				{origin: a.around, label: "apex of " + name},
				{origin: scheme + "://attacker" + hostport, label: "prefix lookalike of " + name},
			}, ns...)
		}
		first := true
		for _, n := range ns {
			if refused := !predictAllowed(p, t, o, n.origin); !refused {
				continue
			}
			add(n.label, "GET", n.origin, "", "", false)
			if i == 0 && first {
				first = false
				// A refused origin's preflight: answered 403 without any
				// CORS header (or forwarded with unmatchedPreflights).
				add("preflight from a "+n.label, "OPTIONS", n.origin, "PUT", "", false)
				add(n.label+", with credentials", "GET", n.origin, "", "", true)
			}
		}
	}
	return out
}

// candidate is an origin with the reason it is in the plan.
// around, for a wildcard's hosts, is the wildcard's apex.
// of names it in the neighbours' labels ("https://*.example.com").
type candidate struct{ origin, label, around, of string }

// predictAllowed: the engine allows origin on t's route.
func predictAllowed(p *policy.Policy, t routeTarget, o planOptions, origin string) bool {
	d := p.Evaluate(&policy.Request{Method: "GET", Origin: origin, Authority: o.authority, Path: t.urlPath, RouteName: o.routeName})
	return d.Allowed && d.RoutePath == t.path
}

// allowedOrigins: every exact origin, and a few hosts matching each
// wildcard and regex. Only those the engine allows on this route are
// kept: the others would be refused neighbours mislabeled.
func allowedOrigins(p *policy.Policy, t routeTarget, o planOptions) []candidate {
	var c []candidate
	field := t.path
	if field != "" {
		field += "."
	}
	for i, s := range t.rules.AllowOrigins {
		at := field + "allowOrigins[" + strconv.Itoa(i) + "]"
		switch {
		case s == "*":
			c = append(c, candidate{origin: "https://any-site.example", label: "any origin (" + at + " is \"*\")"})
		case strings.Contains(s, "://*."):
			scheme, rest, _ := strings.Cut(s, "://*.")
			base, port := splitPort(rest)
			port = concretePort(port)
			apex := scheme + "://" + strings.ToLower(base) + port
			c = append(c,
				candidate{origin: scheme + "://probe." + strings.ToLower(base) + port, label: "host matching " + s + " (" + at + ")", around: apex, of: s},
				candidate{origin: scheme + "://a.probe." + strings.ToLower(base) + port, label: "two labels matching " + s + " (" + at + ")", around: apex, of: s})
		case strings.HasSuffix(s, ":*"):
			c = append(c, candidate{origin: strings.ToLower(strings.TrimSuffix(s, ":*")) + ":8443", label: "port matching " + s + " (" + at + ")"})
		default:
			c = append(c, candidate{origin: strings.ToLower(s), label: "allowed origin (" + at + ")"})
		}
	}
	for i, s := range t.rules.AllowOriginRegexes {
		at := field + "allowOriginRegexes[" + strconv.Itoa(i) + "]"
		for _, m := range regexSamples(s, 3) {
			c = append(c, candidate{origin: m, label: "origin matching " + strconv.Quote(s) + " (" + at + ")"})
		}
	}
	var out []candidate
	for _, a := range c {
		if predictAllowed(p, t, o, a.origin) && !slices.ContainsFunc(out, func(x candidate) bool { return x.origin == a.origin }) {
			out = append(out, a)
		}
	}
	return out
}

// concretePort turns a wildcard entry's port rule into a port to send:
// "" none, ":*" a non-default port, ":N" itself.
func concretePort(port string) string {
	if port == ":*" {
		return ":8443"
	}
	return port
}

// splitPort splits "host[:port]" (IPv6 literals in brackets).
func splitPort(hostport string) (host, port string) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 || strings.LastIndexByte(hostport, ']') > i {
		return hostport, ""
	}
	return hostport[:i], hostport[i:]
}

// neighbours are origins next to an allowed one that a policy must
// refuse: each is a classic hole of origin matching (substring and
// unanchored matching, rs/cors#197, GHSA-vhxv-fg4m-p2w8) or a
// normalization a sloppy matcher performs.
func neighbours(origin, name string) []candidate {
	scheme, hostport, ok := strings.Cut(origin, "://")
	if !ok {
		return nil
	}
	host, port := splitPort(hostport)
	of := " of " + name
	out := []candidate{
		{origin: scheme + "://" + host + ".attacker.test" + port, label: "suffix lookalike" + of},
		{origin: scheme + "://attacker" + host + port, label: "prefix lookalike" + of},
	}
	if scheme == "https" {
		out = append(out, candidate{origin: "http://" + hostport, label: "scheme swap" + of})
	} else if scheme == "http" {
		out = append(out, candidate{origin: "https://" + hostport, label: "scheme swap" + of})
	}
	if port == "" {
		out = append(out, candidate{origin: origin + ":8443", label: "port swap" + of})
	} else {
		out = append(out, candidate{origin: scheme + "://" + host, label: "port swap" + of})
	}
	out = append(out, candidate{origin: "null", label: "null origin (sandboxed iframe, file:)"})
	if s := sibling(host); s != "" {
		out = append(out, candidate{origin: scheme + "://" + s + port, label: "sibling under the same public suffix" + of})
	}
	if mixed := mixedCase(host); mixed != host {
		out = append(out, candidate{origin: scheme + "://" + mixed + port, label: "mixed-case host" + of})
	}
	if net.ParseIP(strings.Trim(host, "[]")) == nil {
		out = append(out, candidate{origin: scheme + "://" + host + "." + port, label: "trailing-dot host" + of})
	}
	return out
}

// sibling is another registrable domain under host's public suffix
// (attacker.com next to app.example.com, attacker.github.io next to
// me.github.io): anyone can register it. "" for IP literals.
func sibling(host string) string {
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return ""
	}
	suffix, _ := publicsuffix.PublicSuffix(strings.ToLower(host))
	s := "attacker-sibling." + suffix
	if s == host {
		return ""
	}
	return s
}

// mixedCase uppercases the first letter of each label: browsers always
// send lowercase hosts, so only a forged request carries this, and a
// matcher that lowercases before comparing then reflects it verbatim.
func mixedCase(host string) string {
	b := []byte(host)
	start := true
	for i, c := range b {
		if start && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		start = c == '.'
	}
	return string(b)
}

// preflightSpec is one planned preflight.
type preflightSpec struct{ label, method, headers string }

// preflights: each allowed non-safelisted method (up to four) with every
// allowed header, then a refused method, the lowercase spelling of an
// allowed method (methods are case-sensitive, rs/cors#158), and a refused
// header.
func preflights(r *policy.Rules) []preflightSpec {
	var names []string
	for _, h := range r.AllowHeaders {
		if h != "*" {
			names = append(names, strings.ToLower(h))
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	allowedHeaders := strings.Join(names, ",")
	var out []preflightSpec
	var methods []string
	for _, m := range r.AllowMethods {
		if m != "*" && !safelistedMethod(m) && len(methods) < 4 {
			methods = append(methods, m)
		}
	}
	if len(methods) == 0 {
		methods = []string{"POST"}
	}
	for _, m := range methods {
		label := "allowed method " + m
		if allowedHeaders != "" {
			label += " with the allowed headers"
		}
		out = append(out, preflightSpec{label, m, allowedHeaders})
	}
	out = append(out, preflightSpec{"method not in allowMethods", "PROPFIND", ""})
	for _, m := range methods {
		if strings.ToLower(m) != m && !slices.Contains(fetchNormalizes, m) {
			out = append(out, preflightSpec{"lowercase spelling of " + m + " (methods are case-sensitive)", strings.ToLower(m), ""})
			break
		}
	}
	out = append(out, preflightSpec{"header not in allowHeaders", "GET", "x-corsctl-probe-refused"})
	return out
}
