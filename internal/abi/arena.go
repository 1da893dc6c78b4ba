package abi

import "unsafe"

// Arena sizes. One chunk of arenaChunk bytes covers the request headers of
// ordinary traffic, so steady-state requests allocate nothing. A callback
// that needed more (a hostile 50 KB Access-Control-Request-Headers, a
// header map near Envoy's 60 KiB limit) leaves behind one chunk big
// enough for all it used, up to arenaKeep, so a flood of such requests
// allocates nothing either: the GC heap stays flat and nothing is
// allocated inside proxy_on_memory_allocate, where Envoy's wasm host
// restricts what the runtime may call. arenaKeep covers two header maps
// at Envoy's default limit; beyond it a chunk is dropped at the next reset
// so a single outlier does not pin memory forever.
const (
	arenaChunk = 16 << 10
	arenaKeep  = 192 << 10
	arenaAlign = 8
)

// arena hands out guest memory to the host (proxy_on_memory_allocate) and
// to callers needing scratch space for the current callback. Every chunk
// it ever handed a byte of stays referenced from the arena until reset, so
// the GC cannot free a buffer the host is writing into.
type arena struct {
	cur  []byte   // chunk being filled
	off  int      // next free byte in cur
	full [][]byte // earlier chunks still in use during this callback
	used int      // bytes handed out since the last reset, in every chunk
}

// mem is the arena behind every hostcall of this package. The module is
// single-threaded: the host never runs two callbacks at once.
var mem arena

// alloc returns n bytes valid until the next reset. n may be 0.
func (a *arena) alloc(n int) []byte {
	if a.off+n > len(a.cur) {
		if a.off > 0 {
			a.full = append(a.full, a.cur)
		}
		size := max(arenaChunk, n)
		if len(a.cur) > size && a.off == 0 {
			size = len(a.cur)
		}
		a.cur = make([]byte, size)
		a.off = 0
	}
	b := a.cur[a.off : a.off+n : a.off+n]
	step := (n + arenaAlign - 1) &^ (arenaAlign - 1)
	a.off += step
	a.used += step
	if a.off > len(a.cur) {
		a.off = len(a.cur)
	}
	return b
}

// allocPtr is alloc for the host: a pointer to n bytes (to one byte of
// capacity when n is 0, so the pointer is always inside a chunk).
//
//lint:ignore U1000 used by the wasip1 build only (proxy_on_memory_allocate); the native staticcheck pass cannot see it
func (a *arena) allocPtr(n uint32) unsafe.Pointer {
	b := a.alloc(max(int(n), 1))
	return unsafe.Pointer(unsafe.SliceData(b))
}

// lookup turns an address and size the host wrote into a return slot back
// into a slice, accepting only memory this arena handed out: a confused
// host can make a hostcall fail, not make the guest read arbitrary memory.
//
//lint:ignore U1000 used by the wasip1 build only (took_wasip1.go)
func (a *arena) lookup(addr, size uint32) ([]byte, bool) {
	if b, ok := within(a.cur, addr, size); ok {
		return b, true
	}
	for _, c := range a.full {
		if b, ok := within(c, addr, size); ok {
			return b, true
		}
	}
	return nil, false
}

//lint:ignore U1000 used by lookup (wasip1 build only)
func within(chunk []byte, addr, size uint32) ([]byte, bool) {
	if len(chunk) == 0 {
		return nil, false
	}
	base := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(chunk))))
	lo, hi, ok := span(base, len(chunk), addr, size)
	if !ok {
		return nil, false
	}
	return chunk[lo:hi:hi], true
}

// span maps [addr, addr+size) to offsets in a chunk of n bytes at base.
func span(base uint64, n int, addr, size uint32) (lo, hi int, ok bool) {
	start, end := uint64(addr), uint64(addr)+uint64(size)
	if start < base || end > base+uint64(n) {
		return 0, 0, false
	}
	return int(start - base), int(end - base), true
}

// reset releases everything handed out since the last reset. Called when
// a host callback starts: nothing from an earlier callback is still used.
//
// It also makes sure a chunk is ready, so that proxy_on_memory_allocate
// itself normally never calls into Go's allocator: Envoy's wasm host
// restricts the WASI calls allowed while the guest's allocator runs (only
// proxy_log, fd_write and clock_time_get), and a GC started from inside it
// could need others. Only a hostcall result larger than what is left of
// the chunk allocates there.
func (a *arena) reset() {
	spilled := len(a.full) > 0
	clear(a.full)
	a.full = a.full[:0]
	need := a.used
	a.off, a.used = 0, 0
	switch {
	case a.cur == nil || len(a.cur) > arenaKeep:
		a.cur = make([]byte, arenaChunk)
	case spilled && need <= arenaKeep && need > len(a.cur):
		// The last callback did not fit in one chunk: make the next
		// one fit, rounded up to whole chunks.
		a.cur = make([]byte, (need+arenaChunk-1)/arenaChunk*arenaChunk)
	}
}

// Scratch returns n bytes of guest memory valid until the current host
// callback returns.
func Scratch(n int) []byte { return mem.alloc(n) }
