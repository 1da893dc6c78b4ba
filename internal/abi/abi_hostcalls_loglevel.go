//go:build wasip1

package abi

import "unsafe"

//go:wasmimport env proxy_get_log_level
func proxyGetLogLevel(returnLevel unsafe.Pointer) uint32
