// Package wasmhost loads build/cors.wasm into the proxy-wasm-go-sdk host
// emulator (proxytest), which runs it in wazero.
package wasmhost

import (
	"errors"
	"fmt"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// WithStartAlias returns a copy of a WASI reactor module with an extra
// "_start" export that points at its "_initialize" function.
//
// Why: standard Go builds proxy-wasm filters as reactors
// (-buildmode=c-shared), which export "_initialize" and expect the host to
// call it once before anything else, as Envoy does. The v0.24.0 proxytest
// runner instantiates modules with wazero's defaults, which call only
// "_start". Aliasing lets the unmodified SDK initialise the Go runtime. The
// input is not modified.
func WithStartAlias(module []byte) ([]byte, error) {
	mod, err := binary.DecodeModule(module, wasm.CoreFeaturesV2)
	if err != nil {
		return nil, fmt.Errorf("decode wasm module: %w", err)
	}
	var init *wasm.Export
	for _, e := range mod.ExportSection {
		switch {
		case e.Name == "_start":
			return nil, errors.New("module already exports _start: it is a WASI command, not a reactor")
		case e.Name == "_initialize" && e.Type == wasm.ExternTypeFunc:
			init = e
		}
	}
	if init == nil {
		return nil, errors.New("module does not export _initialize: build it with -buildmode=c-shared")
	}
	mod.ExportSection = append(mod.ExportSection, &wasm.Export{Type: wasm.ExternTypeFunc, Name: "_start", Index: init.Index})
	return binary.EncodeModule(mod), nil
}

// ForProxytest prepares a proxy-wasm reactor for the v0.24.0 proxytest
// runner: the "_start" alias of WithStartAlias, and a stand-in for
// env.proxy_get_log_level, which that emulator does not implement (its
// host module lacks it, so wazero would refuse to instantiate a module
// importing it). The import is redirected to wasi_snapshot_preview1
// fd_close, the emulator's only function of the same type, (i32) -> i32,
// with no effect for the argument it gets: the address of a return slot
// is no open file descriptor, so the call fails with EBADF. The module then
// takes the path it takes on any host that cannot report its level: it
// logs everything, which is what the tests reading proxytest's debug logs
// need. The input is not modified.
func ForProxytest(module []byte) ([]byte, error) {
	aliased, err := WithStartAlias(module)
	if err != nil {
		return nil, err
	}
	mod, err := binary.DecodeModule(aliased, wasm.CoreFeaturesV2)
	if err != nil {
		return nil, fmt.Errorf("decode wasm module: %w", err)
	}
	for _, imp := range mod.ImportSection {
		if imp.Type != wasm.ExternTypeFunc || imp.Module != "env" || imp.Name != "proxy_get_log_level" {
			continue
		}
		ft := mod.TypeSection[imp.DescFunc]
		if len(ft.Params) != 1 || ft.Params[0] != wasm.ValueTypeI32 || len(ft.Results) != 1 || ft.Results[0] != wasm.ValueTypeI32 {
			return nil, fmt.Errorf("env.proxy_get_log_level has type %v; want (i32) -> i32", ft)
		}
		imp.Module, imp.Name = "wasi_snapshot_preview1", "fd_close"
	}
	return binary.EncodeModule(mod), nil
}
