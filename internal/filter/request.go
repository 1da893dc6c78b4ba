package filter

import (
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
	// Which line of a repeated header counts, and how split lines are
	// joined, is policy's to decide (policy.RequestLines), so that
	// corshttp decides the same request the same way.
	var lines policy.RequestLines
	for k, v := range pairs.All() {
		lines.Add(k, v)
	}
	r = lines.Request()
	if p.NeedsRouteName() {
		r.RouteName, _ = abi.GetProperty("route_name")
	}
	return r
}
