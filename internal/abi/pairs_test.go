package abi

import (
	"encoding/binary"
	"fmt"
	"testing"
)

func TestPairsRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		headers []Header
	}{
		{"empty", nil},
		{"one", []Header{{":status", "204"}}},
		{"repeated and empty values", []Header{{"origin", "https://a.example"}, {"origin", ""}, {"x", "v"}}},
		{"binary value", []Header{{"k", "a\x00b\r\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, encodedSize(tt.headers))
			encodePairs(b, tt.headers)
			p, err := decodePairs(b)
			if err != nil {
				t.Fatalf("decodePairs: %v", err)
			}
			var got []Header
			for k, v := range p.All() {
				got = append(got, Header{k, v})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.headers) || p.Len() != len(tt.headers) {
				t.Fatalf("got %q (len %d); want %q", got, p.Len(), tt.headers)
			}
		})
	}
}

func TestDecodePairsRejectsMalformed(t *testing.T) {
	valid := make([]byte, encodedSize([]Header{{"ab", "cd"}}))
	encodePairs(valid, []Header{{"ab", "cd"}})
	huge := append([]byte(nil), valid...)
	binary.LittleEndian.PutUint32(huge, 0xFFFFFFFF)
	longKey := append([]byte(nil), valid...)
	binary.LittleEndian.PutUint32(longKey[4:], 0xFFFFFFF0)
	tests := []struct {
		name string
		b    []byte
	}{
		{"short count", []byte{1, 0}},
		{"count beyond buffer", huge},
		{"key length beyond buffer", longKey},
		{"truncated data", valid[:len(valid)-1]},
	}
	for _, tt := range tests {
		if _, err := decodePairs(tt.b); err == nil {
			t.Errorf("%s: got nil error; want %v", tt.name, errPairs)
		}
	}
}
