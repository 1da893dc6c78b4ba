package policy

import (
	"strings"
	"testing"
)

func TestCheckHeaders(t *testing.T) {
	listed := &rules{headers: map[string]struct{}{"content-type": {}, "x-request-id": {}, "authorization": {}}}
	star := &rules{anyHeader: true, headers: map[string]struct{}{"*": {}}}
	starAuthz := &rules{anyHeader: true, headers: map[string]struct{}{"*": {}, "authorization": {}}}
	tests := []struct {
		name   string
		ru     *rules
		acrh   string
		reason Reason
		detail string
	}{
		{"absent", listed, "", ReasonAllowed, ""},
		{"browser form", listed, "content-type,x-request-id", ReasonAllowed, ""},
		{"case-insensitive", listed, "Content-Type,X-Request-ID", ReasonAllowed, ""},
		{"OWS", listed, " content-type ,\tx-request-id\t", ReasonAllowed, ""},
		{"empty elements tolerated (RFC 9110 §5.6.1)", listed, ",content-type,,x-request-id,", ReasonAllowed, ""},
		{"only commas", listed, ",,,", ReasonAllowed, ""},
		{"not listed", listed, "content-type,x-other", ReasonHeaderNotAllowed, "x-other"},
		{"detail keeps the request's case", listed, "X-Other", ReasonHeaderNotAllowed, "X-Other"},
		{"inner space", listed, "content type", ReasonHeadersMalformed, ""},
		{"colon", listed, "content-type:", ReasonHeadersMalformed, ""},
		{"CR", listed, "content-type\r", ReasonHeadersMalformed, ""},
		{"semicolon", listed, "content-type;x", ReasonHeadersMalformed, ""},
		{"non-ASCII", listed, "cöntent-type", ReasonHeadersMalformed, ""},
		{"longer than any configured name", listed, strings.Repeat("x", 200), ReasonHeaderNotAllowed, strings.Repeat("x", 200)},
		{"* covers a name longer than any configured one", star, "x-" + strings.Repeat("a", 200), ReasonAllowed, ""},
		{"64 elements pass", listed, strings.Repeat("content-type,", 63) + "content-type", ReasonAllowed, ""},
		{"65 elements refused", listed, strings.Repeat("content-type,", 64) + "content-type", ReasonHeadersMalformed, ""},
		{"65 empty elements refused", listed, strings.Repeat(",", 64), ReasonHeadersMalformed, ""},
		{"over 4096 bytes refused unscanned", listed, strings.Repeat(" ", maxRequestHeadersLen+1), ReasonHeadersMalformed, ""},
		{"4096 bytes are parsed", listed, strings.Repeat("x", maxRequestHeadersLen), ReasonHeaderNotAllowed, strings.Repeat("x", maxRequestHeadersLen)},
		{"1 MiB comma flood", listed, strings.Repeat(",", 1<<20), ReasonHeadersMalformed, ""},
		{"star covers any name", star, "x-anything,content-type", ReasonAllowed, ""},
		{"star never covers authorization", star, "x-a,Authorization", ReasonHeaderNotAllowed, "Authorization"},
		{"authorization listed beside star", starAuthz, "x-a,authorization", ReasonAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, detail := tt.ru.checkHeaders(tt.acrh)
			if reason != tt.reason || detail != tt.detail {
				t.Errorf("checkHeaders(%.40q): got %v %q; want %v %q", tt.acrh, reason, detail, tt.reason, tt.detail)
			}
		})
	}
}

func TestCheckMethod(t *testing.T) {
	listed := &rules{methods: []string{"PUT", "patch"}}
	star := &rules{methods: []string{"*"}, anyMethod: true}
	tests := []struct {
		name   string
		ru     *rules
		m      string
		reason Reason
	}{
		{"safelisted GET", listed, "GET", ReasonAllowed},
		{"safelisted HEAD", listed, "HEAD", ReasonAllowed},
		{"safelisted POST", listed, "POST", ReasonAllowed},
		{"listed", listed, "PUT", ReasonAllowed},
		{"lowercase listed", listed, "patch", ReasonAllowed},
		{"case-sensitive", listed, "PATCH", ReasonMethodNotAllowed},
		{"lowercase post is not safelisted", listed, "post", ReasonMethodNotAllowed},
		{"not listed", listed, "DELETE", ReasonMethodNotAllowed},
		{"star", star, "PURGE", ReasonAllowed},
		{"star refuses forbidden", star, "CONNECT", ReasonMethodNotAllowed},
		{"star refuses non-token", star, "PUT X", ReasonMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, detail := tt.ru.checkMethod(tt.m)
			wantDetail := ""
			if tt.reason != ReasonAllowed {
				wantDetail = tt.m
			}
			if reason != tt.reason || detail != wantDetail {
				t.Errorf("checkMethod(%q): got %v %q; want %v %q", tt.m, reason, detail, tt.reason, wantDetail)
			}
		})
	}
}
