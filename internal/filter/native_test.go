package filter

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/abi/fakehost"
	"github.com/corswasm/corswasm/internal/scenarios"
)

// These tests run the filter natively through internal/abi/fakehost: the
// same scenario table the module's tests run against build/cors.wasm
// (../../hosttable_test.go), fast and with coverage. The compiled module
// stays the truth; this is where a change is seen first.

// plugin registers a fresh filter and a fake host with config, and
// configures it.
func plugin(t *testing.T, config string) *fakehost.Host {
	t.Helper()
	h, _ := plugin2(t, config)
	return h
}

// plugin2 is plugin that also returns the filter, for tests that switch
// between several.
func plugin2(t *testing.T, config string) (*fakehost.Host, *Filter) {
	t.Helper()
	h, restore := fakehost.New(config)
	f := New()
	abi.SetPlugin(f)
	t.Cleanup(func() { restore(); abi.SetPlugin(abi.NopPlugin{}) })
	h.Level = abi.LogDebug
	if !h.Configure() {
		t.Fatalf("configure %s: rejected; want accepted (logs %q)", config, logLines(h))
	}
	return h, f
}

func logLines(h *fakehost.Host) []string {
	var out []string
	for _, l := range h.Logs {
		out = append(out, fmt.Sprintf("[%d] %s", l.Level, l.Msg))
	}
	return out
}

func headers(kv [][2]string) []abi.Header {
	out := make([]abi.Header, len(kv))
	for i, x := range kv {
		out[i] = abi.Header{Name: x[0], Value: x[1]}
	}
	return out
}

func pairs(hs []abi.Header) [][2]string {
	out := make([][2]string, len(hs))
	for i, x := range hs {
		out[i] = [2]string{x.Name, x.Value}
	}
	return out
}

var nextID uint32 = 100

// exchange runs scenario s through h as one stream.
func exchange(h *fakehost.Host, s scenarios.Scenario) fakehost.Exchange {
	delete(h.Props, "route_name")
	if s.RouteName != "" {
		h.Props["route_name"] = s.RouteName
	}
	nextID++
	upstream := s.UpstreamHeaders()[1:] // without :status
	return h.Stream(nextID, headers(s.RequestHeaders()), s.UpstreamStatus(), headers(upstream))
}

// counters fires the timer (counts are reported on it) and returns every
// counter's value.
func counters(h *fakehost.Host) map[string]int64 {
	h.FireTick()
	return maps(h.Counters)
}

func maps(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestScenariosNative(t *testing.T) {
	table := append(scenarios.All(), scenarios.Hostile()...)
	type rig struct {
		h *fakehost.Host
		f *Filter
	}
	rigs := map[string]rig{}
	for _, s := range table {
		r, ok := rigs[s.Config]
		if !ok {
			r.h, r.f = plugin2(t, s.Config)
			rigs[s.Config] = r
		}
		t.Run(s.Name, func(t *testing.T) {
			h := r.h
			abi.SetHost(h)
			abi.SetPlugin(r.f)
			logs := len(h.Logs)
			before := counters(h)
			x := exchange(h, s)
			if (x.Local != nil) != s.Want.LocalReply {
				t.Errorf("local reply: got %v; want %v", x.Local != nil, s.Want.LocalReply)
			}
			if x.Local != nil {
				if x.RequestAction != abi.Pause {
					t.Errorf("action after a local reply: got %d; want %d (Pause)", x.RequestAction, abi.Pause)
				}
				if !slices.Equal(x.Response, x.Local.Headers) {
					t.Errorf("local reply pass changed the reply: got %q; want %q", pairs(x.Response), pairs(x.Local.Headers))
				}
				for _, e := range s.CheckLocalBody(x.Local.Status, x.Local.Body) {
					t.Error(e)
				}
			}
			for _, e := range s.Check(x.Status, pairs(x.Response)) {
				t.Error(e)
			}
			after := counters(h)
			for name, v := range after {
				want := int64(0)
				if name == "corswasm."+s.Want.Metric {
					want = 1
				}
				if got := v - before[name]; got != want {
					t.Errorf("%s: incremented by %d; want %d", name, got, want)
				}
			}
			if s.Want.Log != "" && !slices.ContainsFunc(h.Logs[logs:], func(l fakehost.Log) bool { return strings.Contains(l.Msg, s.Want.Log) }) {
				t.Errorf("logs: got %q; want a line containing %q", logLines(h)[logs:], s.Want.Log)
			}
		})
	}
}
