package policy

// maxOriginLen bounds the Origin header: scheme (a few bytes) + "://" +
// a 253-byte domain + ":65535", rounded as other implementations do
// (jub0bs/cors uses the same figure). Anything longer is malformed.
const maxOriginLen = 326

// reqOrigin is a strictly parsed request Origin. Its strings are
// substrings of the header value: parsing never allocates.
type reqOrigin struct {
	scheme string
	host   string // as sent: not lowercased (comparison is byte-exact)
	port   string // "" when absent
	// hostPort is everything after "://", compared with :authority by
	// crossOriginProtection.
	hostPort string
}

// parseRequestOrigin accepts exactly scheme "://" host [":" port] where
// scheme is [A-Za-z][A-Za-z0-9+.-]*, host is a non-empty run of
// [A-Za-z0-9._-] or a bracketed IPv6 literal of [0-9A-Fa-f:.], and port is
// 0–65535 without leading zeros (the URL standard accepts port 0). No userinfo, path, query or fragment can
// get through because '@', '/', '?' and '#' are not host characters; nor
// can CR, LF, NUL or any other control byte, so the value is safe to
// reflect in a response header.
func parseRequestOrigin(s string) (reqOrigin, bool) {
	var o reqOrigin
	if len(s) > maxOriginLen || len(s) == 0 {
		return o, false
	}
	c := s[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return o, false
	}
	i := 1
	for ; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			continue
		}
		break
	}
	if len(s)-i < 4 || s[i] != ':' || s[i+1] != '/' || s[i+2] != '/' {
		return o, false
	}
	o.scheme = s[:i]
	rest := s[i+3:]
	o.hostPort = rest
	j := 0
	if rest[0] == '[' {
		j = 1
		for j < len(rest) && rest[j] != ']' {
			c := rest[j]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.') {
				return o, false
			}
			j++
		}
		if j == len(rest) || j < 3 { // no ']' or "[]"/"[x]"
			return o, false
		}
		j++ // include ']'
	} else {
		for j < len(rest) {
			c := rest[j]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
				break
			}
			j++
		}
		if j == 0 {
			return o, false
		}
	}
	o.host = rest[:j]
	if j == len(rest) {
		return o, true
	}
	if rest[j] != ':' {
		return o, false
	}
	p := rest[j+1:]
	if len(p) == 0 || len(p) > 5 || (p[0] == '0' && len(p) > 1) {
		return o, false // the URL serializer never writes leading zeros
	}
	n := 0
	for k := 0; k < len(p); k++ {
		if p[k] < '0' || p[k] > '9' {
			return o, false
		}
		n = n*10 + int(p[k]-'0')
	}
	if n > 65535 {
		return o, false
	}
	o.port = p
	return o, true
}
