package abi

import (
	"bytes"
	"runtime"
	"testing"
)

func TestArenaKeepsBuffersUntilReset(t *testing.T) {
	var a arena
	const n = 2000
	bufs := make([][]byte, 0, n)
	for i := range n {
		b := a.alloc(1000 + i%7000)
		for j := range b {
			b[j] = byte(i)
		}
		bufs = append(bufs, b)
		if i%100 == 0 {
			runtime.GC()
		}
	}
	for i, b := range bufs {
		if !bytes.Equal(b, bytes.Repeat([]byte{byte(i)}, len(b))) {
			t.Fatalf("buffer %d was overwritten before reset", i)
		}
	}
	a.reset()
	if len(a.full) != 0 || a.off != 0 {
		t.Fatalf("after reset: full=%d off=%d; want 0, 0", len(a.full), a.off)
	}
}

func TestArenaAlloc(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
	}{
		{"zero", []int{0, 0}},
		{"small", []int{1, 7, 8, 9}},
		{"exact chunk", []int{arenaChunk}},
		{"bigger than a chunk", []int{10, arenaChunk * 3, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a arena
			var prev []byte
			for _, n := range tt.sizes {
				b := a.alloc(n)
				if len(b) != n || cap(b) != n {
					t.Fatalf("alloc(%d): len %d cap %d; want %d, %d", n, len(b), cap(b), n, n)
				}
				for i := range b {
					b[i] = 0xAA
				}
				if len(prev) > 0 && prev[0] != 0xAA {
					t.Fatalf("alloc(%d) overwrote the previous buffer", n)
				}
				prev = b
			}
		})
	}
}

func TestArenaResetDropsHugeChunk(t *testing.T) {
	var a arena
	a.alloc(arenaKeep + 1)
	a.reset()
	if len(a.cur) != arenaChunk {
		t.Fatalf("after a huge request reset left a %d-byte chunk; want a fresh %d-byte one", len(a.cur), arenaChunk)
	}
	kept := &a.cur[0]
	a.alloc(10)
	a.reset()
	if &a.cur[0] != kept {
		t.Fatal("reset replaced the ordinary chunk; want it reused")
	}
}

func TestSpan(t *testing.T) {
	const base = 0x10000
	tests := []struct {
		name       string
		addr, size uint32
		lo, hi     int
		ok         bool
	}{
		{"whole chunk", base, 64, 0, 64, true},
		{"middle", base + 8, 8, 8, 16, true},
		{"empty at end", base + 64, 0, 64, 64, true},
		{"starts before", base - 1, 2, 0, 0, false},
		{"runs past end", base + 60, 8, 0, 0, false},
		{"size wraps i32", base + 8, 0xFFFFFFFF, 0, 0, false},
	}
	for _, tt := range tests {
		lo, hi, ok := span(base, 64, tt.addr, tt.size)
		if ok != tt.ok || lo != tt.lo || hi != tt.hi {
			t.Errorf("%s: got (%d, %d, %v); want (%d, %d, %v)", tt.name, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}
