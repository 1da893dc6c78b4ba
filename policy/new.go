package policy

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxHeaderNameLen bounds configured header names, so that Evaluate can
// lowercase a requested name into a fixed stack buffer.
const maxHeaderNameLen = 128

// maxMaxAge is the largest maxAge accepted: 24 h, Firefox's documented cap
// (the largest of the browsers'). Chromium caps at 7200 s and WebKit at
// 600 s, as measured in docs/browsers.md; Firefox's cap could not be
// measured there (it does not run under libfaketime).
const maxMaxAge = 86400 * time.Second

// New validates cfg completely and compiles it. It returns every problem
// at once, joined with errors.Join, each as `path: "value": reason; fix`.
func New(cfg Config) (*Policy, error) {
	v := &validator{}
	p := &Policy{}

	if defines(&cfg.Rules) {
		p.def = v.rules(&cfg.Rules, "", "default", "")
	} else {
		v.noEffect(&cfg.Rules)
	}

	names := map[string]string{} // effective route name -> its path
	selectors := map[string]string{}
	for i := range cfg.Routes {
		rt := &cfg.Routes[i]
		path := index("routes", i)
		name := rt.Name
		if name == "" {
			name = path
		} else {
			v.routeName(path+".name", name)
		}
		if other, dup := names[name]; dup {
			v.add(path+".name", name, "same name as "+other+"; route names identify routes in logs and metrics, so make them unique")
		}
		names[name] = path

		r := route{}
		problems := len(v.errs)
		r.hosts = v.hostSelectors(rt.Hosts, path+".hosts")
		r.prefixes = v.pathPrefixes(rt.PathPrefixes, path+".pathPrefixes")
		r.routeNames = v.routeNames(rt.RouteNames, path+".routeNames")
		switch {
		case len(rt.Hosts)+len(rt.PathPrefixes)+len(rt.RouteNames) == 0:
			v.fail(path, "has no selector, so it matches every request and hides the routes after it; add hosts, pathPrefixes or routeNames, or move its settings to the top level")
		case len(v.errs) > problems:
			// Invalid selectors were dropped: comparing what is left
			// would report a duplicate that is not there.
		default:
			key := selectorKey(&r)
			if other, dup := selectors[key]; dup {
				v.fail(path, "same hosts, pathPrefixes and routeNames as "+other+", which always matches first, so this route never applies; merge them")
			} else {
				selectors[key] = path
			}
		}
		if len(rt.RouteNames) > 0 {
			p.needsRouteName = true
		}
		if !defines(&rt.Rules) {
			v.fail(path, "has no allowOrigins, allowOriginRegexes or crossOriginProtection, so it would only disable CORS for the requests it matches; add allowOrigins")
		}
		r.rules = v.rules(&rt.Rules, path+".", name, path)
		p.routes = append(p.routes, r)
	}

	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	if p.def == nil && len(p.routes) == 0 {
		v.warnings = append(v.warnings, Warning{Code: WarnEmptyConfig, Path: "config", Message: "the config is empty: no policy applies, so every request passes untouched; add allowOrigins"})
	}
	p.needsDetails = len(p.routes) > 0 || (p.def != nil && p.def.cop)
	p.warnings = append(v.warnings, lint(&cfg)...)
	return p, nil
}

// defines reports whether r is a policy: it sets origins or
// crossOriginProtection. Every other field only refines those.
func defines(r *Rules) bool {
	return len(r.AllowOrigins) > 0 || len(r.AllowOriginRegexes) > 0 || r.CrossOriginProtection
}

type validator struct {
	errs     []error
	warnings []Warning
}

// add records `path: "value": msg`.
func (v *validator) add(path, value, msg string) {
	v.errs = append(v.errs, errors.New(path+": "+strconv.Quote(value)+": "+msg))
}

// fail records `path: msg` for problems that are about a field, not a value.
func (v *validator) fail(path, msg string) {
	v.errs = append(v.errs, errors.New(path+": "+msg))
}

