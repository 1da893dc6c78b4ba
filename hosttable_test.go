package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/filter"
	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// The same scenario table through internal/wasmhost: our own proxy-wasm
// host on wazero, which follows Envoy's header-map semantics where the
// SDK emulator does not (replace/remove act on every line) and counts
// every ABI crossing.

// corsModule compiles build/cors.wasm once per test binary, for a host
// that behaves like the strictest Envoy profile (pre-#533).
func corsModule(t testing.TB) *wasmhost.Module {
	t.Helper()
	return moduleFor(t, wasmhost.CorsWasm, wasmhost.Pre533)
}

func instantiate(t testing.TB, m *wasmhost.Module, config string, opts ...wasmhost.Option) *wasmhost.Instance {
	t.Helper()
	in, ok, err := m.Instantiate(context.Background(), []byte(config), opts...)
	if err != nil || !ok {
		t.Fatalf("instantiate: ok=%v err=%v; want ok (logs %q)", ok, err, logsOf(in))
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func logsOf(in *wasmhost.Instance) []string {
	if in == nil {
		return nil
	}
	var out []string
	for _, l := range in.Logs {
		out = append(out, fmt.Sprintf("[%d] %s", l.Level, l.Msg))
	}
	return out
}

// outcome is one request's full cycle through an instance.
type outcome struct {
	local   *wasmhost.LocalReply
	action  uint32
	status  int
	headers [][2]string
	// crossings of the request phase + response phase (+ local reply
	// pass), and of the local reply pass alone.
	calls, localPassCalls wasmhost.Calls
	localPassHeaders      [][2]string
	localPassSent         [][2]string
}

func run(t testing.TB, in *wasmhost.Instance, s scenarios.Scenario) outcome {
	t.Helper()
	in.Properties["route_name"] = s.RouteName
	if s.RouteName == "" {
		delete(in.Properties, "route_name")
	}
	st, err := in.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	in.ResetCalls()
	var o outcome
	if o.action, err = st.RequestHeaders(s.RequestHeaders(), true); err != nil {
		t.Fatalf("request headers: %v", err)
	}
	if o.local = st.LocalReply; o.local != nil {
		o.status, o.headers = o.local.Status, o.local.Headers
		before := in.Calls()
		o.localPassSent = append([][2]string{{":status", fmt.Sprint(o.local.Status)}}, o.local.Headers...)
		if o.localPassHeaders, _, err = st.LocalReplyPass(); err != nil {
			t.Fatalf("local reply pass: %v", err)
		}
		o.localPassCalls = diff(in.Calls(), before)
	} else {
		if _, err := st.ResponseHeaders(s.UpstreamHeaders(), false); err != nil {
			t.Fatalf("response headers: %v", err)
		}
		o.status, o.headers = s.UpstreamStatus(), st.Response
	}
	o.calls = in.Calls()
	if err := st.End(); err != nil {
		t.Fatalf("end: %v", err)
	}
	return o
}

func diff(after, before wasmhost.Calls) wasmhost.Calls {
	d := wasmhost.Calls{Imports: map[string]int{}, Allocs: after.Allocs - before.Allocs}
	for k, v := range after.Imports {
		if n := v - before.Imports[k]; n != 0 {
			d.Imports[k] = n
		}
	}
	return d
}

// TestScenariosInCountingHost runs the table under each Envoy host
// profile (internal/wasmhost): the answers may not depend on which Envoy
// release runs the module.
func TestScenariosInCountingHost(t *testing.T) {
	for _, p := range wasmhost.Profiles {
		t.Run(p.Name, func(t *testing.T) { scenariosInCountingHost(t, moduleFor(t, wasmhost.CorsWasm, p)) })
	}
}

func scenariosInCountingHost(t *testing.T, m *wasmhost.Module) {
	instances := map[string]*wasmhost.Instance{}
	for _, s := range scenarios.All() {
		in := instances[s.Config]
		if in == nil {
			// Denials log at debug: the host logs debug here, so the
			// table's log lines are produced (TestDenialLogFollowsHostLevel
			// covers the default, info).
			in = instantiate(t, m, s.Config, wasmhost.WithLogLevel(wasmhost.LogDebug))
			instances[s.Config] = in
		}
		t.Run(s.Name, func(t *testing.T) {
			logs := len(in.Logs)
			before := metricValues(t, in)
			o := run(t, in, s)
			if (o.local != nil) != s.Want.LocalReply {
				t.Errorf("local reply: got %v; want %v", o.local != nil, s.Want.LocalReply)
			}
			if o.local != nil {
				if o.action != 1 {
					t.Errorf("action after a local reply: got %d; want 1 (Pause)", o.action)
				}
				if !slices.Equal(o.localPassHeaders, o.localPassSent) {
					t.Errorf("local reply pass changed the reply: got %q; want %q", o.localPassHeaders, o.localPassSent)
				}
				if n := o.localPassCalls.Total(); n != 0 {
					t.Errorf("local reply pass crossings: got %v; want 0", o.localPassCalls)
				}
				for _, e := range s.CheckLocalBody(o.local.Status, o.local.Body) {
					t.Error(e)
				}
			}
			for _, e := range s.Check(o.status, o.headers) {
				t.Error(e)
			}
			after := metricValues(t, in)
			for name, v := range after {
				want := uint64(0)
				if name == "corswasm."+s.Want.Metric {
					want = 1
				}
				if got := v - before[name]; got != want {
					t.Errorf("%s: incremented by %d; want %d", name, got, want)
				}
			}
			if s.Want.Log != "" && !slices.ContainsFunc(in.Logs[logs:], func(l wasmhost.LogEntry) bool { return strings.Contains(l.Msg, s.Want.Log) }) {
				t.Errorf("logs: got %q; want a line containing %q", logsOf(in)[logs:], s.Want.Log)
			}
			t.Logf("crossings: %v", o.calls)
		})
	}
}

// metricValues reads every counter after firing the root context's timer:
// the module reports its counts only on proxy_on_tick.
func metricValues(t testing.TB, in *wasmhost.Instance) map[string]uint64 {
	t.Helper()
	if err := in.Tick(); err != nil {
		t.Fatalf("tick: %v", err)
	}
	out := map[string]uint64{}
	for _, m := range filter.MetricNames() {
		v, ok := in.Metric(m)
		if ok {
			out[m] = v
		}
	}
	return out
}
