// Package abi is a small proxy-wasm ABI 0.2.1 binding for standard Go
// (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared). It binds only what
// corswasm uses.
//
// Layout, one file per ABI surface:
//
//	abi_hostcalls_*.go   imports (//go:wasmimport env proxy_*), wasip1 only
//	abi_callback_*.go    exports (//go:wasmexport proxy_on_*), wasip1 only
//	hostcalls.go         the typed Go API over the raw imports (GetHeaders,
//	                     ReplaceHeader, Log, …); localreply_body.go adds
//	                     SendLocalResponseWithBody
//	took_wasip1.go       maps a host-written (address, size) back to memory
//	host_native.go       natively (!wasip1): the Host interface a test
//	hostcalls_native.go  registers with SetHost, and the raw imports
//	callbacks_native.go  routed to it; CallOn* stand in for the exports.
//	                     internal/abi/fakehost is such a host
//	arena.go             guest memory handed to the host
//	pairs.go             the header-map wire format
//	plugin.go            the Plugin interface the exports dispatch to
//	types.go             statuses, map types, log levels, actions
//	yield.go             when the Go runtime gets a turn
//
// # 32-bit ABI
//
// Every ABI parameter is an i32 (except the i64 metric offset). Go's int
// and pointers are 64-bit values on wasm, so the raw imports take uint32
// and unsafe.Pointer (lowered to i32 by the compiler), never int.
//
// # Memory
//
// The host returns data (header values, pairs, the plugin configuration)
// by calling proxy_on_memory_allocate and writing into what it gets. Such
// a buffer is referenced only by the host until the hostcall returns, so a
// plain make([]byte) would be garbage as far as Go's GC knows: another
// allocation in between (a second allocate callback, any Go allocation
// that triggers a GC) could free and reuse it while the host still writes.
// The arena keeps every buffer it hands out reachable from a package
// variable until the next host callback starts. Bytes returned by the
// hostcalls in this package are therefore valid until the current callback
// (proxy_on_request_headers, …) returns: callers copy what they keep.
//
// Return slots (the i32 pointer and size the host writes) are package
// variables, not locals: a nested allocate callback may grow and move the
// goroutine stack, and the host would then write to a stale stack address.
package abi
