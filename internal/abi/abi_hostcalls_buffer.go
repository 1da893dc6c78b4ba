//go:build wasip1

package abi

import "unsafe"

//go:wasmimport env proxy_get_buffer_bytes
func proxyGetBufferBytes(bufferType, start, maxSize uint32, retPtr, retSize unsafe.Pointer) uint32
