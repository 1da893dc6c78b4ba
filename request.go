package main

import (
	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// readRequest collects what the policy needs with as few host calls as
// possible. Most requests carry no Origin: one lookup answers them (when
// the policy needs no routing or cross-origin-protection details).
// Otherwise one call fetches every header line, which is also the only way
// to see a repeated Origin (proxy_get_header_map_value returns the first
// line only).
//
// The strings alias host-returned memory valid only during this callback;
// the caller copies the Origin it keeps.
func readRequest(p *policy.Policy) policy.Request {
	var r policy.Request
	if _, found := abi.GetHeader(abi.RequestHeaders, "origin"); !found && !p.NeedsRequestDetails() {
		return r
	}
	pairs, st := abi.GetHeaders(abi.RequestHeaders)
	if st != abi.StatusOK {
		// Cannot see the request: decide as if it were a repeated Origin,
		// which no policy allows.
		r.MultipleOrigins = true
		return r
	}
	origins, acrh := 0, 0
	for k, v := range pairs.All() {
		switch k {
		case ":method":
			r.Method = v
		case ":authority":
			r.Authority = v
		case ":path":
			r.Path = v
		case "origin":
			if origins++; origins == 1 {
				r.Origin = v
			}
		case "access-control-request-method":
			r.AccessControlRequestMethod = first(r.AccessControlRequestMethod, v)
		case "access-control-request-headers":
			if acrh++; acrh == 1 {
				r.AccessControlRequestHeaders = v
			}
		case "access-control-request-private-network":
			r.AccessControlRequestPrivateNetwork = first(r.AccessControlRequestPrivateNetwork, v)
		case "sec-fetch-site":
			r.SecFetchSite = first(r.SecFetchSite, v)
		}
	}
	r.MultipleOrigins = origins > 1
	if acrh > 1 {
		r.AccessControlRequestHeaders = joinLines(pairs, "access-control-request-headers")
	}
	if p.NeedsRouteName() {
		r.RouteName, _ = abi.GetProperty("route_name")
	}
	return r
}

func first(have, v string) string {
	if have != "" {
		return have
	}
	return v
}

// joinLines comma-joins every line of a header, as several lines of a
// list header mean one list (RFC 9110 §5.3). Rare (a client or proxy
// splitting Access-Control-Request-Headers), so one copy is fine; two
// passes keep it linear in the input.
func joinLines(pairs abi.Pairs, name string) string {
	n := 0
	for k, v := range pairs.All() {
		if k == name {
			n += len(v) + 1
		}
	}
	buf := make([]byte, 0, n)
	for k, v := range pairs.All() {
		if k == name {
			if len(buf) > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, v...)
		}
	}
	return string(buf)
}
