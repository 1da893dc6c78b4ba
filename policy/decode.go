package policy

import (
	"strconv"
	"time"
)

// Copying the checked tree into Config. The checker has already removed
// every unknown or duplicate key and every value of the wrong type, so
// each field here is known, exactly spelt, and of the right JSON type.

func decodeConfig(n *node) Config {
	var cfg Config
	n.fields(func(k string, v *node) {
		switch k {
		case "$schema":
			cfg.Schema = v.str
		case "routes":
			cfg.Routes = make([]Route, len(v.kids))
			for j := range v.kids {
				decodeRoute(&v.kids[j], &cfg.Routes[j])
			}
		default:
			decodeRule(k, v, &cfg.Rules)
		}
	})
	return cfg
}

func decodeRoute(n *node, r *Route) {
	n.fields(func(k string, v *node) {
		switch k {
		case "name":
			r.Name = v.str
		case "hosts":
			r.Hosts = stringList(v)
		case "pathPrefixes":
			r.PathPrefixes = stringList(v)
		case "routeNames":
			r.RouteNames = stringList(v)
		default:
			decodeRule(k, v, &r.Rules)
		}
	})
}

func decodeRule(k string, v *node, r *Rules) {
	switch k {
	case "allowOrigins":
		r.AllowOrigins = stringList(v)
	case "allowOriginRegexes":
		r.AllowOriginRegexes = stringList(v)
	case "allowMethods":
		r.AllowMethods = stringList(v)
	case "allowHeaders":
		r.AllowHeaders = stringList(v)
	case "exposeHeaders":
		r.ExposeHeaders = stringList(v)
	case "allowCredentials":
		r.AllowCredentials = v.str == "true"
	case "maxAge":
		d, _ := maxAgeValue(v) // checked
		r.MaxAge = &Duration{d}
	case "allowPrivateNetwork":
		r.AllowPrivateNetwork = v.str == "true"
	case "preflightStatus":
		n, _ := strconv.ParseInt(v.str, 10, 32) // checked
		r.PreflightStatus = int(n)
	case "unmatchedPreflights":
		r.UnmatchedPreflights = v.str
	case "crossOriginProtection":
		r.CrossOriginProtection = v.str == "true"
	case "upstreamCors":
		r.UpstreamCors = v.str
	case "shadow":
		r.Shadow = v.str == "true"
	case "dangerouslyAllowInsecureOrigins":
		r.DangerouslyAllowInsecureOrigins = v.str == "true"
	}
}

// stringList is an array of strings; an empty array stays non-nil, as
// encoding/json decodes it.
func stringList(n *node) []string {
	l := make([]string, len(n.kids))
	for i := range n.kids {
		l[i] = n.kids[i].str
	}
	return l
}

// maxAgeValue decodes a maxAge node: a JSON number or a duration string.
func maxAgeValue(n *node) (time.Duration, error) {
	if n.kind == kString {
		return maxAgeString(n.str)
	}
	return maxAgeNumber(n.str)
}
