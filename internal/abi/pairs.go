package abi

import (
	"encoding/binary"
	"errors"
	"iter"
	"unsafe"
)

// The proxy-wasm header-map wire format: a little-endian u32 count N, then
// N (u32 key length, u32 value length) pairs, then each key and each value
// followed by a NUL byte, in pair order.

var errPairs = errors.New("malformed header map from host")

// Pairs is a header map returned by the host, decoded lazily. Keys and
// values alias guest memory that is valid until the current callback
// returns.
type Pairs struct {
	b []byte
	n int
}

// decodePairs checks the whole encoding once, so iteration cannot go out
// of bounds whatever the host sent.
func decodePairs(b []byte) (Pairs, error) {
	if len(b) == 0 {
		return Pairs{}, nil
	}
	if len(b) < 4 {
		return Pairs{}, errPairs
	}
	n := uint64(binary.LittleEndian.Uint32(b))
	data := 4 + 8*n
	if data > uint64(len(b)) {
		return Pairs{}, errPairs
	}
	for i := range n {
		k := uint64(binary.LittleEndian.Uint32(b[4+8*i:]))
		v := uint64(binary.LittleEndian.Uint32(b[8+8*i:]))
		data += k + 1 + v + 1
		if data > uint64(len(b)) {
			return Pairs{}, errPairs
		}
	}
	return Pairs{b: b, n: int(n)}, nil
}

// Len is the number of header lines.
func (p Pairs) Len() int { return p.n }

// All yields every header line in order, repeated names included. The
// strings alias guest memory: valid until the current callback returns.
func (p Pairs) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		data := 4 + 8*p.n
		for i := range p.n {
			k := int(binary.LittleEndian.Uint32(p.b[4+8*i:]))
			v := int(binary.LittleEndian.Uint32(p.b[8+8*i:]))
			key := bytesString(p.b[data : data+k])
			data += k + 1
			val := bytesString(p.b[data : data+v])
			data += v + 1
			if !yield(key, val) {
				return
			}
		}
	}
}

// encodedSize is the wire size of headers.
func encodedSize(headers []Header) int {
	n := 4
	for _, h := range headers {
		n += 8 + len(h.Name) + 1 + len(h.Value) + 1
	}
	return n
}

// encodePairs writes headers into b, which has encodedSize(headers) bytes.
func encodePairs(b []byte, headers []Header) {
	binary.LittleEndian.PutUint32(b, uint32(len(headers)))
	data := 4 + 8*len(headers)
	for i, h := range headers {
		binary.LittleEndian.PutUint32(b[4+8*i:], uint32(len(h.Name)))
		binary.LittleEndian.PutUint32(b[8+8*i:], uint32(len(h.Value)))
		data += copy(b[data:], h.Name)
		b[data] = 0
		data++
		data += copy(b[data:], h.Value)
		b[data] = 0
		data++
	}
}

// Header is one header line to send.
type Header struct {
	Name, Value string
}

// bytesString views b as a string without copying.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}