// noEffect reports top-level settings that do nothing because the top
// level defines no policy.
func (v *validator) noEffect(r *Rules) {
	const msg = "has no effect without allowOrigins, allowOriginRegexes or crossOriginProtection at the top level; add one of those or move it into a route"
	set := []struct {
		name string
		on   bool
	}{
		{"allowMethods", len(r.AllowMethods) > 0},
		{"allowHeaders", len(r.AllowHeaders) > 0},
		{"exposeHeaders", len(r.ExposeHeaders) > 0},
		{"allowCredentials", r.AllowCredentials},
		{"maxAge", r.MaxAge != nil},
		{"allowPrivateNetwork", r.AllowPrivateNetwork},
		{"preflightStatus", r.PreflightStatus != 0},
		{"unmatchedPreflights", r.UnmatchedPreflights != ""},
		{"upstreamCors", r.UpstreamCors != ""},
		{"shadow", r.Shadow},
		{"dangerouslyAllowInsecureOrigins", r.DangerouslyAllowInsecureOrigins},
	}
	for _, s := range set {
		if s.on {
			v.fail(s.name, msg)
		}
	}
}

// rules validates and compiles one policy. prefix is "" or "routes[i].".
func (v *validator) rules(r *Rules, prefix, name, path string) *rules {
	c := &rules{name: name, path: path, creds: r.AllowCredentials, pna: r.AllowPrivateNetwork,
		cop: r.CrossOriginProtection, shadow: r.Shadow}
	v.origins(c, r, prefix)
	v.regexes(c, r, prefix+"allowOriginRegexes")
	c.hasOrigins = len(r.AllowOrigins) > 0 || len(r.AllowOriginRegexes) > 0
	v.methods(c, r.AllowMethods, prefix+"allowMethods")
	v.allowHeaders(c, r.AllowHeaders, prefix+"allowHeaders")
	v.exposeHeaders(c, r.ExposeHeaders, prefix+"exposeHeaders")

	if r.MaxAge != nil {
		d := r.MaxAge.Duration
		secs := strconv.FormatInt(int64(d/time.Second), 10)
		switch {
		case d%time.Second != 0:
			v.add(prefix+"maxAge", d.String(), "Access-Control-Max-Age counts whole seconds; round it")
		case d < 0:
			v.add(prefix+"maxAge", secs, "must not be negative (browsers ignore -1 and fall back to 5 s); use 0 to disable preflight caching")
		case d > maxMaxAge:
			v.add(prefix+"maxAge", secs, "must be at most 86400 seconds (24h); browsers cap it anyway (Chromium 7200, WebKit 600: docs/browsers.md)")
		default:
			c.maxAge = secs
		}
	}
	switch r.PreflightStatus {
	case 0:
		c.preflightStatus = 204
	case 200, 204:
		c.preflightStatus = r.PreflightStatus
	default:
		v.add(prefix+"preflightStatus", strconv.Itoa(r.PreflightStatus), "must be 200 or 204 (the default); any 2xx passes the CORS check but these are the ones clients expect")
	}
	switch r.UnmatchedPreflights {
	case "", "reject":
	case "forward":
		c.forward = true
	default:
		v.add(prefix+"unmatchedPreflights", r.UnmatchedPreflights, `must be "reject" (the default: answer 403 locally) or "forward" (pass to the upstream)`)
	}
	switch r.UpstreamCors {
	case "", "override":
	case "preserve":
		c.preserve = true
	default:
		v.add(prefix+"upstreamCors", r.UpstreamCors, `must be "override" (the default: strip the upstream's Access-Control-* headers) or "preserve"`)
	}

	if c.hasOrigins && !(c.allowAll && !c.creds) {
		c.varyActual = "Origin"
	}
	c.varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
	if c.pna {
		c.varyPreflight += ", Access-Control-Request-Private-Network"
	}
	return c
}

