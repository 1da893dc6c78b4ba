package policy

// crossOriginBlocked follows Go 1.25's net/http.CrossOriginProtection
// (itself after Filippo Valsorda's "Cross-Site Request Forgery" analysis):
//
//  1. GET, HEAD and OPTIONS pass (they must not change state).
//  2. Sec-Fetch-Site "same-origin" or "none" passes.
//  3. Any other Sec-Fetch-Site is rejected unless the origin is trusted
//     (here: allowed by the CORS policy, or legitimate CORS writes break).
//  4. Without Sec-Fetch-Site (older browsers, non-browser clients): no
//     Origin passes; an Origin whose host[:port] equals :authority passes.
//  5. Everything else is rejected.
//
// trusted is whether the request's Origin is allowed by the policy.
func crossOriginBlocked(r *Request, trusted bool) bool {
	switch r.Method {
	case "GET", "HEAD", "OPTIONS":
		return false
	}
	switch r.SecFetchSite {
	case "same-origin", "none":
		return false
	case "":
	default:
		return !trusted
	}
	if r.Origin == "" && !r.MultipleOrigins {
		return false
	}
	if !r.MultipleOrigins {
		if o, ok := parseRequestOrigin(r.Origin); ok && asciiEqualFoldBoth(o.hostPort, r.Authority) {
			return false
		}
	}
	return !trusted
}

// asciiEqualFoldBoth compares two strings ASCII-case-insensitively.
func asciiEqualFoldBoth(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
