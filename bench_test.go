package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Benchmarks of one full request cycle (context create → request headers
// → response headers, or the local-reply pass → done/log/delete) for
// build/cors.wasm next to build/noop.wasm, built the same way, in the same
// run:
//
//	go test -run='^$' -bench=. -benchmem .
//
// Two hosts: BenchmarkCycle uses internal/wasmhost (a thin host, so the
// numbers are mostly the guest's work plus wazero's call overhead);
// BenchmarkCycleSDK uses the SDK's proxytest emulator, whose host
// functions dominate.

type benchCase struct {
	name string
	s    scenarios.Scenario
}

var benchCases = []benchCase{
	{"no-origin", scenarios.Scenario{Method: "GET", Path: "/items", Authority: "api.example.com",
		Headers: [][2]string{{"accept", "application/json"}, {"user-agent", "bench"}}}},
	{"allowed-actual", scenarios.Scenario{Method: "GET", Path: "/items", Authority: "api.example.com",
		Headers: [][2]string{{"accept", "application/json"}, {"user-agent", "bench"}, {"origin", "https://app.example.com"}}}},
	{"allowed-preflight", scenarios.Scenario{Method: "OPTIONS", Path: "/items", Authority: "api.example.com",
		Headers: [][2]string{{"user-agent", "bench"}, {"origin", "https://app.example.com"},
			{"access-control-request-method", "PUT"}, {"access-control-request-headers", "content-type,x-api-key"}}}},
}

var benchUpstream = [][2]string{{":status", "200"}, {"content-type", "application/json"}, {"content-length", "42"}}

// BenchmarkCycle also runs build/cors-unpatched.wasm, the same filter
// without the poll_oneoff overlay: cors next to cors-unpatched is what the
// fix costs per request. All three run under the post-#533 host profile,
// the one where the unpatched module's poll_oneoff calls are allowed.
//
// Every case runs warm on one instance per module: the instance is made
// once per test binary (not once per -count round) and every case is
// cycled before any is timed, so the first case does not pay for a cold
// instance (issue 10: "no Origin" always ran cold before).
func BenchmarkCycle(b *testing.B) {
	for _, mod := range []string{wasmhost.NoopWasm, wasmhost.UnpatchedWasm, wasmhost.CorsWasm} {
		in := warmInstance(b, mod)
		for _, c := range benchCases {
			b.Run(fmt.Sprintf("module=%s/case=%s", moduleName(mod), c.name), func(b *testing.B) {
				req := c.s.RequestHeaders()
				b.ReportAllocs()
				for b.Loop() {
					benchCycle(b, in, req)
				}
			})
		}
	}
}

// warmInstances holds BenchmarkCycle's instances for the whole test
// binary; they are never closed (the process ends with the benchmarks).
var warmInstances sync.Map

// warmCycles per case before the first timed run: enough for the Go
// runtime in the guest to have grown its heap and settled its GC pacing.
const warmCycles = 2000

func warmInstance(b *testing.B, mod string) *wasmhost.Instance {
	if in, ok := warmInstances.Load(mod); ok {
		return in.(*wasmhost.Instance)
	}
	m := moduleFor(b, mod, wasmhost.Post533)
	in, ok, err := m.Instantiate(context.Background(), []byte(scenarios.ConfigCredentials))
	if err != nil || !ok {
		b.Fatalf("%s: instantiate: ok=%v err=%v", mod, ok, err)
	}
	for range warmCycles {
		for _, c := range benchCases {
			benchCycle(b, in, c.s.RequestHeaders())
		}
	}
	warmInstances.Store(mod, in)
	return in
}

// benchCycle is one request through in: context create, request headers,
// response headers or the local-reply pass, done/log/delete.
func benchCycle(b *testing.B, in *wasmhost.Instance, req [][2]string) {
	s, err := in.NewStream()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.RequestHeaders(req, true); err != nil {
		b.Fatal(err)
	}
	if s.LocalReply != nil {
		_, _, err = s.LocalReplyPass()
	} else {
		_, err = s.ResponseHeaders(benchUpstream, false)
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := s.End(); err != nil {
		b.Fatal(err)
	}
}

func moduleName(path string) string {
	return strings.TrimSuffix(strings.TrimPrefix(path, "build/"), ".wasm")
}

func BenchmarkCycleSDK(b *testing.B) {
	noop, err := wasmhost.ReadModule(wasmhost.NoopWasm)
	if err != nil {
		b.Fatal(err)
	}
	noopAliased, err := wasmhost.WithStartAlias(noop)
	if err != nil {
		b.Fatal(err)
	}
	noopVM, err := proxytest.NewWasmVMContext(noopAliased)
	if err != nil {
		b.Fatal(err)
	}
	defer noopVM.Close()
	for _, mod := range []string{wasmhost.NoopWasm, wasmhost.CorsWasm} {
		vm := sdkVM(b)
		if mod == wasmhost.NoopWasm {
			vm = noopVM
		}
		opt := proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(scenarios.ConfigCredentials))
		host, reset := proxytest.NewHostEmulator(opt)
		host.StartPlugin()
		for _, c := range benchCases {
			b.Run(fmt.Sprintf("%s/%s", moduleName(mod), c.name), func(b *testing.B) {
				req := c.s.RequestHeaders()
				b.ReportAllocs()
				for b.Loop() {
					id := host.InitializeHttpContext()
					host.CallOnRequestHeaders(id, req, true)
					if local := host.GetSentLocalResponse(id); local != nil {
						host.CallOnResponseHeaders(id, append([][2]string{{":status", fmt.Sprint(local.StatusCode)}}, local.Headers...), true)
					} else {
						host.CallOnResponseHeaders(id, benchUpstream, false)
					}
					host.CompleteHttpContext(id)
				}
			})
		}
		reset()
	}
}

// BenchmarkColdStart: what a new Envoy worker VM costs. compile is
// wazero's ahead-of-time compilation of the module (V8 in Envoy differs);
// start is instantiate (_initialize) + proxy_on_vm_start +
// proxy_on_configure with a policy of 10,000 origins, or with
// examples/config.json; configure is proxy_on_configure alone, a config
// push to a running VM.
func BenchmarkColdStart(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"allowOrigins": [`)
	for i := range 10000 {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, `"https://app%d.example.com"`, i)
	}
	sb.WriteString(`], "allowCredentials": true, "allowMethods": ["GET", "POST", "PUT"]}`)
	config := []byte(sb.String())
	example, err := os.ReadFile("examples/config.json")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, mod := range []string{wasmhost.NoopWasm, wasmhost.CorsWasm} {
		wasm, err := wasmhost.ReadModule(mod)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(moduleName(mod)+"/compile", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := wasmhost.Compile(ctx, wasm)
				if err != nil {
					b.Fatal(err)
				}
				m.Close(ctx)
			}
		})
		m, err := wasmhost.Compile(ctx, wasm)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			config []byte
		}{{"start-10k-origins", config}, {"start-example-config", example}} {
			b.Run(moduleName(mod)+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					in, ok, err := m.Instantiate(ctx, c.config)
					if err != nil || !ok {
						b.Fatalf("instantiate: ok=%v err=%v", ok, err)
					}
					b.ReportMetric(float64(in.MemoryPages()), "pages")
					in.Close()
				}
			})
		}
		// A config push to a running VM: proxy_on_configure alone.
		in, ok, err := m.Instantiate(ctx, config)
		if err != nil || !ok {
			b.Fatalf("instantiate: ok=%v err=%v", ok, err)
		}
		for _, c := range []struct {
			name   string
			config []byte
		}{{"configure-10k-origins", config}, {"configure-example-config", example}} {
			b.Run(moduleName(mod)+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if ok, err := in.Configure(c.config); err != nil || !ok {
						b.Fatalf("configure: ok=%v err=%v", ok, err)
					}
				}
			})
		}
		in.Close()
		m.Close(ctx)
	}
}
