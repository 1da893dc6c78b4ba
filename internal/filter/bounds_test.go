package filter

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/policy"
)

// Request-derived data the filter copies is bounded by what the engine can
// use, not by what a client can send (Envoy accepts headers up to 60 KiB
// by default). These run natively against the filter's own functions.

// An Origin over maxOriginCopy bytes keeps only its first maxOriginCopy
// bytes, in the stream's own array: no allocation, and the same decision
// as the whole value under every kind of policy (the engine refuses any
// Origin over 326 bytes before looking at it).
func TestKeepOriginBoundsTheCopy(t *testing.T) {
	tests := []struct {
		name   string
		origin string
	}{
		{"60 KB host", "https://" + strings.Repeat("a", 60<<10) + ".example"},
		{"one byte over the copy", "https://" + strings.Repeat("b", maxOriginCopy-len("https://")+1)},
		{"just over the engine's bound", "https://" + strings.Repeat("c", 327-len("https://"))},
	}
	configs := []string{scenarios.ConfigCredentials, scenarios.ConfigStar, scenarios.ConfigCOP, scenarios.ConfigExample}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := new(stream)
			got := s.keepOrigin(tt.origin)
			if want := tt.origin[:min(len(tt.origin), maxOriginCopy)]; got != want {
				t.Errorf("kept: got %d bytes; want the first %d", len(got), len(want))
			}
			if unsafe.StringData(got) != &s.origin[0] {
				t.Errorf("kept origin does not live in the stream's array; want no copy elsewhere")
			}
			if n := testing.AllocsPerRun(100, func() { s.keepOrigin(tt.origin) }); n != 0 {
				t.Errorf("allocations per keepOrigin: got %v; want 0", n)
			}
			// The same decision, whole or cut, including under
			// crossOriginProtection with an :authority equal to the long
			// host (a same-origin comparison needs a parsable Origin).
			authority := strings.TrimPrefix(tt.origin, "https://")
			for _, c := range configs {
				p, err := policy.Compile([]byte(c))
				if err != nil {
					t.Fatal(err)
				}
				for _, method := range []string{"GET", "POST", "OPTIONS"} {
					whole := policy.Request{Method: method, Origin: tt.origin, Authority: authority, Path: "/", SecFetchSite: "same-origin", AccessControlRequestMethod: "PUT"}
					cut := whole
					cut.Origin = got
					dw, dc := p.Evaluate(&whole), p.Evaluate(&cut)
					if dw != dc {
						t.Errorf("%s %s: decision on the kept prefix %+v; want the whole value's %+v", c, method, dc, dw)
					}
					if dw.Allowed {
						t.Errorf("%s %s: an Origin of %d bytes was allowed; want refused", c, method, len(tt.origin))
					}
				}
			}
		})
	}
}

// Quoting for the log never grows its buffer: the worst case (every byte
// invalid UTF-8 or a control byte, each written as \xNN) fits maxQuoted.
func TestQuotedBufferNeverGrows(t *testing.T) {
	tests := []struct {
		name string
		s    string
	}{
		{"control bytes, cut", strings.Repeat("\x01", 4*maxLogged)},
		{"invalid UTF-8, cut", strings.Repeat("\xff", 4*maxLogged)},
		{"exactly maxLogged invalid bytes", strings.Repeat("\x80", maxLogged)},
		{"multi-byte rune split by the cut", strings.Repeat("é", maxLogged)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(quoteCut(nil, tt.s)); got > cap(quoted) {
				t.Errorf("quoted length: got %d; want ≤ %d (the buffer's capacity)", got, cap(quoted))
			}
			d := policy.Decision{Kind: policy.Actual, Reason: policy.ReasonOriginMalformed}
			r := policy.Request{Origin: tt.s}
			buf := make([]byte, 0, 4096)
			if n := testing.AllocsPerRun(100, func() { appendDenial(buf[:0], &d, &r) }); n != 0 {
				t.Errorf("allocations per denial line: got %v; want 0", n)
			}
		})
	}
}
