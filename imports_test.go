package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// envoyWASI is what Envoy's wasm host (proxy-wasm-cpp-host) links for
// wasi_snapshot_preview1 from Envoy 1.33 on: the historical set
// (include/proxy-wasm/exports.h, FOR_ALL_WASI_FUNCTIONS) plus sched_yield,
// poll_oneoff and fd_fdstat_set_flags, which proxy-wasm-cpp-host#427
// added so that standard-Go (wasip1) reactors can start. A module
// importing anything else fails to load: "Failed to load Wasm module due
// to a missing import: wasi_snapshot_preview1.<name>". The remaining
// calls Go's os package can pull in (path_filestat_get, …) arrived only
// with proxy-wasm-cpp-host#533 (2026-03), which Envoy had not picked up
// (envoyproxy/envoy#44526).
var envoyWASI = []string{
	"args_get", "args_sizes_get", "clock_time_get", "environ_get", "environ_sizes_get",
	"fd_close", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_prestat_dir_name", "fd_prestat_get",
	"fd_read", "fd_seek", "fd_write", "path_open", "poll_oneoff", "proc_exit", "random_get",
	"sched_yield",
}

// envoyProxyWasm are the ABI 0.2.1 host functions this module may import
// (all provided by Envoy; the binding uses no others).
var envoyProxyWasm = []string{
	"proxy_log", "proxy_get_buffer_bytes", "proxy_get_header_map_value", "proxy_get_header_map_pairs",
	"proxy_add_header_map_value", "proxy_replace_header_map_value", "proxy_remove_header_map_value",
	"proxy_send_local_response", "proxy_get_property", "proxy_define_metric", "proxy_increment_metric",
	"proxy_set_tick_period_milliseconds", "proxy_get_log_level",
}

func TestModuleImportsOnlyWhatEnvoyProvides(t *testing.T) {
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
