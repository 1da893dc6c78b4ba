package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
	"github.com/corswasm/corswasm/internal/wasmhost/wasmtest"
)

// TestReplayLocalGateway replays the whole scenario table over real HTTP
// through the local gateway (build/cors.wasm in wazero) in front of the
// built-in upstream. It runs in `make test`: the same replay code as the
// Envoy run, with one gateway per (config, route name) in the table. Here,
// unlike against Envoy, the upstream, the module's counters and its log
// can be read, so it also checks Want.LocalReply, Want.Metric and Want.Log.
func TestReplayLocalGateway(t *testing.T) {
	wasm := wasmtest.Read(t, wasmhost.CorsWasm) // or $CORS_WASM, another build
	// Compile once; configure per group (as Envoy reuses a VM across
	// configurations). A Go module takes seconds to compile.
	module, err := gateway.CompileModule(wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer module.Close()

	type group struct {
		config, routeName string
		list              []scenarios.Scenario
	}
	var groups []*group
	index := map[[2]string]*group{}
	for _, s := range scenarios.All() {
		k := [2]string{s.Config, s.RouteName}
		if index[k] == nil {
			index[k] = &group{config: s.Config, routeName: s.RouteName}
			groups = append(groups, index[k])
		}
		index[k].list = append(index[k].list, s)
	}

	for _, g := range groups {
		srv, err := gateway.Start(gateway.Config{
			Compiled: module, PluginConfig: []byte(g.config),
			Listen: "127.0.0.1:0", RouteName: g.routeName,
			// Every line the module logs, as the scenarios check them.
			LogLevel: wasmhost.LogTrace, LogLevelSet: true,
		})
		if err != nil {
			t.Fatalf("start gateway for config %s (route name %q): %v", g.config, g.routeName, err)
		}
		var upstreamBefore int
		var metricBefore uint64
		var logsBefore uint64
		tg := target{
			baseURL:             srv.GatewayURL,
			multiHeaderUpstream: true,
			before: func(s scenarios.Scenario) {
				upstreamBefore = totalRequests(srv.Upstream.Stats)
				metricBefore, _ = srv.Engine.Counter("corswasm." + s.Want.Metric)
				_, logsBefore = srv.Engine.Logs()
			},
			after: func(t *testing.T, s scenarios.Scenario) {
				reached := totalRequests(srv.Upstream.Stats) - upstreamBefore
				if s.Want.LocalReply && reached != 0 {
					t.Errorf("upstream requests: got %d; want 0 (the filter answers locally)", reached)
				}
				if !s.Want.LocalReply && reached != 1 {
					t.Errorf("upstream requests: got %d; want 1 (forwarded)", reached)
				}
				if s.Want.Metric != "" {
					after, err := srv.Engine.Counter("corswasm." + s.Want.Metric)
					if err != nil || after != metricBefore+1 {
						t.Errorf("counter corswasm.%s: got %d -> %d (%v); want +1", s.Want.Metric, metricBefore, after, err)
					}
				}
				if s.Want.Log != "" {
					if got := srv.Engine.LogsSince(logsBefore); !containsLine(got, s.Want.Log) {
						t.Errorf("module log: got %q; want a line containing %q", got, s.Want.Log)
					}
				}
			},
		}
		name := "config " + shortConfig(g.config)
		if g.routeName != "" {
			name += " route " + g.routeName
		}
		t.Run(name, func(t *testing.T) { replay(t, tg, g.list) })

		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		srv.Shutdown(ctx)
		cancel()
	}
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func totalRequests(s *gateway.Stats) int {
	n := 0
	for _, c := range s.Snapshot() {
		n += c.Requests
	}
	return n
}

// shortConfig names a group in test output.
func shortConfig(cfg string) string {
	for _, c := range []struct{ name, value string }{
		{"credentials", scenarios.ConfigCredentials}, {"star", scenarios.ConfigStar},
		{"preserve", scenarios.ConfigPreserve}, {"routes", scenarios.ConfigRoutes},
		{"cop", scenarios.ConfigCOP}, {"shadow", scenarios.ConfigShadow}, {"pna", scenarios.ConfigPNA},
		{"forward", scenarios.ConfigForward},
		{"example", scenarios.ConfigExample},
	} {
		if cfg == c.value {
			return c.name
		}
	}
	if len(cfg) > 40 {
		return cfg[:40]
	}
	return cfg
}
