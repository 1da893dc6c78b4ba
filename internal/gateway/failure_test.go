package gateway

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// trapAbove is the header count above which trapModule traps.
const trapAbove = 20

// trapModule builds a minimal proxy-wasm module that lets every request
// through (Continue, no headers touched) except one carrying more than
// trapAbove headers: then proxy_on_request_headers executes `unreachable`,
// a wasm trap, which fails the VM as it would fail in Envoy.
func trapModule(t *testing.T) *Module {
	t.Helper()
	i32 := wasm.ValueTypeI32
	types := []*wasm.FunctionType{
		{}, // 0: () -> ()
		{Params: []wasm.ValueType{i32}, Results: []wasm.ValueType{i32}},           // 1
		{Params: []wasm.ValueType{i32, i32}, Results: []wasm.ValueType{i32}},      // 2
		{Params: []wasm.ValueType{i32, i32}},                                      // 3
		{Params: []wasm.ValueType{i32}},                                           // 4
		{Params: []wasm.ValueType{i32, i32, i32}, Results: []wasm.ValueType{i32}}, // 5
	}
	end := []byte{wasm.OpcodeEnd}
	ret := func(v byte) []byte { return []byte{wasm.OpcodeI32Const, v, wasm.OpcodeEnd} }
	// if (num_headers > trapAbove) unreachable; return 0 (Continue)
	onRequest := []byte{
		wasm.OpcodeLocalGet, 1, wasm.OpcodeI32Const, trapAbove, wasm.OpcodeI32GtU,
		wasm.OpcodeIf, 0x40, wasm.OpcodeUnreachable, wasm.OpcodeEnd,
		wasm.OpcodeI32Const, 0, wasm.OpcodeEnd,
	}
	funcs := []struct {
		name string
		typ  wasm.Index
		body []byte
	}{
		{"_initialize", 0, end},
		{"proxy_on_memory_allocate", 1, []byte{wasm.OpcodeI32Const, 0x80, 0x08, wasm.OpcodeEnd}}, // 1024
		{"proxy_on_vm_start", 2, ret(1)},
		{"proxy_on_context_create", 3, end},
		{"proxy_on_configure", 2, ret(1)},
		{"proxy_on_tick", 4, end},
		{"proxy_on_request_headers", 5, onRequest},
		{"proxy_on_response_headers", 5, ret(0)},
		{"proxy_on_done", 1, ret(1)},
		{"proxy_on_log", 4, end},
		{"proxy_on_delete", 4, end},
		{"proxy_abi_version_0_2_1", 0, end},
	}
	m := &wasm.Module{
		TypeSection:   types,
		MemorySection: &wasm.Memory{Min: 1},
		ExportSection: []*wasm.Export{{Type: wasm.ExternTypeMemory, Name: "memory", Index: 0}},
	}
	for i, f := range funcs {
		m.FunctionSection = append(m.FunctionSection, f.typ)
		m.CodeSection = append(m.CodeSection, &wasm.Code{Body: f.body})
		m.ExportSection = append(m.ExportSection, &wasm.Export{Type: wasm.ExternTypeFunc, Name: f.name, Index: wasm.Index(i)})
	}
	mod, err := CompileModule(binary.EncodeModule(m))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mod.Close() })
	return mod
}

// TestFailurePolicy traps the only VM on purpose and checks what the
// gateway answers then, and for every request after it on that worker:
// 503 when failing closed, the upstream's answer when failing open. Never
// a hang: every request has a deadline.
func TestFailurePolicy(t *testing.T) {
	type step struct {
		name         string
		trap         bool // send more than trapAbove headers
		wantStatus   int
		wantUpstream bool // the request reached the upstream
	}
	tests := []struct {
		name     string
		failOpen bool
		steps    []step
	}{
		{
			name: "fail closed: 503 for the trapping request and every later one",
			steps: []step{
				{"before the trap", false, 200, true},
				{"the trapping request", true, 503, false},
				{"after the trap", false, 503, false},
				{"after the trap, again", false, 503, false},
			},
		},
		{
			name:     "fail open: requests pass through unfiltered",
			failOpen: true,
			steps: []step{
				{"before the trap", false, 200, true},
				{"the trapping request", true, 200, true},
				{"after the trap", false, 200, true},
			},
		},
	}
	module := trapModule(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := Start(Config{Compiled: module, PluginConfig: []byte(`{}`), Listen: "127.0.0.1:0", Concurrency: 1, FailOpen: tt.failOpen})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(ctx)
			}()
			client := &http.Client{Timeout: 5 * time.Second}
			for i, st := range tt.steps {
				path := "/step/" + strconv.Itoa(i)
				req, _ := http.NewRequest("GET", srv.GatewayURL+path, nil)
				if st.trap {
					for h := range trapAbove + 1 {
						req.Header.Set("X-Pad-"+strconv.Itoa(h), "1")
					}
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s: %v; want an answer", st.name, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != st.wantStatus {
					t.Errorf("%s: status got %d (%s); want %d", st.name, resp.StatusCode, strings.TrimSpace(string(body)), st.wantStatus)
				}
				if got := srv.Upstream.Stats.Requests("GET", path) == 1; got != st.wantUpstream {
					t.Errorf("%s: reached the upstream: got %v; want %v", st.name, got, st.wantUpstream)
				}
			}
			if got := srv.Engine.FailedWorkers(); got != 1 {
				t.Errorf("failed VMs: got %d; want 1", got)
			}
		})
	}
}
