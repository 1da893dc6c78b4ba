package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// change is one kind of request whose answer differs between the old
// setup and the imported policy, with the first origin that shows it.
type change struct {
	where   string // the source route the request went to
	request string // e.g. "GET with credentials", "preflight PUT + x-api-key"
	origin  string
	before  string // what the browser made of the old answer
	after   string // ... and of the new one
}

// diffRequest is one request shape the diff sends to every route.
type diffRequest struct {
	label       string
	method      string // for a preflight, the requested method
	header      string // a preflight's requested header, "" for none
	preflight   bool
	credentials bool
}

// explainDiff sends each source route's sample request, from origins its
// matchers allowed, were meant to allow, or let in by mistake, to the old
// setup (modelled by oldDecision) and to the new policy (Evaluate), and
// keeps those where the browser's verdict differs. It assumes the
// upstream itself sends no CORS headers.
func explainDiff(res *importResult) []change {
	var out []change
	seen := map[string]bool{}
	targets := append(append([]*oldPolicy{}, res.olds...), res.uncov...)
	for ti, p := range targets {
		old := p
		if ti >= len(res.olds) {
			old = nil // the source had no CORS policy here
		}
		for _, pr := range diffRequests(p) {
			for _, origin := range probeOrigins(p) {
				r := policy.Request{Method: "GET", Origin: origin, Authority: p.sampleHost, Path: p.samplePath, RouteName: p.sampleRouteName,
					SecFetchSite: "cross-site"}
				names := []string(nil)
				if pr.preflight {
					r.Method, r.AccessControlRequestMethod = "OPTIONS", pr.method
					if pr.header != "" {
						r.AccessControlRequestHeaders = pr.header
						names = []string{pr.header}
					}
				}
				od := oldDecision(old, &r)
				nd := res.policy.Evaluate(&r)
				before := verdict(checkBrowser(&r, &od, pr.method, names, pr.credentials))
				after := verdict(checkBrowser(&r, &nd, pr.method, names, pr.credentials))
				if before == after {
					continue
				}
				if nd.Route != "" {
					route := nd.RoutePath
					if route == "" {
						route = "top-level policy"
					}
					after += " (" + route + ": " + nd.Reason.String() + ")"
				}
				key := p.where + "\x00" + pr.label + "\x00" + before + "\x00" + after
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, change{where: p.where, request: pr.label, origin: origin, before: before, after: after})
			}
		}
	}
	return out
}

func verdict(v browserVerdict) string {
	switch {
	case !v.Known:
		return "forwarded to the upstream"
	case v.OK:
		return "allowed"
	}
	return "blocked"
}

// diffRequests: a simple read without and with credentials, and a
// preflight for a method and header the old policy listed.
func diffRequests(p *oldPolicy) []diffRequest {
	method, header := "PUT", ""
	for _, m := range p.allowMethods {
		if !safelistedMethod(m) && m != "*" && m != "OPTIONS" {
			method = m
			break
		}
	}
	for _, h := range p.allowHeaders {
		if h != "*" {
			header = strings.ToLower(h)
			break
		}
	}
	pf := "preflight " + method
	if header != "" {
		pf += " + " + header
	}
	return []diffRequest{
		{label: "GET", method: "GET"},
		{label: "GET with credentials", method: "GET", credentials: true},
		{label: pf, method: method, header: header, preflight: true, credentials: p.credentials},
	}
}

// probeOrigins are origins each matcher was meant to allow and the
// lookalikes it let in, plus an unrelated site and "null".
func probeOrigins(p *oldPolicy) []string {
	var out []string
	add := func(list ...string) {
		for _, o := range list {
			if o != "" && !containsString(out, o) {
				out = append(out, o)
			}
		}
	}
	for i := range p.origins {
		m := &p.origins[i]
		v := m.value
		switch m.kind {
		case matchExact:
			add(strings.ToLower(v))
		case matchPrefix:
			add(strings.TrimSuffix(v, ":"), v+".evil.example", strings.TrimSuffix(v, ":")+":8443")
		case matchSuffix:
			d := strings.TrimPrefix(v, ".")
			add("https://app."+d, "https://evil"+d, "http://app."+d)
		case matchContains:
			add(v, "https://"+strings.Trim(v, ".:/")+".evil.example")
		case matchRegex:
			if s, ok := regexSample(v); ok {
				add(s, dotHole(m, s), s+".evil.example", strings.Replace(s, "https://", "http://", 1))
			}
		case matchStar:
			if pre, suf, ok := strings.Cut(strings.ToLower(v), "*"); ok && v != "*" {
				add(pre+"app"+suf, pre+"evil"+strings.TrimPrefix(suf, "."))
			} else {
				add(strings.ToLower(v))
			}
		}
	}
	add("https://evil.example", "null")
	return out
}

func writeDiff(w io.Writer, changes []change) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "explain-diff: no request changes its answer (assuming the upstream sends no CORS headers)")
		return
	}
	fmt.Fprintf(w, "explain-diff: %s whose answer changes, one sample origin each (assuming the upstream sends no CORS headers):\n", count(len(changes), "request kind"))
	for _, c := range changes {
		fmt.Fprintf(w, "  %s: %s from %s: before %s; after %s\n", c.where, c.request, strconv.Quote(c.origin), c.before, c.after)
	}
}