func (v *validator) origins(c *rules, r *Rules, prefix string) {
	// Paths are built only for a message: plugin start with 10,000
	// origins must not pay for 10,000 of them.
	pathOf := func(i int) string { return index(prefix+"allowOrigins", i) }
	// A duplicate is found in c.exact for exact origins (the bulk of a
	// long list), and in seen for the others; which entry it duplicates is
	// looked up only then.
	seen := map[string]int{} // normalized origin not in c.exact → its index
	var exactAt map[string]int
	firstExact := func(norm string, i int) int {
		if exactAt == nil {
			exactAt = map[string]int{}
			for j, s := range r.AllowOrigins[:i] {
				if o, err := parseConfigOrigin(s); err == nil {
					if _, ok := exactAt[o.norm]; !ok {
						exactAt[o.norm] = j
					}
				}
			}
		}
		return exactAt[norm]
	}
	for i, s := range r.AllowOrigins {
		if s == "" {
			v.add(pathOf(i), s, "empty string; remove it")
			continue
		}
		o, err := parseConfigOrigin(s)
		if err != nil {
			v.add(pathOf(i), s, err.Error())
			continue
		}
		if other, dup := seen[o.norm]; dup {
			v.add(pathOf(i), s, "duplicate of "+pathOf(other)+"; remove one")
			continue
		}
		if _, dup := c.exact[o.norm]; dup {
			v.add(pathOf(i), s, "duplicate of "+pathOf(firstExact(o.norm, i))+"; remove one")
			continue
		}
		// Every origin that does not go into c.exact goes into seen, so
		// that a later copy of it is reported as a duplicate.
		switch {
		case o.any:
			if r.AllowCredentials {
				v.add(pathOf(i), s, `cannot be combined with allowCredentials: browsers reject "Access-Control-Allow-Origin: *" on credentialed requests, and reflecting any origin would let every site read users' data; list the trusted origins`)
				seen[o.norm] = i
				continue
			}
			c.allowAll = true
			seen[o.norm] = i
			continue
		case o.scheme == "http" && r.AllowCredentials && !r.DangerouslyAllowInsecureOrigins && !o.isLoopback():
			v.add(pathOf(i), s, "plaintext http origin with allowCredentials: a network attacker can inject script into it and read users' data; use https, or set dangerouslyAllowInsecureOrigins if you accept that risk")
			seen[o.norm] = i
			continue
		case o.overPublicSuffix():
			const risk = "a wildcard over a public suffix trusts every site registered under it"
			if r.AllowCredentials {
				v.add(pathOf(i), s, risk+"; list the origins you trust instead")
				seen[o.norm] = i
				continue
			}
			v.warnings = append(v.warnings, Warning{Code: WarnPublicSuffixWildcard, Path: pathOf(i), Value: s,
				Message: risk + "; without credentials they can only read public responses, but list the origins you trust instead"})
		}
		if !o.wildcard && o.port != "*" {
			if c.exact == nil {
				c.exact = make(map[string]struct{}, len(r.AllowOrigins))
			}
			c.exact[o.norm] = struct{}{}
			continue
		}
		seen[o.norm] = i
		c.addPattern(&o)
	}
}

// addPattern indexes a wildcard or any-port origin.
func (c *rules) addPattern(o *originSpec) {
	var sp *schemePatterns
	for i := range c.patterns {
		if c.patterns[i].scheme == o.scheme {
			sp = &c.patterns[i]
		}
	}
	if sp == nil {
		c.patterns = append(c.patterns, schemePatterns{scheme: o.scheme,
			anyPortHosts: map[string]struct{}{}, wildcards: map[string][]string{}})
		sp = &c.patterns[len(c.patterns)-1]
	}
	if !o.wildcard {
		sp.anyPortHosts[o.host] = struct{}{}
		return
	}
	sp.wildcards[o.host] = append(sp.wildcards[o.host], o.port)
	sp.maxBaseLabels = max(sp.maxBaseLabels, strings.Count(o.host, ".")+1)
}

func (v *validator) regexes(c *rules, r *Rules, field string) {
	seen := map[string]string{}
	for i, s := range r.AllowOriginRegexes {
		path := index(field, i)
		if s == "" {
			v.add(path, s, "empty string; remove it")
			continue
		}
		if other, dup := seen[s]; dup {
			v.add(path, s, "duplicate of "+other+"; remove one")
			continue
		}
		seen[s] = path
		// Always anchored to the whole origin: an unanchored pattern is
		// the classic hole (rs/cors#197, gin-contrib CVE-2019-25211). The
		// regex is compiled on its own first: otherwise an unbalanced ")"
		// would close our group, and "a)|(.*" would anchor nothing and
		// match every origin.
		re, err := regexp.Compile(s)
		if err == nil {
			re, err = regexp.Compile("^(?:" + s + ")$")
		}
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
			v.add(path, s, "not a valid RE2 regular expression ("+msg+"); see https://github.com/google/re2/wiki/Syntax")
			continue
		}
		if r.AllowCredentials && !v.credentialSafeRegex(path, s, r.DangerouslyAllowInsecureOrigins) {
			continue
		}
		c.regexes = append(c.regexes, re)
	}
}

