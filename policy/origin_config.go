package policy

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/policy/internal/psl"
	"golang.org/x/net/idna"
)

// originSpec is one validated, normalized entry of allowOrigins.
type originSpec struct {
	any      bool   // "*"
	scheme   string // lowercase
	host     string // lowercase ASCII (punycode); for a wildcard, the part after "*."
	wildcard bool   // "https://*.example.com": one or more labels before host
	port     string // "" = no port, "*" = any port, else decimal digits
	ip       bool   // host is an IP literal
	norm     string // the normalized serialization
}

// parseConfigOrigin validates and normalizes one allowOrigins entry. The
// returned error is the reason and fix only; the caller adds path and value.
//
// A serialized origin (HTML "serialization of an origin") is
// scheme "://" host [":" port] with lowercase scheme and host, no default
// port, no path and no trailing slash. Config entries must already be in
// that form (apart from case and Unicode hosts, which are normalized) so
// that the request Origin can be compared byte for byte.
func parseConfigOrigin(s string) (originSpec, error) {
	var o originSpec
	switch {
	case s == "*":
		o.any, o.norm = true, "*"
		return o, nil
	case strings.EqualFold(s, "null"):
		return o, errors.New("sandboxed iframes and file: and data: documents all send the origin null, so any site can produce it; remove it")
	}
	i := strings.Index(s, "://")
	if i <= 0 {
		return o, errors.New(`not an origin; write scheme://host[:port], e.g. "https://app.example.com"`)
	}
	o.scheme = strings.ToLower(s[:i])
	if o.scheme == "*" {
		return o, errors.New("a scheme cannot be a wildcard; list each scheme's origins")
	}
	if !validScheme(o.scheme) {
		return o, errors.New(`invalid scheme; write scheme://host[:port], e.g. "https://app.example.com"`)
	}
	switch o.scheme {
	case "file", "data", "blob", "about", "javascript":
		return o, errors.New(o.scheme + ": URLs have an opaque origin that browsers send as null; remove it")
	}
	rest := s[i+3:]
	if cut := strings.IndexAny(rest, "/?#"); cut >= 0 {
		switch {
		case rest[cut:] == "/":
			return o, errors.New("trailing slash: browsers never send one, so this never matches; remove it")
		case rest[cut] == '/':
			return o, errors.New("an origin has no path; remove " + strconv.Quote(rest[cut:]))
		case rest[cut] == '?':
			return o, errors.New("an origin has no query; remove " + strconv.Quote(rest[cut:]))
		default:
			return o, errors.New("an origin has no fragment; remove " + strconv.Quote(rest[cut:]))
		}
	}
	if strings.Contains(rest, "@") {
		return o, errors.New("an origin has no userinfo; remove everything up to and including \"@\"")
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return o, err
	}
	if err := o.setPort(port); err != nil {
		return o, err
	}
	if err := o.setHost(host); err != nil {
		return o, err
	}
	o.norm = o.serialize(s)
	return o, nil
}

// serialize is the normalized origin; s when it is already written that
// way (the usual case), so plugin start allocates nothing for it.
func (o *originSpec) serialize(s string) string {
	wild, colon := "", ""
	if o.wildcard {
		wild = "*."
	}
	if o.port != "" {
		colon = ":"
	}
	if len(s) == len(o.scheme)+3+len(wild)+len(o.host)+len(colon)+len(o.port) {
		rest, ok := strings.CutPrefix(s, o.scheme)
		rest, ok2 := strings.CutPrefix(rest, "://"+wild)
		rest, ok3 := strings.CutPrefix(rest, o.host)
		if ok && ok2 && ok3 && rest == colon+o.port {
			return s
		}
	}
	return o.scheme + "://" + wild + o.host + colon + o.port
}

func validScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// splitHostPort splits "host[:port]" or "[v6][:port]"; hasPort is
// reported by port != "" except for an empty port, which is an error.
func splitHostPort(hp string) (host, port string, err error) {
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", "", errors.New("unterminated IPv6 literal; write it as \"[::1]\"")
		}
		host, after := hp[:end+1], hp[end+1:]
		if after == "" {
			return host, "", nil
		}
		if after[0] != ':' {
			return "", "", errors.New("unexpected text after the IPv6 literal")
		}
		if after == ":" {
			return "", "", errors.New("empty port; remove the colon")
		}
		return host, after[1:], nil
	}
	if c := strings.LastIndexByte(hp, ':'); c >= 0 {
		if c == len(hp)-1 {
			return "", "", errors.New("empty port; remove the colon")
		}
		return hp[:c], hp[c+1:], nil
	}
	return hp, "", nil
}

func (o *originSpec) setPort(p string) error {
	if p == "" || p == "*" {
		o.port = p
		return nil
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return errors.New("invalid port " + strconv.Quote(p) + `; write a number from 1 to 65535, or "*" for any port`)
		}
	}
	if p == "0" {
		return errors.New("port 0 is never a server's port; write the real port, or \"*\" for any port")
	}
	if p[0] == '0' {
		return errors.New("port " + strconv.Quote(p) + ": browsers never send leading zeros; remove them")
	}
	n, err := strconv.Atoi(p)
	if err != nil || n > 65535 {
		return errors.New("port " + strconv.Quote(p) + " out of range; write a number from 1 to 65535")
	}
	if (o.scheme == "https" && n == 443) || (o.scheme == "http" && n == 80) {
		return errors.New("the default port is never part of a serialized origin, so browsers never send \":" + strconv.Itoa(n) + "\"; remove it")
	}
	o.port = p
	return nil
}

