//go:build wasip1

package abi

import "unsafe"

// proxy_on_memory_allocate: the host needs size bytes of guest memory to
// return data into. The arena keeps the buffer reachable until the next
// callback starts (see the package comment for why that matters).
//
//go:wasmexport proxy_on_memory_allocate
func proxyOnMemoryAllocate(size uint32) unsafe.Pointer { return mem.allocPtr(size) }
