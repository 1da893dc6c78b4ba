package policy

import (
	"fmt"
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
		{"64 elements pass", star, sortedNames(64), ReasonAllowed, ""},
		{"65 elements refused", star, sortedNames(65), ReasonHeadersMalformed, ""},
		{"63 empty elements and a name pass", listed, strings.Repeat(",", 63) + "content-type", ReasonAllowed, ""},
		// Browsers send the names sorted and de-duplicated (Fetch);
		// anything else is refused at the first name out of order.
		{"duplicate", listed, "content-type,content-type", ReasonHeadersMalformed, ""},
		{"duplicate differing in case", listed, "content-type,Content-Type", ReasonHeadersMalformed, ""},
		{"unsorted", listed, "x-request-id,content-type", ReasonHeadersMalformed, ""},
		{"sorted case-insensitively", listed, "Content-Type,authorization", ReasonHeadersMalformed, ""},
		{"sorted across OWS and empty elements", listed, "authorization , ,Content-Type", ReasonAllowed, ""},
		{"prefix sorts first", star, "x-a,x-ab", ReasonAllowed, ""},
		{"longer sorts after its prefix", star, "x-ab,x-a", ReasonHeadersMalformed, ""},
		{"one allowed name repeated to 4 KB", listed, strings.TrimSuffix(strings.Repeat("content-type,", 4096/13), ","), ReasonHeadersMalformed, ""},
		{"65 empty elements refused", listed, strings.Repeat(",", 64), ReasonHeadersMalformed, ""},
		{"over 4096 bytes refused unscanned", listed, strings.Repeat(" ", maxRequestHeadersLen+1), ReasonHeadersMalformed, ""},
		{"4096 bytes are parsed", listed, strings.Repeat("x", maxRequestHeadersLen), ReasonHeaderNotAllowed, strings.Repeat("x", maxRequestHeadersLen)},
		{"1 MiB comma flood", listed, strings.Repeat(",", 1<<20), ReasonHeadersMalformed, ""},
		{"star covers any name", star, "content-type,x-anything", ReasonAllowed, ""},
		{"star never covers authorization", star, "Authorization,x-a", ReasonHeaderNotAllowed, "Authorization"},
		{"star never covers lowercase authorization", star, "authorization,x-a", ReasonHeaderNotAllowed, "authorization"},
		{"authorization listed beside star", starAuthz, "authorization,x-a", ReasonAllowed, ""},
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

// sortedNames is n distinct names in increasing order: x-000,x-001,...
func sortedNames(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("x-%03d", i)
	}
	return strings.Join(names, ",")
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
