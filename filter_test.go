package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// The scenario table against the compiled build/cors.wasm, run in wazero
// by the proxy-wasm-go-sdk host emulator (proxytest). The module is
// compiled once for the whole table; each (config, route name) group gets
// a fresh emulator, i.e. a fresh plugin context and configure, on the same
// VM. This test fails, never skips, without the module: `make test` builds
// it first.

var (
	vmOnce sync.Once
	vm     proxytest.WasmVMContext
	vmErr  error
)

// sdkVM is the one proxytest VM for this test binary. proxytest keeps
// global state, so these tests do not run in parallel.
func sdkVM(t testing.TB) proxytest.WasmVMContext {
	t.Helper()
	vmOnce.Do(func() {
		wasm, err := wasmhost.ReadModule(wasmhost.CorsWasm)
		if err != nil {
			vmErr = err
			return
		}
		aliased, err := wasmhost.ForProxytest(wasm)
		if err != nil {
			vmErr = err
			return
		}
		vm, vmErr = proxytest.NewWasmVMContext(aliased)
	})
	if vmErr != nil {
		t.Fatalf("load %s: %v", wasmhost.CorsWasm, vmErr)
	}
	return vm
}

// emulator starts a plugin with config on the shared VM.
func emulator(t testing.TB, config, routeName string) (proxytest.HostEmulator, func()) {
	t.Helper()
	opt := proxytest.NewEmulatorOption().WithVMContext(sdkVM(t)).WithPluginConfiguration([]byte(config))
	if routeName != "" {
		opt = opt.WithProperty([]string{"route_name"}, []byte(routeName))
	}
	host, reset := proxytest.NewHostEmulator(opt)
	if st := host.StartPlugin(); st != types.OnPluginStartStatusOK {
		reset()
		t.Fatalf("StartPlugin: got %v; want OK (error logs: %q)", st, host.GetErrorLogs())
	}
	// Counts reach the host on the timer set at configure.
	if got := host.GetTickPeriod(); got != 1000 {
		reset()
		t.Fatalf("tick period after configure: got %d ms; want 1000", got)
	}
	return host, reset
}

var metricNamesForTest = []string{
	"preflight_allowed", "preflight_denied", "actual_allowed", "actual_denied",
	"cross_origin_protection_rejected", "no_origin", "config_rejected",
}

// counters reads every counter after firing the plugin's timer: the module
// counts requests in guest memory and reports them only on proxy_on_tick.
func counters(host proxytest.HostEmulator) map[string]uint64 {
	host.Tick()
	out := map[string]uint64{}
	for _, m := range metricNamesForTest {
		v, _ := host.GetCounterMetric("corswasm." + m)
		out[m] = v
	}
	return out
}

func TestScenariosInWasm(t *testing.T) {
	sdkVM(t)
	type group struct{ config, route string }
	var order []group
	byGroup := map[group][]scenarios.Scenario{}
	for _, s := range scenarios.All() {
		g := group{s.Config, s.RouteName}
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], s)
	}
	for _, g := range order {
		host, reset := emulator(t, g.config, g.route)
		for _, s := range byGroup[g] {
			t.Run(s.Name, func(t *testing.T) { runSDKScenario(t, host, s) })
		}
		reset()
	}
}

