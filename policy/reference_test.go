package policy_test

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// This file is a deliberately slow, independent statement of what a config
// allows, used by the fuzz targets as an oracle. It shares no code with the
// engine. It covers the forms the fuzz configs use: exact origins,
// "*", "scheme://*.suffix[:port]" (one or more whole lowercase labels,
// never the apex), "scheme://host:*" (any port) and regexes matched
// against the whole origin.

// refAllows reports whether rules allow origin.
func refAllows(rules *policy.Rules, origin string) bool {
	for _, e := range rules.AllowOrigins {
		if e == "*" {
			return true
		}
		if strings.Contains(e, "*") {
			// a pattern, never compared as a literal: the Origin
			// "https://*.example.com" is not a member of it.
			if refPatternAllows(e, origin) {
				return true
			}
			continue
		}
		if e == origin { // byte-exact: no lowercasing (issue 2 §1)
			return true
		}
	}
	for _, re := range rules.AllowOriginRegexes {
		if regexp.MustCompile(`^(?:` + re + `)$`).MatchString(origin) {
			return true
		}
	}
	return false
}

func refPatternAllows(entry, origin string) bool {
	scheme, hostport, ok := strings.Cut(entry, "://")
	if !ok || !strings.HasPrefix(origin, scheme+"://") {
		return false
	}
	oHostport := origin[len(scheme)+3:]
	eHost, ePort := refSplitPort(hostport)
	oHost, oPort := refSplitPort(oHostport)
	if oPort != "" && !refValidPort(oPort[1:]) {
		return false
	}
	switch {
	case ePort == ":*": // any port, or none
	case ePort != oPort:
		return false
	}
	if suffix, wild := strings.CutPrefix(eHost, "*."); wild {
		sub, ok := strings.CutSuffix(oHost, "."+suffix)
		if !ok || sub == "" {
			return false // the apex and "evilsuffix" never match
		}
		for _, label := range strings.Split(sub, ".") {
			if !refLabel(label) {
				return false
			}
		}
		return true
	}
	return ePort == ":*" && eHost == oHost
}

// refSplitPort splits "host:port" into "host" and ":port"; IPv6 literals
// keep their brackets.
func refSplitPort(hp string) (host, port string) {
	i := strings.LastIndexByte(hp, ':')
	if i < 0 || strings.IndexByte(hp[i:], ']') >= 0 {
		return hp, ""
	}
	return hp[:i], hp[i:]
}

// refValidPort: a serialized port is decimal, 0–65535, without leading
// zeros (the URL serializer never writes any).
func refValidPort(p string) bool {
	if p == "" || len(p) > 5 || (len(p) > 1 && p[0] == '0') {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}

// refLabel: a lowercase DNS label as a serialized origin carries it
// (browsers lowercase hosts and punycode-encode Unicode). No 63-byte
// limit: the URL standard's domain-to-ASCII runs with VerifyDnsLength
// false, so browsers serialize longer labels.
func refLabel(l string) bool {
	if l == "" {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// refHeaderAllowed reports whether a lowercase ACRH name is covered by
// allowHeaders: listed (case-insensitively), or "*" without credentials,
// which never covers authorization (whatwg/fetch#251).
func refHeaderAllowed(rules *policy.Rules, name string) bool {
	for _, h := range rules.AllowHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
		if h == "*" && !rules.AllowCredentials && !strings.EqualFold(name, "authorization") {
			return true
		}
	}
	return false
}

// refToken: RFC 9110 token, the grammar of a header name.
func refToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// refRules returns the rules a decision says it applied.
func refRules(cfg *policy.Config, d *policy.Decision) (*policy.Rules, bool) {
	if d.Route == "" {
		return nil, false
	}
	if d.RoutePath == "" {
		return &cfg.Rules, true
	}
	i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(d.RoutePath, "routes["), "]"))
	if err != nil || i < 0 || i >= len(cfg.Routes) {
		return nil, false
	}
	return &cfg.Routes[i].Rules, true
}

// refWellFormedOrigin: scheme "://" host [":" port] as the URL serializer
// writes it: lowercase scheme and DNS labels (or an IPv4 literal), a
// canonical non-default port, nothing else.
func refWellFormedOrigin(o string) bool {
	scheme, hp, ok := strings.Cut(o, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return false
	}
	host, port := refSplitPort(hp)
	if port != "" {
		if !refValidPort(port[1:]) || (scheme == "https" && port == ":443") || (scheme == "http" && port == ":80") {
			return false
		}
	}
	if host == "" {
		return false
	}
	for _, l := range strings.Split(host, ".") {
		if !refLabel(l) {
			return false
		}
	}
	return true
}

// refResolvable: within the bounds where an engine may legitimately refuse
// an origin the patterns cover: at most 326 bytes (issue 2 §3) and DNS
// labels of at most 63 bytes (RFC 1035 §2.3.4; no real site has a longer
// one, though browsers serialize it).
func refResolvable(origin string) bool {
	if len(origin) > 326 {
		return false
	}
	_, hp, _ := strings.Cut(origin, "://")
	host, _ := refSplitPort(hp)
	for _, l := range strings.Split(host, ".") {
		if len(l) > 63 {
			return false
		}
	}
	return true
}
