package policy

// Bounds on Access-Control-Request-Headers. Browsers send a short list of
// lowercase names; anything beyond these bounds is refused without being
// scanned further, so a comma flood costs nothing (rs/cors CVE-2025-47908).
// RequestLines (lines.go) stops joining a split header one byte past
// maxRequestHeadersLen.
const (
	maxRequestHeadersLen = 4096
	maxACRHElements      = 64
)

// checkHeaders parses Access-Control-Request-Headers as a comma-separated
// list of RFC 9110 tokens with optional whitespace (SP, HTAB) around each
// element, and checks every name against the policy case-insensitively.
//
// The names must come in strictly increasing order (compared
// case-insensitively): sorted and without duplicates. Browsers build the
// list that way (Fetch, "CORS-unsafe request-header names": sorted,
// de-duplicated, lowercase) and intermediaries may only combine or split
// field lines, never reorder them (RFC 9110 §5.3), so an unsorted or
// repeated list never comes from a browser. Refusing it at the first
// name out of order bounds the scan by the number of allowed names: one
// allowed name repeated to 4 KB is refused at its second element instead
// of costing 64 lookups (issue 10). jub0bs/cors applies the same rule.
//
// Empty elements ("a,,b", a trailing comma) are tolerated: RFC 9110 §5.6.1
// tells recipients to ignore a reasonable number of them, and
// intermediaries that merge header lines produce them. They count toward
// the 64-element bound. It never allocates.
func (ru *rules) checkHeaders(v string) (Reason, string) {
	if len(v) > maxRequestHeadersLen {
		return ReasonHeadersMalformed, ""
	}
	elements := 0
	start := 0
	prev := ""
	for i := 0; i <= len(v); i++ {
		if i < len(v) && v[i] != ',' {
			continue
		}
		elements++
		if elements > maxACRHElements {
			return ReasonHeadersMalformed, ""
		}
		name := trimOWS(v[start:i])
		start = i + 1
		if name == "" {
			continue
		}
		if !isToken(name) || (prev != "" && !foldLess(prev, name)) {
			return ReasonHeadersMalformed, ""
		}
		if !ru.headerAllowed(name) {
			return ReasonHeaderNotAllowed, name
		}
		prev = name
	}
	return ReasonAllowed, ""
}

// foldLess reports whether a sorts strictly before b once both are
// lowercased (ASCII: they are tokens).
func foldLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lowerASCII(a[i]), lowerASCII(b[i])
		if ca != cb {
			return ca < cb
		}
	}
	return len(a) < len(b)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// headerAllowed looks name up lowercased. Browsers send it lowercase
// already, so that case is looked up as it is; otherwise it is lowercased
// into a stack buffer (Go does not allocate for a string(bytes)
// conversion used as a map index or in a comparison).
func (ru *rules) headerAllowed(name string) bool {
	if len(name) > maxHeaderNameLen {
		// Longer than any configured name, and than "authorization", so
		// only "*" can cover it.
		return ru.anyHeader
	}
	if !hasUpper(name) {
		if ru.anyHeader && name != "authorization" {
			return true
		}
		_, ok := ru.headers[name]
		return ok
	}
	var buf [maxHeaderNameLen]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	lower := buf[:len(name)]
	if ru.anyHeader && string(lower) != "authorization" {
		return true
	}
	_, ok := ru.headers[string(lower)]
	return ok
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}
