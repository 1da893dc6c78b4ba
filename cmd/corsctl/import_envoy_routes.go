package main

import (
	"strconv"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// Envoy route configurations: which CorsPolicy applies to each route (the
// CORS filter's precedence), and which corswasm selectors express the
// route's match.

// level is one CorsPolicy of the route > virtual host > route
// configuration chain, with the path it was read from. disabled: a
// FilterConfig with disabled: true turned the CORS filter off there.
type level struct {
	p        *routev3.CorsPolicy
	path     string
	disabled bool
}

const filterConfigType = "envoy.config.route.v3.FilterConfig"

// perFilterCors reads typed_per_filter_config for the CORS filter: a
// CorsPolicy, or a FilterConfig that wraps one or disables the filter.
func perFilterCors(m map[string]*anypb.Any, at string, names []string, a *audit) *level {
	if len(names) == 0 {
		names = []string{corsFilterName}
	}
	for _, n := range names {
		anyCfg, ok := m[n]
		if !ok {
			continue
		}
		path := at + ".typed_per_filter_config." + n
		if strings.HasSuffix(anyCfg.GetTypeUrl(), "/"+filterConfigType) {
			var fc routev3.FilterConfig
			if err := anyCfg.UnmarshalTo(&fc); err != nil {
				a.add(sevTODO, path, "", "cannot read the FilterConfig: "+err.Error(), "not carried over")
				return nil
			}
			if fc.GetDisabled() {
				return &level{path: path, disabled: true}
			}
			if fc.GetConfig() == nil {
				return nil
			}
			anyCfg, path = fc.GetConfig(), path+".config"
		}
		var p routev3.CorsPolicy
		if err := anyCfg.UnmarshalTo(&p); err != nil {
			a.add(sevTODO, path, "", "not an envoy.config.route.v3.CorsPolicy: "+err.Error(), "not carried over")
			return nil
		}
		return &level{p: &p, path: path}
	}
	return nil
}

func envoyRoutes(rc *routev3.RouteConfiguration, at string, corsNames []string, a *audit) (olds, uncovered []*oldPolicy) {
	rcLevel := perFilterCors(rc.GetTypedPerFilterConfig(), at, corsNames, a)
	for i, vh := range rc.GetVirtualHosts() {
		vp := join(at, indexed("virtual_hosts", i))
		hosts, sampleHost, ok := envoyDomains(vh.GetDomains(), vp, a)
		vhTyped := perFilterCors(vh.GetTypedPerFilterConfig(), vp, corsNames, a)
		var vhLegacy *level
		//lint:ignore SA1019 corsctl import converts the deprecated per-virtual-host cors field
		if legacy := vh.GetCors(); legacy != nil {
			vhLegacy = &level{p: legacy, path: vp + ".cors"}
		}
		type routed struct {
			p   *oldPolicy
			own bool
		}
		var rs []routed
		for j, r := range vh.GetRoutes() {
			rp := vp + "." + indexed("routes", j)
			p := &oldPolicy{where: rp, engine: engineEnvoy, hosts: hosts, sampleHost: sampleHost, samplePath: "/"}
			p.name = vh.GetName() + "/" + r.GetName()
			if r.GetName() == "" {
				p.name = vh.GetName() + "/route-" + strconv.Itoa(j)
			}
			envoyMatch(p, r, rp, ok, a)
			// Envoy's CORS filter uses typed_per_filter_config when any
			// level has it, most specific first, field by field; only
			// without any does it read the legacy cors fields.
			var chain []level
			routeTyped := perFilterCors(r.GetTypedPerFilterConfig(), rp, corsNames, a)
			off := false
			for _, l := range []*level{routeTyped, vhTyped, rcLevel} {
				switch {
				case l == nil:
				case l.disabled:
					// The most specific FilterConfig decides; a
					// disabled filter does not run for the route.
					off = off || len(chain) == 0
				default:
					if !off {
						chain = append(chain, *l)
					}
				}
			}
			own := routeTyped != nil
			if off {
				uncovered = append(uncovered, p)
				continue
			}
			if len(chain) == 0 {
				//lint:ignore SA1019 corsctl import converts the deprecated per-route cors field
				if c := r.GetRoute().GetCors(); c != nil {
					chain = append(chain, level{p: c, path: rp + ".route.cors"})
					own = true
				}
				if vhLegacy != nil {
					chain = append(chain, *vhLegacy)
				}
			}
			if len(chain) == 0 {
				uncovered = append(uncovered, p)
				continue
			}
			mergeEnvoy(p, chain, a)
			rs = append(rs, routed{p, own})
		}
		// Routes after the last one with its own policy all use the
		// virtual host's: one corswasm route for the host covers them.
		last := -1
		for j, r := range rs {
			if r.own {
				last = j
			}
		}
		for j, r := range rs {
			if j <= last || !ok {
				olds = append(olds, r.p)
				continue
			}
			p := r.p
			p.where, p.name, p.pathPrefixes, p.routeNames, p.samplePath = vp, vh.GetName(), nil, nil, "/"
			olds = append(olds, p)
			break
		}
	}
	return olds, uncovered
}

// mergeEnvoy applies the CORS filter's per-field precedence: each setting
// comes from the first policy of the chain that sets it.
func mergeEnvoy(p *oldPolicy, chain []level, a *audit) {
	first := chain[0]
	p.enabled, p.shadow = true, false
	if fe := first.p.GetFilterEnabled(); fe != nil {
		p.enabled = fractionOn(fe, first.path+".filter_enabled", a)
	}
	if se := first.p.GetShadowEnabled(); se != nil {
		p.shadow = fractionOn(se, first.path+".shadow_enabled", a)
	}
	p.forwardUnmatched = true
	setOrigins, setMethods, setHeaders, setExpose, setMaxAge, setCreds, setPNA, setFwd := false, false, false, false, false, false, false, false
	for _, l := range chain {
		c := l.p
		if !setOrigins && len(c.GetAllowOriginStringMatch()) > 0 {
			setOrigins = true
			p.originsPath = l.path + ".allow_origin_string_match"
			for k, m := range c.GetAllowOriginStringMatch() {
				p.origins = append(p.origins, envoyMatcher(m, indexed(p.originsPath, k)))
			}
		}
		if !setMethods && c.GetAllowMethods() != "" {
			setMethods, p.allowMethods, p.methodsPath = true, splitCommaList(c.GetAllowMethods()), l.path+".allow_methods"
		}
		if !setHeaders && c.GetAllowHeaders() != "" {
			setHeaders, p.allowHeaders, p.headersPath = true, splitCommaList(c.GetAllowHeaders()), l.path+".allow_headers"
		}
		if !setExpose && c.GetExposeHeaders() != "" {
			setExpose, p.exposeHeaders, p.exposePath = true, splitCommaList(c.GetExposeHeaders()), l.path+".expose_headers"
		}
		if !setMaxAge && c.GetMaxAge() != "" {
			setMaxAge, p.maxAge, p.maxAgePath = true, c.GetMaxAge(), l.path+".max_age"
		}
		if !setCreds && c.GetAllowCredentials() != nil {
			setCreds, p.credentials, p.credentialsPath = true, c.GetAllowCredentials().GetValue(), l.path+".allow_credentials"
		}
		if !setPNA && c.GetAllowPrivateNetworkAccess() != nil {
			setPNA, p.privateNetwork = true, c.GetAllowPrivateNetworkAccess().GetValue()
		}
		if !setFwd && c.GetForwardNotMatchingPreflights() != nil {
			setFwd, p.forwardUnmatched = true, c.GetForwardNotMatchingPreflights().GetValue()
		}
	}
	if p.originsPath == "" {
		p.originsPath = first.path + ".allow_origin_string_match"
	}
}

// fractionOn reads a runtime fraction's default: true at 100 %, false at
// 0 %; anything between is a TODO (corswasm has no sampling) and reads as
// off.
func fractionOn(f *corev3.RuntimeFractionalPercent, path string, a *audit) bool {
	d := f.GetDefaultValue()
	if d == nil {
		return false
	}
	den := map[typev3.FractionalPercent_DenominatorType]uint32{
		typev3.FractionalPercent_HUNDRED: 100, typev3.FractionalPercent_TEN_THOUSAND: 10000, typev3.FractionalPercent_MILLION: 1000000,
	}[d.GetDenominator()]
	if d.GetNumerator() > 0 && d.GetNumerator() < den {
		a.add(sevTODO, path, "", "applies to a fraction of requests ("+strconv.Itoa(int(d.GetNumerator()))+"/"+strconv.Itoa(int(den))+")",
			`carried over as off ("shadow": true); decide whether to enforce it`)
	}
	return d.GetNumerator() >= den
}

func envoyMatcher(m *matcherv3.StringMatcher, path string) oldMatcher {
	om := oldMatcher{path: path, ignoreCase: m.GetIgnoreCase()}
	switch m.GetMatchPattern().(type) {
	case *matcherv3.StringMatcher_Prefix:
		om.kind, om.value = matchPrefix, m.GetPrefix()
	case *matcherv3.StringMatcher_Suffix:
		om.kind, om.value = matchSuffix, m.GetSuffix()
	case *matcherv3.StringMatcher_SafeRegex:
		om.kind, om.value = matchRegex, m.GetSafeRegex().GetRegex()
	case *matcherv3.StringMatcher_Contains:
		om.kind, om.value = matchContains, m.GetContains()
	case *matcherv3.StringMatcher_Custom:
		// An extension matcher: nothing to compare with; an impossible
		// regex keeps it out of the new policy and the TODO explains.
		om.kind, om.value = matchRegex, "[^\\x00-\\x{10FFFF}]custom"
	default:
		om.kind, om.value = matchExact, m.GetExact()
	}
	return om
}

// envoyDomains turns a virtual host's domains into host selectors. ok is
// false when some domain cannot be expressed (Envoy's "foo.*" and
// "*-bar.example.com" forms).
func envoyDomains(domains []string, vp string, a *audit) (hosts []string, sample string, ok bool) {
	ok = true
	for j, d := range domains {
		d = strings.ToLower(d)
		if d == "*" {
			return nil, "example.com", true
		}
		if c := strings.LastIndexByte(d, ':'); c > 0 && !strings.HasSuffix(d, "]") {
			d = d[:c] // corswasm hosts ignore the port
		}
		if (strings.HasPrefix(d, "*") && !strings.HasPrefix(d, "*.")) || strings.HasSuffix(d, "*") {
			a.add(sevTODO, vp+"."+indexed("domains", j), d, "a domain pattern corswasm hosts cannot express", "list the hosts")
			ok = false
			continue
		}
		if !containsString(hosts, d) {
			hosts = append(hosts, d)
		}
	}
	for _, h := range hosts {
		if strings.HasPrefix(h, "*.") {
			h = "app" + h[1:]
		}
		if sample == "" {
			sample = h
		}
	}
	return hosts, sample, ok
}

func envoyMatch(p *oldPolicy, r *routev3.Route, rp string, hostsOK bool, a *audit) {
	m := r.GetMatch()
	mp := rp + ".match"
	expressible := hostsOK
	switch m.GetPathSpecifier().(type) {
	case *routev3.RouteMatch_Prefix:
		if m.GetPrefix() != "" && m.GetPrefix() != "/" {
			p.pathPrefixes = []string{m.GetPrefix()}
		}
	case *routev3.RouteMatch_Path:
		p.pathPrefixes = []string{m.GetPath()}
		a.add(sevNote, mp+".path", m.GetPath(), "corswasm routes select by path prefix", "carried over as a prefix, which also covers longer paths")
	case *routev3.RouteMatch_PathSeparatedPrefix:
		p.pathPrefixes = []string{m.GetPathSeparatedPrefix()}
	default:
		expressible = false
	}
	if len(m.GetHeaders())+len(m.GetQueryParameters()) > 0 {
		a.add(sevNote, mp, "", "also matched on headers or query parameters", "the corswasm route selects by hosts and path only")
	}
	if len(p.pathPrefixes) > 0 {
		p.samplePath = p.pathPrefixes[0]
	}
	if expressible {
		return
	}
	if r.GetName() == "" {
		a.add(sevTODO, mp, "", "a route match corswasm cannot express, and the route has no name to select it by", "name the route and add it to routeNames")
		return
	}
	p.routeNames, p.pathPrefixes, p.sampleRouteName = []string{r.GetName()}, nil, r.GetName()
	if !hostsOK {
		p.hosts = nil // the route name alone selects it; listing some hosts would drop the rest
	}
	a.add(sevNote, mp, "", "a route match corswasm cannot express", `selected by Envoy's route_name "`+r.GetName()+`"`)
}
