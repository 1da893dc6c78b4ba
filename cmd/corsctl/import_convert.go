package main

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corswasm/corswasm/policy"
)

// item is one emitted list entry and the source path it came from.
type item struct{ value, src string }

// emitted is one corswasm policy (a route, or the top level) being built
// from an oldPolicy.
type emitted struct {
	old                         *oldPolicy
	name                        string
	hosts, prefixes, routeNames []string
	origins, regexes            []item
	methods, headers, expose    []item
	rules                       policy.Rules // the scalar settings
}

// maxRepairRounds bounds the validate-and-drop loop: each round removes
// at least one entry or route, and one round usually settles everything.
const maxRepairRounds = 16

// importResult is the outcome of one import.
type importResult struct {
	cfg    policy.Config
	audit  audit
	olds   []*oldPolicy // every policy the source had, for the diff
	uncov  []*oldPolicy // source routes without CORS, for the diff
	policy *policy.Policy
}

// convert turns the source's policies into one corswasm config that
// passes validation, dropping (with a TODO) whatever the validator
// refuses, and checking that routes without CORS stay without it.
func convert(olds, uncovered []*oldPolicy, a *audit) (*importResult, error) {
	if len(olds) == 0 {
		a.add(sevTODO, "source", "", "configures no CORS policy at all, so the imported policy is empty", "check that this is the right file")
	}
	var list []*emitted
	forwarded := false
	for _, p := range olds {
		list = append(list, convertPolicy(p, a))
		forwarded = forwarded || p.forwardUnmatched
	}
	if forwarded {
		a.add(sevNote, "unmatched preflights", "", "the source forwarded preflights from origins it does not allow to the upstream (Envoy's and Istio's default)",
			`corswasm answers them 403 locally (unmatchedPreflights "reject"); set unmatchedPreflights "forward" on a route to keep the old behaviour`)
	}
	// Envoy picks the most specific virtual host whatever the order, so
	// routes that name hosts go before those that do not.
	slices.SortStableFunc(list, func(x, y *emitted) int { return hostRank(x) - hostRank(y) })

	res := &importResult{olds: olds, uncov: uncovered}
	list = placeTop(list, a)
	for round := 0; ; round++ {
		cfg, prov := assemble(list)
		js, err := marshalConfig(cfg)
		if err != nil {
			return nil, err
		}
		c := compile(source{config: js})
		if len(c.errors()) == 0 {
			res.cfg, res.policy = cfg, c.policy
			break
		}
		if round == maxRepairRounds {
			return nil, fmt.Errorf("the imported policy still does not validate: %s", strings.Join(c.errors(), "; "))
		}
		list = repair(list, prov, c.errors(), a)
	}
	checkUncovered(res, a)
	res.audit = *a
	return res, nil
}

// hostRank orders exact hosts, then wildcard hosts, then no hosts.
func hostRank(e *emitted) int {
	switch {
	case len(e.hosts) == 0:
		return 2
	case slices.ContainsFunc(e.hosts, func(h string) bool { return strings.HasPrefix(h, "*") }):
		return 1
	}
	return 0
}

// placeTop makes a trailing selector-less policy the top-level one; a
// selector-less policy elsewhere would hide every route after it.
func placeTop(list []*emitted, a *audit) []*emitted {
	var out []*emitted
	for i, e := range list {
		if len(e.hosts)+len(e.prefixes)+len(e.routeNames) > 0 || i == len(list)-1 {
			out = append(out, e)
			continue
		}
		a.add(sevTODO, e.old.where, "", "applies to every request, but corswasm routes are tried in order and it is not the last",
			"not carried over; give it hosts or pathPrefixes, or merge it into the top-level policy")
	}
	return out
}

