package policy

import (
	"strings"
	"testing"
)

func TestParseConfigOrigin(t *testing.T) {
	tests := []struct {
		name, in string
		norm     string // "" when an error is expected
		errPart  string
	}{
		{"exact https", "https://app.example.com", "https://app.example.com", ""},
		{"uppercase normalized", "HTTPS://App.Example.COM", "https://app.example.com", ""},
		{"port kept", "https://app.example.com:8443", "https://app.example.com:8443", ""},
		{"any port", "http://localhost:*", "http://localhost:*", ""},
		{"wildcard", "https://*.example.com", "https://*.example.com", ""},
		{"wildcard any port", "https://*.example.com:*", "https://*.example.com:*", ""},
		{"IDN to punycode", "https://bücher.example", "https://xn--bcher-kva.example", ""},
		{"IDN wildcard uppercase", "https://*.BÜCHER.example", "https://*.xn--bcher-kva.example", ""},
		{"IDN width-folded", "https://ｅｘａｍｐｌｅ.com", "https://example.com", ""},
		{"IDN nontransitional like browsers (ß kept)", "https://faß.example", "https://xn--fa-hia.example", ""},
		{"punycode kept", "https://xn--bcher-kva.example", "https://xn--bcher-kva.example", ""},
		{"IPv4", "http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"IPv6", "http://[::1]:8080", "http://[::1]:8080", ""},
		{"IPv6 uppercase", "http://[2001:DB8::1]", "http://[2001:db8::1]", ""},
		{"other scheme", "chrome-extension://abcdef", "chrome-extension://abcdef", ""},
		{"underscore label", "https://my_app.example.com", "https://my_app.example.com", ""},
		{"any", "*", "*", ""},

		{"null", "null", "", "any site can produce it"},
		{"NULL", "NULL", "", "any site can produce it"},
		{"file", "file://", "", "opaque origin"},
		{"no scheme", "app.example.com", "", "not an origin"},
		{"scheme wildcard", "*://app.example.com", "", "cannot be a wildcard"},
		{"bad scheme", "1http://a.com", "", "invalid scheme"},
		{"trailing slash", "https://a.com/", "", "trailing slash"},
		{"path", "https://a.com/x", "", "no path"},
		{"query", "https://a.com?x", "", "no query"},
		{"fragment", "https://a.com#x", "", "no fragment"},
		{"userinfo", "https://u@a.com", "", "no userinfo"},
		{"default https port", "https://a.com:443", "", "default port"},
		{"default http port", "http://a.com:80", "", "default port"},
		{"443 on http is not default", "http://a.com:443", "http://a.com:443", ""},
		{"port zero", "https://a.com:0", "", "port 0"},
		{"port leading zero", "https://a.com:080", "", "leading zeros"},
		{"port too big", "https://a.com:70000", "", "out of range"},
		{"empty port", "https://a.com:", "", "empty port"},
		{"mid-label wildcard", "https://foo*.example.com", "", "whole leftmost label"},
		{"inner wildcard", "https://a.*.example.com", "", "whole leftmost label"},
		{"bare wildcard host", "https://*", "", "whole leftmost label"},
		{"wildcard over IP", "https://*.0.0.1", "", "non-canonical IP literal"},
		{"short IPv4", "http://127.1", "", "non-canonical IP literal"},
		{"hex IPv4", "http://0x7f.0.0.1", "", "non-canonical IP literal"},
		{"hex last label", "http://1.2.3.0x4", "", "non-canonical IP literal"},
		{"0x prefix that is not hex is a name", "http://a.0xg", "http://a.0xg", ""},
		{"octal-looking IPv4", "http://127.000.0.1", "", "non-canonical IP literal"},
		{"uncompressed IPv6", "http://[0:0:0:0:0:0:0:1]", "", `browsers send "[::1]"`},
		{"IPv4-mapped dotted", "http://[::ffff:127.0.0.1]", "", `browsers send "[::ffff:7f00:1]"`},
		{"IPv6 zone", "http://[fe80::1%25eth0]", "", "not a valid IPv6 literal"},
		{"unterminated IPv6", "http://[::1", "", "unterminated IPv6"},
		{"empty label", "https://a..com", "", "empty label"},
		{"trailing dot", "https://a.com.", "", "trailing dot"},
		{"space", "https://a b.com", "", "invalid character"},
		{"CRLF", "https://a.com\r\n", "", "invalid character"},
		{"bad punycode", "https://xn--zz.example", "", "internationalized"},
		{"long label", "https://" + strings.Repeat("a", 64) + ".com", "", "longer than 63"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseConfigOrigin(tt.in)
			if tt.errPart == "" {
				if err != nil || o.norm != tt.norm {
					t.Errorf("parseConfigOrigin(%q): got %q, %v; want %q", tt.in, o.norm, err, tt.norm)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("parseConfigOrigin(%q): got %q, %v; want an error containing %q", tt.in, o.norm, err, tt.errPart)
			}
		})
	}
}

func TestParseRequestOrigin(t *testing.T) {
	tests := []struct {
		name, in           string
		ok                 bool
		scheme, host, port string
	}{
		{"plain", "https://app.example.com", true, "https", "app.example.com", ""},
		{"port", "http://localhost:8080", true, "http", "localhost", "8080"},
		{"port 65535", "http://a:65535", true, "http", "a", "65535"},
		{"port 0", "http://a:0", true, "http", "a", "0"},
		{"IPv6", "http://[::1]:3000", true, "http", "[::1]", "3000"},
		{"uppercase kept verbatim", "HTTPS://APP.example.com", true, "HTTPS", "APP.example.com", ""},
		{"extension scheme", "chrome-extension://abc", true, "chrome-extension", "abc", ""},

		{"empty", "", false, "", "", ""},
		{"null", "null", false, "", "", ""},
		{"no host", "https://", false, "", "", ""},
		{"trailing slash", "https://a.com/", false, "", "", ""},
		{"path", "https://a.com/x", false, "", "", ""},
		{"userinfo", "https://u@a.com", false, "", "", ""},
		{"query", "https://a.com?x", false, "", "", ""},
		{"empty port", "https://a.com:", false, "", "", ""},
		{"leading zero port", "https://a.com:0443", false, "", "", ""},
		{"port too big", "https://a.com:65536", false, "", "", ""},
		{"port too long", "https://a.com:100000", false, "", "", ""},
		{"port letters", "https://a.com:8o", false, "", "", ""},
		{"CR", "https://a.com\r", false, "", "", ""},
		{"LF inside", "https://a\n.com", false, "", "", ""},
		{"NUL", "https://a.com\x00", false, "", "", ""},
		{"space", "https://a .com", false, "", "", ""},
		{"star", "https://*.a.com", false, "", "", ""},
		{"non-ASCII", "https://bücher.example", false, "", "", ""},
		{"empty IPv6", "http://[]", false, "", "", ""},
		{"unterminated IPv6", "http://[::1", false, "", "", ""},
		{"bad IPv6 char", "http://[::g]", false, "", "", ""},
		{"scheme digit first", "1http://a.com", false, "", "", ""},
		{"no slashes", "https:a.com", false, "", "", ""},
		{"too long", "https://" + strings.Repeat("a", 319), false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := parseRequestOrigin(tt.in)
			if ok != tt.ok || (ok && (o.scheme != tt.scheme || o.host != tt.host || o.port != tt.port)) {
				t.Errorf("parseRequestOrigin(%q): got %q %q %q %v; want %q %q %q %v", tt.in, o.scheme, o.host, o.port, ok, tt.scheme, tt.host, tt.port, tt.ok)
			}
		})
	}
	// The bound is exact: 326 bytes parse, 327 do not.
	at := "https://" + strings.Repeat("a", maxOriginLen-len("https://"))
	if _, ok := parseRequestOrigin(at); !ok {
		t.Errorf("parseRequestOrigin(%d bytes): got malformed; want ok", len(at))
	}
	if _, ok := parseRequestOrigin(at + "a"); ok {
		t.Errorf("parseRequestOrigin(%d bytes): got ok; want malformed", len(at)+1)
	}
}

