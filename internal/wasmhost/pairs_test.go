package wasmhost

import (
	"slices"
	"testing"
)

func TestPairsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		h    []Header
	}{
		{"empty", nil},
		{"repeated names and empty values", []Header{{"origin", "a"}, {"origin", ""}, {":path", "/x"}}},
		{"bytes", []Header{{"k", "\x00\r\n\xff"}}},
	}
	for _, tt := range tests {
		got, ok := decodePairs(encodePairs(tt.h))
		if !ok || !slices.Equal(got, tt.h) {
			t.Errorf("%s: got %q (ok=%v); want %q", tt.name, got, ok, tt.h)
		}
	}
	if _, ok := decodePairs([]byte{9, 0, 0, 0}); ok {
		t.Error("count beyond the buffer: got ok; want rejected")
	}
}