func runSDKScenario(t *testing.T, host proxytest.HostEmulator, s scenarios.Scenario) {
	before := counters(host)
	debugBefore, infoBefore := len(host.GetDebugLogs()), len(host.GetInfoLogs())
	id := host.InitializeHttpContext()
	action := host.CallOnRequestHeaders(id, s.RequestHeaders(), true)

	var status int
	var headers [][2]string
	local := host.GetSentLocalResponse(id)
	switch {
	case local != nil:
		if action != types.ActionPause {
			t.Errorf("action after a local reply: got %v; want Pause", action)
		}
		status, headers = int(local.StatusCode), local.Headers
		// Envoy runs our own response callback on the local reply: that
		// pass must leave it exactly as sent.
		reply := append([][2]string{{":status", fmt.Sprint(status)}}, local.Headers...)
		host.CallOnResponseHeaders(id, reply, true)
		if got := host.GetCurrentResponseHeaders(id); !slices.Equal(got, reply) {
			t.Errorf("local reply pass changed the reply: got %q; want %q", got, reply)
		}
		for _, e := range s.CheckLocalBody(status, string(local.Data)) {
			t.Error(e)
		}
	default:
		if action != types.ActionContinue {
			t.Errorf("action for a forwarded request: got %v; want Continue", action)
		}
		host.CallOnResponseHeaders(id, s.UpstreamHeaders(), false)
		headers = host.GetCurrentResponseHeaders(id)
		status = s.UpstreamStatus()
		if got := scenarios.Values(headers, ":status"); len(got) != 1 || got[0] != fmt.Sprint(status) {
			t.Errorf(":status: got %q; want [%d]", got, status)
		}
	}
	host.CompleteHttpContext(id)

	if (local != nil) != s.Want.LocalReply {
		t.Errorf("local reply: got %v; want %v", local != nil, s.Want.LocalReply)
	}
	for _, e := range s.Check(status, headers) {
		t.Error(e)
	}
	after := counters(host)
	for _, m := range metricNamesForTest {
		want := uint64(0)
		if m == s.Want.Metric {
			want = 1
		}
		if got := after[m] - before[m]; got != want {
			t.Errorf("corswasm.%s: incremented by %d; want %d", m, got, want)
		}
	}
	if s.Want.Log != "" {
		logs := append(host.GetDebugLogs()[debugBefore:], host.GetInfoLogs()[infoBefore:]...)
		if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, s.Want.Log) }) {
			t.Errorf("logs: got %q; want a line containing %q", logs, s.Want.Log)
		}
	}
}

// An invalid configuration makes proxy_on_configure return false (Envoy
// rejects the plugin or the update), logs every problem at error level
// naming its JSON path, and counts corswasm.config_rejected.
func TestInvalidConfigFailsPluginStart(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   []string // substrings of the error log
	}{
		{"public suffix wildcard with credentials", `{"routes": [{"name": "a", "hosts": ["a.example"], "allowOrigins": ["https://*.github.io"], "allowCredentials": true}]}`, []string{`routes[0].allowOrigins[0]: "https://*.github.io"`}},
		{"* with credentials", `{"allowOrigins": ["*"], "allowCredentials": true}`, []string{"allowCredentials"}},
		{"unknown field", `{"allowOrigin": ["https://a.example"]}`, []string{"allowOrigin"}},
		{"not JSON", `allowOrigins: [a]`, []string{"corswasm: configuration rejected"}},
		{"empty", ``, []string{"plugin configuration is empty"}},
	}
	sdkVM(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := proxytest.NewEmulatorOption().WithVMContext(sdkVM(t)).WithPluginConfiguration([]byte(tt.config))
			host, reset := proxytest.NewHostEmulator(opt)
			defer reset()
			if st := host.StartPlugin(); st != types.OnPluginStartStatusFailed {
				t.Fatalf("StartPlugin: got %v; want Failed", st)
			}
			logs := host.GetErrorLogs()
			for _, want := range tt.want {
				if !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, want) }) {
					t.Errorf("error logs: got %q; want a line containing %q", logs, want)
				}
			}
			if v, err := host.GetCounterMetric("corswasm.config_rejected"); err != nil || v != 1 {
				t.Errorf("corswasm.config_rejected: got %d (%v); want 1", v, err)
			}
		})
	}
}

// Warnings (legal but risky settings) are logged at warn level and do not
// stop the plugin.
func TestConfigWarningsAreLogged(t *testing.T) {
	host, reset := emulator(t, `{"allowOrigins": ["https://app.example.com"], "maxAge": 86400}`, "")
	defer reset()
	if logs := host.GetWarnLogs(); !slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "maxAge") }) {
		t.Errorf("warn logs: got %q; want a line about maxAge", logs)
	}
}

// A later configure applies to new streams: a new plugin configuration on
// the same VM changes the next request's answer.
func TestReconfigureAppliesToNewStreams(t *testing.T) {
	req := [][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "api.example.com"}, {"origin", "https://b.example"}}
	for i, tt := range []struct {
		config string
		want   []string
	}{
		{`{"allowOrigins": ["https://a.example"]}`, nil},
		{`{"allowOrigins": ["https://b.example"]}`, []string{"https://b.example"}},
		{`{"allowOrigins": ["https://a.example"]}`, nil},
	} {
		host, reset := emulator(t, tt.config, "")
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, req, true)
		host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}}, false)
		got := scenarios.Values(host.GetCurrentResponseHeaders(id), scenarios.ACAO)
		host.CompleteHttpContext(id)
		reset()
		if !slices.Equal(got, tt.want) {
			t.Errorf("config %d: ACAO got %q; want %q", i, got, tt.want)
		}
	}
}
