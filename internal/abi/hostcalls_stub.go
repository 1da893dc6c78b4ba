//go:build !wasip1

package abi

import "unsafe"

// Outside wasm there is no proxy-wasm host: these stand-ins for the raw
// imports let packages using this binding build and vet natively. Every
// call reports StatusUnimplemented.

const unimplemented = uint32(StatusUnimplemented)

func proxyLog(uint32, unsafe.Pointer, uint32) uint32 { return unimplemented }

func proxyGetBufferBytes(uint32, uint32, uint32, unsafe.Pointer, unsafe.Pointer) uint32 {
	return unimplemented
}

func proxyGetHeaderMapValue(uint32, unsafe.Pointer, uint32, unsafe.Pointer, unsafe.Pointer) uint32 {
	return unimplemented
}

func proxyGetHeaderMapPairs(uint32, unsafe.Pointer, unsafe.Pointer) uint32 { return unimplemented }

func proxyAddHeaderMapValue(uint32, unsafe.Pointer, uint32, unsafe.Pointer, uint32) uint32 {
	return unimplemented
}

func proxyReplaceHeaderMapValue(uint32, unsafe.Pointer, uint32, unsafe.Pointer, uint32) uint32 {
	return unimplemented
}

func proxyRemoveHeaderMapValue(uint32, unsafe.Pointer, uint32) uint32 { return unimplemented }

func proxySendLocalResponse(uint32, unsafe.Pointer, uint32, unsafe.Pointer, uint32, unsafe.Pointer, uint32, int32) uint32 {
	return unimplemented
}

func proxyGetProperty(unsafe.Pointer, uint32, unsafe.Pointer, unsafe.Pointer) uint32 {
	return unimplemented
}

func proxyDefineMetric(uint32, unsafe.Pointer, uint32, unsafe.Pointer) uint32 { return unimplemented }

func proxyIncrementMetric(uint32, int64) uint32 { return unimplemented }

func proxySetTickPeriodMilliseconds(uint32) uint32 { return unimplemented }

func proxyGetLogLevel(unsafe.Pointer) uint32 { return unimplemented }
