package main

import (
	"testing"

	"github.com/corswasm/corswasm/internal/filter"
	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Requests are counted in guest memory and reported on the root context's
// timer, so a request's metric costs no host call. These tests pin the
// other half of that trade: what the timer costs, that nothing is lost at
// plugin shutdown, and that counters lag by up to one tick.
func TestMetricsReportedOnTick(t *testing.T) {
	in := instantiate(t, corsModule(t), scenarios.ConfigCredentials)
	if got := in.TickPeriod(); got != filter.TickMillis {
		t.Fatalf("tick period after configure: got %d ms; want %d", got, filter.TickMillis)
	}

	// Nothing happened since configure: a tick makes one host call, to
	// re-read the host's log level (denylog.go), and reports nothing.
	in.ResetCalls()
	tick(t, in)
	if c := in.Calls(); c.Total() != 1 || c.Imports["proxy_get_log_level"] != 1 {
		t.Errorf("idle tick crossings: got %v; want 1 = get_log_level:1", c)
	}

	noOrigin := scenarios.Scenario{Method: "GET", Path: "/", Authority: "api.example.com"}
	allowed := scenarios.Scenario{Method: "GET", Path: "/", Authority: "api.example.com", Headers: [][2]string{{"origin", "https://app.example.com"}}}
	for _, s := range []scenarios.Scenario{noOrigin, noOrigin, allowed} {
		run(t, in, s)
	}
	// Before the tick the host has not been told (the lag).
	wantMetrics(t, in, "before the tick", map[string]uint64{"corswasm.no_origin": 0, "corswasm.actual_allowed": 0})

	// One call per counter that changed, whatever the number of requests.
	in.ResetCalls()
	tick(t, in)
	if c := in.Calls(); c.Total() != 3 || c.Imports["proxy_increment_metric"] != 2 {
		t.Errorf("tick after 3 requests on 2 counters: got %v; want 3 = get_log_level:1 increment_metric:2", c)
	}
	wantMetrics(t, in, "after the tick", map[string]uint64{"corswasm.no_origin": 2, "corswasm.actual_allowed": 1})

	// Reported counts are zeroed: the next tick has nothing to say.
	in.ResetCalls()
	tick(t, in)
	if c := in.Calls(); c.Total() != 1 || c.Imports["proxy_increment_metric"] != 0 {
		t.Errorf("second tick crossings: got %v; want 1 = get_log_level:1", c)
	}
	wantMetrics(t, in, "after a second tick", map[string]uint64{"corswasm.no_origin": 2, "corswasm.actual_allowed": 1})
}

// At plugin shutdown (proxy_on_done of the root context) the counts not
// yet reported are reported: no tick comes after it. A stream that outlives
// its plugin reports its count at once.
func TestMetricsReportedAtShutdown(t *testing.T) {
	in := instantiate(t, corsModule(t), scenarios.ConfigCredentials)
	preflight := scenarios.Scenario{Method: "OPTIONS", Path: "/", Authority: "api.example.com",
		Headers: [][2]string{{"origin", "https://evil.example"}, {"access-control-request-method", "PUT"}}}
	run(t, in, preflight)
	late, err := in.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	wantMetrics(t, in, "after shutdown", map[string]uint64{"corswasm.preflight_denied": 1})

	if _, err := late.RequestHeaders([][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "api.example.com"}}, true); err != nil {
		t.Fatal(err)
	}
	if err := late.End(); err != nil {
		t.Fatal(err)
	}
	wantMetrics(t, in, "stream ended after shutdown", map[string]uint64{"corswasm.preflight_denied": 1, "corswasm.no_origin": 1})
}

func tick(t *testing.T, in *wasmhost.Instance) {
	t.Helper()
	if err := in.Tick(); err != nil {
		t.Fatalf("tick: %v", err)
	}
}

// wantMetrics reads the host's counters as they are (no tick).
func wantMetrics(t *testing.T, in *wasmhost.Instance, when string, want map[string]uint64) {
	t.Helper()
	for name, w := range want {
		if got, _ := in.Metric(name); got != w {
			t.Errorf("%s: %s got %d; want %d", when, name, got, w)
		}
	}
}