func convertPolicy(p *oldPolicy, a *audit) *emitted {
	e := &emitted{old: p, name: p.name, hosts: p.hosts, prefixes: p.pathPrefixes, routeNames: p.routeNames}
	every := false
	for i := range p.origins {
		m := &p.origins[i]
		c := convertOrigin(m, p.engine, p.credentials, a)
		every = every || c.everyOrigin
		for _, o := range c.origins {
			e.origins = appendItem(e.origins, o, m.path)
		}
		for _, r := range c.regexes {
			e.regexes = appendItem(e.regexes, r, m.path)
		}
	}
	creds := p.credentials
	if every {
		src := ""
		for _, it := range e.origins {
			if it.value == "*" {
				src = it.src
				break
			}
		}
		e.origins, e.regexes = []item{{"*", src}}, nil
		if creds {
			what := `"*" with credentials: Envoy answers every origin with that origin and Access-Control-Allow-Credentials: true, so every site can read users' data`
			if p.engine == engineRSCors {
				what = `"*" with credentials: rs/cors answers "Access-Control-Allow-Origin: *" with Access-Control-Allow-Credentials: true, which browsers refuse on credentialed requests (and rs/cors 1.3.0 and earlier reflected every origin, CVE-2018-20744)`
			}
			a.add(sevTODO, src, "*", what,
				`carried over as "*" without allowCredentials, so only requests without credentials work; list the trusted origins and set allowCredentials`)
			creds = false
		}
	}
	if len(p.origins) > 0 && len(e.origins)+len(e.regexes) == 0 {
		a.add(sevTODO, p.originsPath, "", "no allowed origin could be carried over", "this policy is dropped until its origins are listed")
	}
	e.rules.AllowCredentials = creds
	e.methods = starList(p.allowMethods, p.methodsPath, creds, "method", a)
	e.headers = starList(p.allowHeaders, p.headersPath, creds, "header", a)
	for i, h := range p.exposeHeaders {
		e.expose = appendItem(e.expose, h, indexed(p.exposePath, i))
	}
	if p.maxAge != "" {
		n, err := strconv.Atoi(p.maxAge)
		switch {
		case err != nil || n < 0:
			a.add(sevNote, p.maxAgePath, p.maxAge, "not a number of seconds, so browsers ignored it and cached for 5 s", "removed")
		case n > 86400:
			a.add(sevNote, p.maxAgePath, p.maxAge, "browsers cap preflight caching at 86400 s or less", "carried over as 86400")
			e.rules.MaxAge = &policy.Duration{Duration: 86400 * time.Second}
		default:
			e.rules.MaxAge = &policy.Duration{Duration: time.Duration(n) * time.Second}
		}
	}
	e.rules.AllowPrivateNetwork = p.privateNetwork
	if !p.enabled {
		e.rules.Shadow = true
	}
	if !p.enabled && !p.filterMissing {
		what := "the CORS filter was disabled here (filter_enabled 0 %)"
		if p.shadow {
			what = "the CORS filter ran in shadow mode here (shadow_enabled): it decided but enforced nothing"
		}
		a.add(sevNote, p.where, "", what, `carried over with "shadow": true, which logs decisions and changes nothing`)
	}
	if p.rscors != nil {
		applyRSCors(e, p, a)
	}
	return e
}

// starList carries methods or headers over. With credentials, Envoy
// echoes the requested method or headers for "*", which corswasm refuses
// (browsers read "*" literally with credentials).
func starList(list []string, field string, creds bool, noun string, a *audit) []item {
	var out []item
	for i, v := range list {
		if v == "*" && creds {
			a.add(sevTODO, indexed(field, i), v, `with credentials the source echoed whatever `+noun+` the preflight asked for`,
				"not carried over; list the "+noun+"s the pages use")
			continue
		}
		out = appendItem(out, v, indexed(field, i))
	}
	return out
}

func appendItem(list []item, v, src string) []item {
	for _, it := range list {
		if it.value == v {
			return list
		}
	}
	return append(list, item{v, src})
}

// routeNameRE is what the validator accepts as a route name.
var routeNameRE = regexp.MustCompile(`[^A-Za-z0-9._/:-]+`)

// assemble builds the config and maps each emitted path to its source.
func assemble(list []*emitted) (policy.Config, map[string]string) {
	var cfg policy.Config
	prov := map[string]string{}
	names := map[string]bool{}
	for _, e := range list {
		r := e.rules
		r.AllowOrigins, r.AllowOriginRegexes = values(e.origins), values(e.regexes)
		r.AllowMethods, r.AllowHeaders, r.ExposeHeaders = values(e.methods), values(e.headers), values(e.expose)
		prefix := ""
		if len(e.hosts)+len(e.prefixes)+len(e.routeNames) == 0 {
			cfg.Rules = r
			prov[""] = e.old.where
		} else {
			prefix = fmt.Sprintf("routes[%d].", len(cfg.Routes))
			name := uniqueName(e.name, names)
			cfg.Routes = append(cfg.Routes, policy.Route{Name: name, Hosts: e.hosts, PathPrefixes: e.prefixes, RouteNames: e.routeNames, Rules: r})
			prov[strings.TrimSuffix(prefix, ".")] = e.old.where
		}
		for field, items := range map[string][]item{"allowOrigins": e.origins, "allowOriginRegexes": e.regexes,
			"allowMethods": e.methods, "allowHeaders": e.headers, "exposeHeaders": e.expose} {
			for i, it := range items {
				prov[indexed(prefix+field, i)] = it.src
			}
		}
	}
	return cfg, prov
}

