package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// envoyProxyWasm are the ABI 0.2.1 host functions this module may import
// (all provided by Envoy; the binding uses no others).
var envoyProxyWasm = []string{
	"proxy_log", "proxy_get_buffer_bytes", "proxy_get_header_map_value", "proxy_get_header_map_pairs",
	"proxy_add_header_map_value", "proxy_replace_header_map_value", "proxy_remove_header_map_value",
	"proxy_send_local_response", "proxy_get_property", "proxy_define_metric", "proxy_increment_metric",
	"proxy_set_tick_period_milliseconds", "proxy_get_log_level",
}

// TestModuleImportsOnlyWhatEnvoyProvides: every WASI import must be one
// that the oldest supported Envoy (1.33, the pre-#533 profile) links, so
// the module loads on every Envoy from 1.33 on; a module importing
// anything else fails there with "Failed to load Wasm module due to a
// missing import". Loading under the profile checks the same at link
// time; this test names the import.
func TestModuleImportsOnlyWhatEnvoyProvides(t *testing.T) {
	envoyWASI := wasmhost.Pre533.Linked
	for _, path := range []string{wasmhost.CorsWasm, wasmhost.NoopWasm} {
		t.Run(path, func(t *testing.T) {
			wasm, err := wasmhost.ReadModule(path)
			if err != nil {
				t.Fatal(err)
			}
			imports, err := wasmhost.Imports(wasm)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range imports {
				mod, name, _ := strings.Cut(imp, ".")
				switch {
				case mod == "wasi_snapshot_preview1" && slices.Contains(envoyWASI, name):
				case mod == "env" && slices.Contains(envoyProxyWasm, name):
				default:
					t.Errorf("import %s: not provided by Envoy's wasm host; the module would fail to load", imp)
				}
			}
		})
	}
}