func (o *originSpec) setHost(h string) error {
	if h == "" {
		return errors.New("missing host")
	}
	if h[0] == '[' {
		if len(h) < 2 || h[len(h)-1] != ']' {
			return errors.New("unterminated IPv6 literal; write it as \"[::1]\"")
		}
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return errors.New("not a valid IPv6 literal")
		}
		canon := "[" + serializeIPv6(a) + "]"
		if canon != strings.ToLower(h) {
			return errors.New("non-canonical IP literal: browsers send " + strconv.Quote(canon) + "; write that")
		}
		o.host, o.ip = canon, true
		return nil
	}
	if strings.HasPrefix(h, "*.") {
		o.wildcard = true
		h = h[2:]
	}
	if strings.Contains(h, "*") {
		return errors.New(`a wildcard must be the whole leftmost label: "*.example.com" matches one or more labels; mid-label or inner wildcards are not supported (use allowOriginRegexes)`)
	}
	if h == "" {
		return errors.New("missing host after \"*.\"")
	}
	if strings.HasSuffix(h, ".") {
		// "https://host." is a valid serialized origin, a different one
		// from "https://host", that browsers send for pages loaded from
		// the fully-qualified name. Nobody means to trust only that
		// spelling, and matching both would need two entries: refused,
		// with the truth in the message.
		return errors.New(`trailing dot: "host." is a different host from "host" (browsers send it only for pages loaded from the fully-qualified name) and is not supported; remove the dot`)
	}
	if endsInNumber(h) {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is4() || a.String() != h {
			return errors.New("non-canonical IP literal: browsers serialize IPv4 addresses as four decimal parts without leading zeros; write that form")
		}
		if o.wildcard {
			return errors.New("a wildcard cannot precede an IP address; list the origin exactly")
		}
		o.host, o.ip = h, true
		return nil
	}
	ascii, err := normalizeDomain(h)
	if err != nil {
		return err
	}
	o.host = ascii
	return nil
}

// endsInNumber follows the URL standard's "ends in a number checker": such
// hosts are parsed as IPv4 addresses by browsers (so "127.1" becomes
// "127.0.0.1").
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if allDigits(last) {
		return true
	}
	return len(last) >= 2 && (last[:2] == "0x" || last[:2] == "0X") && allHex(last[2:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(s[i] >= '0' && s[i] <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// normalizeDomain lowercases a domain and converts Unicode labels to
// punycode (UTS #46, as browsers do), then checks the result is a plain
// host: labels of [a-z0-9_-], 1–63 bytes, 253 bytes in all.
func normalizeDomain(h string) (string, error) {
	needIDNA := strings.Contains(strings.ToLower(h), "xn--")
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			needIDNA = true
			break
		}
	}
	if needIDNA {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", errors.New("not a valid internationalized domain name (" + err.Error() + ")")
		}
		h = a
	}
	h = strings.ToLower(h)
	if len(h) > 253 {
		return "", errors.New("host longer than 253 bytes")
	}
	for rest := h; ; {
		// One label at a time, without strings.Split's slice: plugin
		// start checks every host of every origin.
		label, more, found := strings.Cut(rest, ".")
		if label == "" {
			return "", errors.New("empty label in host")
		}
		if len(label) > 63 {
			return "", errors.New("label longer than 63 bytes in host")
		}
		for i := 0; i < len(label); i++ {
			if !hostByte(label[i]) {
				return "", errors.New("invalid character " + strconv.QuoteRune(rune(label[i])) + " in host")
			}
		}
		if !found {
			break
		}
		rest = more
	}
	return h, nil
}

// hostByte reports whether c may appear in a (lowercase) domain label.
func hostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// serializeIPv6 follows the URL standard's IPv6 serializer: lowercase hex
// pieces without leading zeros, the first longest run of two or more zero
// pieces compressed to "::", and never a dotted IPv4 tail (which
// netip.Addr.String uses for IPv4-mapped addresses).
func serializeIPv6(a netip.Addr) string {
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	start, length := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > length {
			start, length = i, j-i
		}
		i = j
	}
	var s strings.Builder
	for i := 0; i < 8; i++ {
		if i == start {
			if i == 0 {
				s.WriteString("::")
			} else {
				s.WriteByte(':')
			}
			i += length - 1
			continue
		}
		s.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
		if i < 7 {
			s.WriteByte(':')
		}
	}
	return s.String()
}

// isLoopback reports whether the origin's host is localhost or a loopback
// address, which a network attacker cannot reach, so plaintext http is
// acceptable for them even with credentials.
func (o *originSpec) isLoopback() bool {
	if o.ip {
		if o.host == "[::1]" {
			return true
		}
		a, err := netip.ParseAddr(o.host)
		return err == nil && a.Is4() && a.IsLoopback()
	}
	return o.host == "localhost" || strings.HasSuffix(o.host, ".localhost")
}

// overPublicSuffix reports whether a wildcard covers a public suffix
// (ICANN or private section of the list, e.g. "com", "co.uk",
// "github.io"). Unlisted top-level names count too, by the list's default
// "*" rule, except localhost, which is loopback by definition.
func (o *originSpec) overPublicSuffix() bool {
	if !o.wildcard || o.isLoopback() {
		return false
	}
	return psl.IsPublicSuffix(o.host)
}