func uniqueName(name string, seen map[string]bool) string {
	name = strings.Trim(routeNameRE.ReplaceAllString(name, "-"), "-")
	if len(name) > 60 {
		name = name[:60]
	}
	if name == "" || name == "default" {
		return ""
	}
	base := name
	for i := 2; seen[name]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	seen[name] = true
	return name
}

func values(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.value)
	}
	return out
}

var errPathRE = regexp.MustCompile(`^(routes\[(\d+)\]\.?)?([A-Za-z]+)?(\[(\d+)\])?`)

// repair removes what each validation error points at and records a
// TODO with the validator's reason, so the operator sees every entry
// that did not make it.
func repair(list []*emitted, prov map[string]string, errs []string, a *audit) []*emitted {
	routeOf := map[int]*emitted{}
	var top *emitted
	n := 0
	for _, e := range list {
		if len(e.hosts)+len(e.prefixes)+len(e.routeNames) == 0 {
			top = e
			continue
		}
		routeOf[n] = e
		n++
	}
	type drop struct {
		e     *emitted
		field string
		index int
	}
	var drops []drop
	dropped := map[*emitted]bool{}
	for _, msg := range errs {
		path, reason, _ := strings.Cut(msg, ": ")
		m := errPathRE.FindStringSubmatch(path)
		e := top
		if m[1] != "" {
			i, _ := strconv.Atoi(m[2])
			e = routeOf[i]
		}
		if e == nil {
			continue
		}
		src := prov[path]
		if src == "" {
			src = e.old.where
		}
		if m[5] == "" || m[3] == "hosts" || m[3] == "pathPrefixes" || m[3] == "routeNames" {
			// A problem with the route itself or its selectors: drop it.
			if !dropped[e] {
				a.add(sevTODO, e.old.where, "", "corswasm refuses the imported policy ("+path+": "+reason+")", "not carried over; fix it by hand")
				dropped[e] = true
			}
			continue
		}
		idx, _ := strconv.Atoi(m[5])
		a.add(sevTODO, src, "", "corswasm refuses it: "+reason, "not carried over")
		drops = append(drops, drop{e, m[3], idx})
	}
	// Remove higher indexes first so lower ones stay valid.
	slices.SortFunc(drops, func(x, y drop) int { return y.index - x.index })
	for _, d := range drops {
		if dropped[d.e] {
			continue
		}
		f := map[string]*[]item{"allowOrigins": &d.e.origins, "allowOriginRegexes": &d.e.regexes,
			"allowMethods": &d.e.methods, "allowHeaders": &d.e.headers, "exposeHeaders": &d.e.expose}[d.field]
		if f != nil && d.index < len(*f) {
			*f = slices.Delete(*f, d.index, d.index+1)
		}
	}
	var out []*emitted
	for _, e := range list {
		if !dropped[e] && (len(e.origins)+len(e.regexes) > 0 || e.rules.CrossOriginProtection) {
			out = append(out, e)
		}
	}
	return out
}

// checkUncovered reports source routes that had no CORS policy but now
// fall under one of the imported routes (corswasm has no "no CORS here"
// route), so the operator can decide.
func checkUncovered(res *importResult, a *audit) {
	for _, u := range res.uncov {
		r := policy.Request{Method: "GET", Origin: "https://corsctl-probe.invalid", Authority: u.sampleHost, Path: u.samplePath, RouteName: u.sampleRouteName}
		d := res.policy.Evaluate(&r)
		if d.Route == "" {
			continue
		}
		at := d.RoutePath
		if at == "" {
			at = "the top-level policy"
		}
		a.add(sevTODO, u.where, "", "had no CORS policy, but its requests now fall under "+at+" (corswasm has no per-route off switch)",
			"give "+at+" narrower hosts or pathPrefixes, or accept that its rules now apply here")
	}
}
