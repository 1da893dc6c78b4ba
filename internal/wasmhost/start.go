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
