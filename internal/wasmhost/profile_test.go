package wasmhost

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
	"github.com/tetratelabs/wazero/api"
)

// probeModule builds a minimal proxy-wasm module that calls one imported
// host function, with zero arguments, either from _initialize or from
// proxy_on_memory_allocate, and stores the call's result (if any) at
// address 0. It exports what Instantiate needs and nothing more.
func probeModule(t *testing.T, module, name string, params []api.ValueType, hasResult bool, inAlloc bool) []byte {
	t.Helper()
	var results []wasm.ValueType
	if hasResult {
		results = []wasm.ValueType{wasm.ValueTypeI32}
	}
	types := []*wasm.FunctionType{
		{Params: params, Results: results}, // 0: the probed import
		{},                                 // 1: () -> ()
		{Params: []wasm.ValueType{i32}, Results: []wasm.ValueType{i32}},           // 2: (i32) -> i32
		{Params: []wasm.ValueType{i32, i32}, Results: []wasm.ValueType{i32}},      // 3
		{Params: []wasm.ValueType{i32, i32}},                                      // 4
		{Params: []wasm.ValueType{i32}},                                           // 5
		{Params: []wasm.ValueType{i32, i32, i32}, Results: []wasm.ValueType{i32}}, // 6
	}
	// The probe: store-address, arguments, call, then store or nothing.
	probe := []byte{wasm.OpcodeI32Const, 0}
	for i, p := range params {
		if p == i64 {
			probe = append(probe, wasm.OpcodeI64Const, 0)
		} else if i == len(params)-1 {
			probe = append(probe, wasm.OpcodeI32Const, 8) // last pointer: a scratch slot
		} else {
			probe = append(probe, wasm.OpcodeI32Const, 0)
		}
	}
	probe = append(probe, wasm.OpcodeCall, 0)
	if hasResult {
		probe = append(probe, wasm.OpcodeI32Store, 2, 0)
	} else {
		probe = append(probe, wasm.OpcodeDrop)
	}
	end := []byte{wasm.OpcodeEnd}
	ret1 := []byte{wasm.OpcodeI32Const, 1, wasm.OpcodeEnd}
	initBody, allocBody := append(append([]byte{}, probe...), end...), []byte{wasm.OpcodeI32Const, 0x80, 0x08, wasm.OpcodeEnd} // returns 1024
	if inAlloc {
		initBody = end
		allocBody = append(append([]byte{}, probe...), wasm.OpcodeI32Const, 0x80, 0x08, wasm.OpcodeEnd)
	}
	funcs := []struct {
		name string
		typ  wasm.Index
		body []byte
	}{
		{"_initialize", 1, initBody},
		{"proxy_on_memory_allocate", 2, allocBody},
		{"proxy_on_vm_start", 3, ret1},
		{"proxy_on_context_create", 4, end},
		{"proxy_on_configure", 3, ret1},
		{"proxy_on_tick", 5, end},
		{"proxy_on_request_headers", 6, ret1},
		{"proxy_on_response_headers", 6, ret1},
		{"proxy_on_done", 2, ret1},
		{"proxy_on_log", 5, end},
		{"proxy_on_delete", 5, end},
		{"proxy_abi_version_0_2_1", 1, end},
	}
	m := &wasm.Module{
		TypeSection:   types,
		ImportSection: []*wasm.Import{{Type: wasm.ExternTypeFunc, Module: module, Name: name, DescFunc: 0}},
		MemorySection: &wasm.Memory{Min: 1},
		ExportSection: []*wasm.Export{{Type: wasm.ExternTypeMemory, Name: "memory", Index: 0}},
	}
	for i, f := range funcs {
		m.FunctionSection = append(m.FunctionSection, f.typ)
		m.CodeSection = append(m.CodeSection, &wasm.Code{Body: f.body})
		m.ExportSection = append(m.ExportSection, &wasm.Export{Type: wasm.ExternTypeFunc, Name: f.name, Index: wasm.Index(i + 1)})
	}
	return binary.EncodeModule(m)
}

