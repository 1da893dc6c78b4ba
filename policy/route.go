package policy

import "strings"

// pick returns the policy for r: the first route whose every non-empty
// selector matches, else the default policy, else nil.
func (p *Policy) pick(r *Request) *rules {
	for i := range p.routes {
		if p.routes[i].matches(r) {
			return p.routes[i].rules
		}
	}
	return p.def
}

func (rt *route) matches(r *Request) bool {
	if len(rt.hosts) > 0 {
		host := authorityHost(r.Authority)
		ok := false
		for i := range rt.hosts {
			if rt.hosts[i].match(host) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(rt.prefixes) > 0 {
		ok := false
		for _, pre := range rt.prefixes {
			if strings.HasPrefix(r.Path, pre) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(rt.routeNames) > 0 {
		ok := false
		for _, n := range rt.routeNames {
			if r.RouteName == n {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// authorityHost strips the port from :authority ("[::1]:8080" → "[::1]").
func authorityHost(a string) string {
	if strings.HasPrefix(a, "[") {
		if end := strings.IndexByte(a, ']'); end >= 0 {
			return a[:end+1]
		}
		return a
	}
	if c := strings.LastIndexByte(a, ':'); c >= 0 {
		return a[:c]
	}
	return a
}

// match compares host case-insensitively (ASCII only: strings.EqualFold
// would also fold e.g. the Kelvin sign onto "k").
func (h *hostSelector) match(host string) bool {
	if !h.wildcard {
		return asciiEqualFold(host, h.host)
	}
	n := len(host) - len(h.host) - 1
	if n < 1 || host[n] != '.' || !asciiEqualFold(host[n+1:], h.host) {
		return false
	}
	return host[0] != '.' && !strings.Contains(host[:n], "..")
}

// asciiEqualFold compares s with lower, which is already lowercase.
func asciiEqualFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
