package main

import (
	"iter"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// readRequest collects what the policy needs with as few host calls as
// possible. When the policy needs no routing or cross-origin-protection
// details, most requests (no Origin) are answered by one lookup. Otherwise,
// and for every request with Origin, one call fetches every header line,
// which is also the only way to see a repeated Origin
// (proxy_get_header_map_value returns the first line only). A policy that
// needs the details skips the lookup: it needs the lines either way.
//
// The strings alias host-returned memory valid only during this callback;
// the caller copies the Origin it keeps.
func readRequest(p *policy.Policy) policy.Request {
	var r policy.Request
	if !p.NeedsRequestDetails() {
		if _, found := abi.GetHeader(abi.RequestHeaders, "origin"); !found {
			return r
		}
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
		r.AccessControlRequestHeaders = joinLines(pairs.All(), "access-control-request-headers", maxJoinedACRH)
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

// maxJoinedACRH is the engine's bound on Access-Control-Request-Headers
// plus one: a joined value that long is refused as malformed whatever
// follows, so joining stops there.
const maxJoinedACRH = policy.MaxRequestHeadersLen + 1

// joinLines comma-joins the lines of a header, as several lines of a list
// header mean one list (RFC 9110 §5.3), up to max bytes: anything longer
// is cut to max, so a value over the engine's bound stays over it (and is
// refused the same way) without being copied in full. Rare (a client or
// proxy splitting Access-Control-Request-Headers), so one copy is fine.
func joinLines(lines iter.Seq2[string, string], name string, max int) string {
	n := -1
	for k, v := range lines {
		if k == name {
			if n += len(v) + 1; n >= max {
				break
			}
		}
	}
	buf := make([]byte, 0, min(n, max))
	for k, v := range lines {
		if k != name {
			continue
		}
		if len(buf) > 0 {
			buf = append(buf, ',')
		}
		if room := max - len(buf); len(v) >= room {
			buf = append(buf, v[:room]...)
			break
		}
		buf = append(buf, v...)
	}
	return string(buf)
}