// TestProfiles pins each profile to what proxy-wasm-cpp-host does (see
// profile.go for the files): which calls trap in which phase, and what
// poll_oneoff answers.
func TestProfiles(t *testing.T) {
	w := i32
	tests := []struct {
		name      string
		profile   Profile
		module    string
		fn        string
		params    []api.ValueType
		result    bool
		inAlloc   bool
		wantTrap  bool
		wantErrno uint32 // when no trap and a result
	}{
		{"pre-533: poll_oneoff during _initialize traps", Pre533, "wasi_snapshot_preview1", "poll_oneoff", []api.ValueType{w, w, w, w}, true, false, true, 0},
		{"post-533: poll_oneoff allowed during _initialize, success", Post533, "wasi_snapshot_preview1", "poll_oneoff", []api.ValueType{w, w, w, w}, true, false, false, 0},
		{"pre-533: poll_oneoff inside the allocator traps", Pre533, "wasi_snapshot_preview1", "poll_oneoff", []api.ValueType{w, w, w, w}, true, true, true, 0},
		{"post-533: poll_oneoff inside the allocator is allowed", Post533, "wasi_snapshot_preview1", "poll_oneoff", []api.ValueType{w, w, w, w}, true, true, false, 0},
		{"pre-533: clock_time_get inside the allocator is allowed", Pre533, "wasi_snapshot_preview1", "clock_time_get", []api.ValueType{w, i64, w}, true, true, false, 0},
		{"pre-533: fd_write inside the allocator: allowed, fd 0 is EBADF", Pre533, "wasi_snapshot_preview1", "fd_write", []api.ValueType{w, w, w, w}, true, true, false, errnoBADF},
		{"pre-533: proxy_log inside the allocator is allowed", Pre533, "env", "proxy_log", []api.ValueType{w, w, w}, true, true, false, statusOK},
		{"pre-533: sched_yield inside the allocator traps", Pre533, "wasi_snapshot_preview1", "sched_yield", nil, true, true, true, 0},
		{"post-533: sched_yield inside the allocator traps too", Post533, "wasi_snapshot_preview1", "sched_yield", nil, true, true, true, 0},
		{"pre-533: random_get during _initialize is allowed", Pre533, "wasi_snapshot_preview1", "random_get", []api.ValueType{w, w}, true, false, false, 0},
		{"pre-533: random_get inside the allocator traps", Pre533, "wasi_snapshot_preview1", "random_get", []api.ValueType{w, w}, true, true, true, 0},
		{"pre-533: fd_fdstat_set_flags during _initialize: allowed, ENOSYS", Pre533, "wasi_snapshot_preview1", "fd_fdstat_set_flags", []api.ValueType{w, w}, true, false, false, errnoNOSYS},
		{"pre-533: fd_fdstat_get of fd 0 during _initialize: EBADF", Pre533, "wasi_snapshot_preview1", "fd_fdstat_get", []api.ValueType{w, w}, true, false, false, errnoBADF},
		{"pre-533: proxy_get_property during _initialize traps", Pre533, "env", "proxy_get_property", []api.ValueType{w, w, w, w}, true, false, true, 0},
		{"post-533: clock_res_get during _initialize is allowed", Post533, "wasi_snapshot_preview1", "clock_res_get", []api.ValueType{w, w}, true, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			mod := probeModule(t, tt.module, tt.fn, tt.params, tt.result, tt.inAlloc)
			m, err := CompileFor(ctx, mod, tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(ctx)
			in, _, err := m.Instantiate(ctx, nil)
			if err == nil && tt.inAlloc {
				_, err = in.Allocate(16)
			}
			var rc *RestrictedCallError
			if gotTrap := errors.As(err, &rc); gotTrap != tt.wantTrap {
				t.Fatalf("trap: got %v (err %v); want %v", gotTrap, err, tt.wantTrap)
			}
			if tt.wantTrap {
				if want := tt.module + "." + tt.fn; rc.Func != want {
					t.Errorf("trapped call: got %q; want %q", rc.Func, want)
				}
				if in != nil && in.Failed() == nil {
					t.Error("the VM is not marked failed after a trap; want failed, as Envoy does")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			errno, _ := in.Module().Memory().ReadUint32Le(0)
			if errno != tt.wantErrno {
				t.Errorf("errno: got %d; want %d", errno, tt.wantErrno)
			}
		})
	}
}

// TestPollOneoffAnswers: outside the restricted phases (a request
// callback), poll_oneoff answers as each Envoy does.
func TestPollOneoffAnswers(t *testing.T) {
	for _, tt := range []struct {
		p    Profile
		want uint32
	}{{Pre533, errnoNOSYS}, {Post533, errnoSUCCESS}} {
		t.Run(tt.p.Name, func(t *testing.T) {
			ctx := context.Background()
			mod := probeModule(t, "wasi_snapshot_preview1", "poll_oneoff", []api.ValueType{i32, i32, i32, i32}, true, false)
			// Compile under Post533 so _initialize may call it; then answer
			// with the profile under test.
			p := tt.p
			p.DuringInitialize = Post533.DuringInitialize
			m, err := CompileFor(ctx, mod, p)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(ctx)
			in, _, err := m.Instantiate(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := in.Module().Memory().ReadUint32Le(0); got != tt.want {
				t.Errorf("poll_oneoff: got errno %d; want %d", got, tt.want)
			}
		})
	}
}

// TestUnlinkedImportFailsToLoad: a module importing a WASI function the
// profile does not link fails at load, as Envoy says "Failed to load Wasm
// module due to a missing import".
func TestUnlinkedImportFailsToLoad(t *testing.T) {
	ctx := context.Background()
	mod := probeModule(t, "wasi_snapshot_preview1", "path_filestat_get", []api.ValueType{i32, i32, i32, i32, i32}, true, false)
	for _, tt := range []struct {
		p        Profile
		wantFail bool
	}{{Pre533, true}, {Post533, false}} {
		t.Run(tt.p.Name, func(t *testing.T) {
			m, err := CompileFor(ctx, mod, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close(ctx)
			_, _, err = m.Instantiate(ctx, nil)
			if gotFail := err != nil && strings.Contains(err.Error(), "path_filestat_get"); gotFail != tt.wantFail {
				t.Errorf("load failed on path_filestat_get: got %v (%v); want %v", gotFail, err, tt.wantFail)
			}
		})
	}
}
