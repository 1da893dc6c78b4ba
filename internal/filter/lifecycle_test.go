package filter

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/abi/fakehost"
	"github.com/corswasm/corswasm/internal/scenarios"
)

// The filter's paths off the scenario table: configuration rejected,
// host calls that fail, plugin shutdown. Their module-level twins are in
// ../../filter_test.go, localreply_test.go and metrics_test.go.

// An invalid configuration is rejected, every problem logged at error
// level, and counted at once (a rejected plugin may never tick).
func TestNativeInvalidConfig(t *testing.T) {
	tests := []struct {
		name, config string
		fail         abi.Status // for proxy_get_buffer_bytes, 0 = none
		want         string
	}{
		{name: "* with credentials", config: `{"allowOrigins": ["*"], "allowCredentials": true}`, want: "allowCredentials"},
		{name: "not JSON", config: `allowOrigins: [a]`, want: "corswasm: configuration rejected"},
		{name: "empty", config: ``, want: "plugin configuration is empty"},
		{name: "unreadable", config: `{}`, fail: abi.StatusBadArgument, want: "cannot read the plugin configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, restore := fakehost.New(tt.config)
			defer restore()
			abi.SetPlugin(New())
			defer abi.SetPlugin(abi.NopPlugin{})
			if tt.fail != 0 {
				h.Fail["proxy_get_buffer_bytes"] = tt.fail
			}
			if h.Configure() {
				t.Fatal("configure: got accepted; want rejected")
			}
			if !slices.ContainsFunc(h.Logs, func(l fakehost.Log) bool { return l.Level == abi.LogError && strings.Contains(l.Msg, tt.want) }) {
				t.Errorf("error logs: got %q; want a line containing %q", logLines(h), tt.want)
			}
			if got := h.Counters["corswasm.config_rejected"]; got != 1 {
				t.Errorf("corswasm.config_rejected: got %d; want 1", got)
			}
		})
	}
}

// A local reply the host refuses is logged and the request forwarded; the
// response gets exactly the headers the reply would have had.
func TestNativeFailedLocalReplyForwards(t *testing.T) {
	h := plugin(t, scenarios.ConfigCOP)
	h.Fail["proxy_send_local_response"] = abi.StatusBadArgument
	s := scenarios.Scenario{Method: "POST", Path: "/", Authority: "api.example.com",
		Headers:  [][2]string{{"origin", "https://evil.example"}, {"sec-fetch-site", "cross-site"}},
		Upstream: &scenarios.Response{Status: 200, Headers: [][2]string{{scenarios.ACAO, "*"}}}}
	x := exchange(h, s)
	if x.Local != nil || x.RequestAction != abi.Continue {
		t.Errorf("after a refused local reply: got reply %v, action %d; want none, Continue", x.Local != nil, x.RequestAction)
	}
	if got := scenarios.Values(pairs(x.Response), scenarios.ACAO); len(got) != 0 {
		t.Errorf("%s: got %q; want absent (the upstream's stripped)", scenarios.ACAO, got)
	}
	want := "(the cross-origin write reached the upstream)"
	if !slices.ContainsFunc(h.Logs, func(l fakehost.Log) bool { return l.Level == abi.LogError && strings.Contains(l.Msg, want) }) {
		t.Errorf("logs: got %q; want an error line containing %q", logLines(h), want)
	}
}

// A request the host cannot show is decided as a repeated Origin: denied.
func TestNativeUnreadableRequestIsDenied(t *testing.T) {
	h := plugin(t, scenarios.ConfigCredentials)
	h.Fail["proxy_get_header_map_pairs"] = abi.StatusBadArgument
	s := scenarios.Scenario{Method: "GET", Path: "/", Authority: "api.example.com", Headers: [][2]string{{"origin", "https://app.example.com"}}}
	x := exchange(h, s)
	if got := scenarios.Values(pairs(x.Response), scenarios.ACAO); len(got) != 0 {
		t.Errorf("%s: got %q; want absent", scenarios.ACAO, got)
	}
}

// Plugin shutdown reports what was not reported yet; a stream that
// outlives its plugin reports its count at once.
func TestNativeShutdownReportsCounts(t *testing.T) {
	h := plugin(t, scenarios.ConfigCredentials)
	if h.Tick != TickMillis {
		t.Errorf("tick period: got %d; want %d", h.Tick, TickMillis)
	}
	noOrigin := scenarios.Scenario{Method: "GET", Path: "/", Authority: "api.example.com"}
	exchange(h, noOrigin)
	abi.CallOnContextCreate(7, fakehost.RootID) // in flight across the shutdown
	h.Shutdown()
	if got := h.Counters["corswasm.no_origin"]; got != 1 {
		t.Errorf("corswasm.no_origin after shutdown: got %d; want 1", got)
	}
	h.Request = headers(noOrigin.RequestHeaders())
	abi.CallOnRequestHeaders(7, len(h.Request), true)
	if got := h.Counters["corswasm.no_origin"]; got != 2 {
		t.Errorf("corswasm.no_origin after a late stream: got %d; want 2 (reported at once)", got)
	}
	if got := len(MetricNames()); got != int(numMetrics) {
		t.Errorf("MetricNames: got %d names; want %d", got, numMetrics)
	}
}
