package policy

import "strings"

// isToken reports whether s is an RFC 9110 §5.6.2 token: 1*tchar.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tchar(s[i]) {
			return false
		}
	}
	return true
}

// tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA (RFC 9110 §5.6.2).
func tchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// forbiddenMethod: Fetch "forbidden method" (CONNECT, TRACE, TRACK),
// byte-case-insensitively. Browsers refuse to send them, so allowing them
// is always a mistake.
func forbiddenMethod(m string) bool {
	return strings.EqualFold(m, "CONNECT") || strings.EqualFold(m, "TRACE") || strings.EqualFold(m, "TRACK")
}

// forbiddenRequestHeaders is Fetch's "forbidden request-header" name list.
// Scripts can never set these, so a browser never asks for them in
// Access-Control-Request-Headers; listing one is a config mistake.
var forbiddenRequestHeaders = map[string]bool{
	"accept-charset":                 true,
	"accept-encoding":                true,
	"access-control-request-headers": true,
	"access-control-request-method":  true,
	"connection":                     true,
	"content-length":                 true,
	"cookie":                         true,
	"cookie2":                        true,
	"date":                           true,
	"dnt":                            true,
	"expect":                         true,
	"host":                           true,
	"keep-alive":                     true,
	"origin":                         true,
	"referer":                        true,
	"set-cookie":                     true,
	"te":                             true,
	"trailer":                        true,
	"transfer-encoding":              true,
	"upgrade":                        true,
	"via":                            true,
}

// forbiddenRequestHeader takes a lowercase name.
func forbiddenRequestHeader(name string) bool {
	return forbiddenRequestHeaders[name] || strings.HasPrefix(name, "proxy-") || strings.HasPrefix(name, "sec-")
}

// isSafelistedMethod: Fetch "CORS-safelisted method". A preflight asking
// for one of these passes the method check whatever allowMethods says
// (browsers never need Allow-Methods for them). Case-sensitive, as fetch
// only normalizes six method names.
func isSafelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }
