package abi

import "runtime"

// yieldEvery is how many stream ends pass between two yields to the Go
// runtime: often enough that a GC cycle finishes within a few requests,
// rare enough that the yield (about 1 µs under wazero) stays a small
// share of a request (see the README's benchmark table).
const yieldEvery = 8

var streamEnds uint32

// letRuntimeRun gives the Go runtime's own goroutines a turn.
//
// Why: in a wasip1 reactor every export runs on the one goroutine the host
// calls into, and returns straight to the host; the runtime's background
// goroutines (GC mark workers, the sweeper) run only when that goroutine
// yields. Without a yield a GC cycle that has started never finishes, and
// linear memory grows without bound: the 1,000,000-request soak reached
// 62,888 pages (3.8 GiB) before this was added, and stays at ~160 pages
// with it. It is no proxy-wasm call; the scheduler may read the clock
// (clock_time_get, which Envoy allows everywhere): TestSoak measures about
// 0.1 such calls per request and fails above 0.25.
func letRuntimeRun() { runtime.Gosched() }

// streamEnded is called at proxy_on_log and proxy_on_delete: hosts call
// one or both at the end of every stream.
func streamEnded() {
	if streamEnds++; streamEnds%yieldEvery == 0 {
		letRuntimeRun()
	}
}