// literalPrefix is the literal text every match of the user's regex
// starts with. Leading "^" anchors are dropped first: Go computes no
// prefix past an empty-width assertion.
func literalPrefix(s string) string {
	re, err := regexp.Compile(strings.TrimLeft(s, "^"))
	if err != nil {
		return ""
	}
	prefix, _ := re.LiteralPrefix()
	return prefix
}

// credentialSafeRegex applies the allowOrigins credential rules to a
// regex: its structure must prove that it matches one site only
// (regex_sites.go), and (unless insecure origins are accepted) it must be
// https-only, which its literal prefix proves.
func (v *validator) credentialSafeRegex(path, s string, insecureOK bool) bool {
	if problem := credentialRegexProblem(s); problem != "" {
		v.add(path, s, problem)
		return false
	}
	if !insecureOK && !strings.HasPrefix(literalPrefix(s), "https://") {
		v.add(path, s, "can match plaintext http origins with allowCredentials: a network attacker can inject script into them and read users' data; start it with https://, list loopback origins in allowOrigins, or set dangerouslyAllowInsecureOrigins if you accept that risk")
		return false
	}
	return true
}

// tokenKind describes one of the token lists: methods, request headers,
// exposed headers.
type tokenKind struct {
	noun   string                         // "method" or "header"
	fold   bool                           // header names are case-insensitive: compare and emit lowercase
	reject func(entry, key string) string // a further rule; "" when the entry is fine
}

// tokens checks the entries every token list shares rules for: non-empty,
// an RFC 9110 token, no "*" with credentials (browsers then read it as a
// literal name), kind.reject, no duplicates. It returns the accepted
// entries, lowercased when kind.fold.
func (v *validator) tokens(list []string, field string, creds bool, kind tokenKind) []string {
	name := kind.noun
	if kind.fold {
		name += " name"
	}
	seen := map[string]string{}
	var out []string
	for i, e := range list {
		path := index(field, i)
		key := e
		if kind.fold {
			key = strings.ToLower(e)
		}
		msg := ""
		switch {
		case e == "":
			msg = "empty string; remove it"
		case !isToken(e):
			msg = "not a valid " + name + ": a " + name + " is an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~)"
		case e == "*" && creds:
			msg = `cannot be combined with allowCredentials: with credentials browsers read "*" as a ` + kind.noun + ` literally named "*"; list the ` + kind.noun + "s"
		default:
			msg = kind.reject(e, key)
		}
		if other, dup := seen[key]; msg == "" && dup {
			msg = "duplicate of " + other + "; remove one"
			if kind.fold {
				msg = "duplicate of " + other + " (header names are case-insensitive); remove one"
			}
		}
		if msg != "" {
			v.add(path, e, msg)
			continue
		}
		seen[key] = path
		out = append(out, key)
	}
	return out
}

var (
	methodKind = tokenKind{noun: "method", reject: func(m, _ string) string {
		if forbiddenMethod(m) {
			return "a forbidden method (Fetch): browsers never send it; remove it"
		}
		return ""
	}}
	requestHeaderKind = tokenKind{noun: "header", fold: true, reject: func(h, lh string) string {
		switch {
		case len(h) > maxHeaderNameLen:
			return "header names longer than " + strconv.Itoa(maxHeaderNameLen) + " bytes are not supported"
		case forbiddenRequestHeader(lh):
			return "a forbidden request-header name (Fetch): scripts can never set it, so browsers never ask for it; remove it"
		}
		return ""
	}}
	exposeHeaderKind = tokenKind{noun: "header", fold: true, reject: func(_, lh string) string {
		if lh == "set-cookie" || lh == "set-cookie2" {
			return "browsers never expose Set-Cookie to scripts (Fetch: forbidden response-header name); remove it"
		}
		return ""
	}}
)

func (v *validator) methods(c *rules, list []string, field string) {
	c.methods = v.tokens(list, field, c.creds, methodKind)
	c.anyMethod = slices.Contains(c.methods, "*")
	c.allowMethods = strings.Join(c.methods, ", ")
}