func TestWildcardLabels(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"a.example.com", true},
		{"a.b.example.com", true},
		{"xn--bcher-kva.example.com", true},
		{"a_b.example.com", true},
		{"example.com", false},
		{".example.com", false},
		{"a..example.com", false},
		{"evilexample.com", false},
		{"a.example.com.evil.com", false},
		{"A.example.com", false},
		{"a.EXAMPLE.com", false},
		{"a.example.co", false},
		{strings.Repeat("a", 63) + ".example.com", true},
		{strings.Repeat("a", 64) + ".example.com", false},
		{"a." + strings.Repeat("a", 64) + ".example.com", false},
	}
	for _, tt := range tests {
		if got := wildcardLabels(tt.host, "example.com"); got != tt.want {
			t.Errorf("wildcardLabels(%q, example.com): got %v; want %v", tt.host, got, tt.want)
		}
	}
}

// TestOriginMatching: which request Origins a set of allowOrigins entries
// admits. Byte-exact against the normalized config, whole labels for
// wildcards, port rules per entry.
func TestOriginMatching(t *testing.T) {
	p := mustCompile(t, `{"allowOrigins": [
		"https://*.example.com", "https://*.example.com:8443", "https://*.b.example.org:*",
		"http://dev.example.net:*", "https://exact.example.net", "wss://*.example.com"
	]}`)
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://a.example.com", true},
		{"https://a.example.com:8443", true},
		{"https://a.example.com:9000", false},
		{"https://example.com:8443", false},
		{"http://a.example.com", false},
		{"wss://a.example.com", true},
		{"https://x.b.example.org", true},
		{"https://x.b.example.org:1", true},
		{"https://b.example.org", false},
		{"https://xb.example.org", false},
		{"http://dev.example.net", true},
		{"http://dev.example.net:3000", true},
		{"http://x.dev.example.net:3000", false},
		{"https://dev.example.net:3000", false},
		{"https://exact.example.net", true},
		{"https://exact.example.net:8443", false},
		{"https://a.exact.example.net", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			d := p.Evaluate(&Request{Method: "GET", Origin: tt.origin})
			if d.Allowed != tt.want {
				t.Errorf("Evaluate(Origin %q).Allowed: got %v (%v); want %v", tt.origin, d.Allowed, d.Reason, tt.want)
			}
		})
	}
}