func (v *validator) allowHeaders(c *rules, list []string, field string) {
	names := v.tokens(list, field, c.creds, requestHeaderKind)
	if len(names) > 0 {
		c.headers = make(map[string]struct{}, len(names))
	}
	for _, lh := range names {
		c.headers[lh] = struct{}{}
	}
	c.anyHeader = slices.Contains(names, "*")
	if !c.anyHeader {
		c.allowHeaders = strings.Join(names, ", ")
		return
	}
	// "*" covers every name except Authorization, which must be listed
	// explicitly (Fetch, CORS-preflight fetch; whatwg/fetch#251).
	c.allowHeaders = "*"
	if slices.Contains(names, "authorization") {
		c.allowHeaders = "*, authorization"
	}
}

func (v *validator) exposeHeaders(c *rules, list []string, field string) {
	c.expose = strings.Join(v.tokens(list, field, c.creds, exposeHeaderKind), ", ")
}

// routeName checks a route's name, which ends up in logs and metric labels.
func (v *validator) routeName(path, name string) {
	if name == "default" {
		v.add(path, name, `reserved for the top-level policy; choose another name`)
		return
	}
	if len(name) > 64 {
		v.add(path, name, "longer than 64 bytes; shorten it")
		return
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/' || c == ':') {
			v.add(path, name, "use only letters, digits and - _ . / : (it becomes a metrics label)")
			return
		}
	}
}

func (v *validator) hostSelectors(list []string, field string) []hostSelector {
	seen := map[string]string{}
	var out []hostSelector
	for i, h := range list {
		path := index(field, i)
		if h == "" {
			v.add(path, h, "empty string; remove it")
			continue
		}
		if strings.Count(h, ":") > 1 && !strings.HasPrefix(h, "[") {
			v.add(path, h, `write an IPv6 address in brackets, e.g. "[::1]"`)
			continue
		}
		if c := strings.LastIndexByte(h, ':'); c >= 0 && !strings.HasSuffix(h, "]") {
			v.add(path, h, "hosts match :authority without its port; remove "+strconv.Quote(h[c:]))
			continue
		}
		var o originSpec
		if err := o.setHost(h); err != nil {
			v.add(path, h, err.Error())
			continue
		}
		key := o.host
		if o.wildcard {
			key = "*." + key
		}
		if other, dup := seen[key]; dup {
			v.add(path, h, "duplicate of "+other+"; remove one")
			continue
		}
		seen[key] = path
		out = append(out, hostSelector{host: o.host, wildcard: o.wildcard})
	}
	return out
}

func (v *validator) pathPrefixes(list []string, field string) []string {
	return v.plainList(list, field, func(s string) string {
		if s[0] != '/' {
			return `a path prefix starts with "/"`
		}
		return ""
	})
}

func (v *validator) routeNames(list []string, field string) []string {
	return v.plainList(list, field, func(string) string { return "" })
}

// plainList checks a list of printable-ASCII strings for empties and
// duplicates plus an extra rule.
func (v *validator) plainList(list []string, field string, rule func(string) string) []string {
	seen := map[string]string{}
	var out []string
	for i, s := range list {
		path := index(field, i)
		if s == "" {
			v.add(path, s, "empty string; remove it")
			continue
		}
		if !printable(s) {
			v.add(path, s, "contains a space or a non-printable or non-ASCII byte; requests never carry one here")
			continue
		}
		if msg := rule(s); msg != "" {
			v.add(path, s, msg)
			continue
		}
		if other, dup := seen[s]; dup {
			v.add(path, s, "duplicate of "+other+"; remove one")
			continue
		}
		seen[s] = path
		out = append(out, s)
	}
	return out
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// selectorKey identifies a route's selectors irrespective of order.
func selectorKey(r *route) string {
	hosts := make([]string, 0, len(r.hosts))
	for _, h := range r.hosts {
		if h.wildcard {
			hosts = append(hosts, "*."+h.host)
		} else {
			hosts = append(hosts, h.host)
		}
	}
	slices.Sort(hosts)
	prefixes := slices.Sorted(slices.Values(r.prefixes))
	names := slices.Sorted(slices.Values(r.routeNames))
	return strings.Join(hosts, "\n") + "\x00" + strings.Join(prefixes, "\n") + "\x00" + strings.Join(names, "\n")
}
