package main

import (
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Denial lines are built and sent only when the host keeps them: the
// module reads proxy_get_log_level at configure and on each tick, never per
// request. Envoy's default level is info, so by default a denial costs no
// log call at all.
func TestDenialLogFollowsHostLevel(t *testing.T) {
	denied := scenarios.Scenario{Method: "GET", Path: "/", Authority: "api.example.com", Headers: [][2]string{{"origin", "https://evil.example"}}}
	tests := []struct {
		name      string
		config    string
		level     uint32
		wantLevel uint32 // level of the line, when one is wanted
		want      string // "" wants no proxy_log call at all
	}{
		{name: "info (Envoy's default): no debug line", config: scenarios.ConfigCredentials, level: wasmhost.LogInfo},
		{name: "warn: no debug line", config: scenarios.ConfigCredentials, level: wasmhost.LogWarn},
		{name: "debug: the line", config: scenarios.ConfigCredentials, level: wasmhost.LogDebug, wantLevel: wasmhost.LogDebug, want: `origin "https://evil.example" not allowed by route "default"`},
		{name: "trace: the line", config: scenarios.ConfigCredentials, level: wasmhost.LogTrace, wantLevel: wasmhost.LogDebug, want: `origin "https://evil.example" not allowed by route "default"`},
		{name: "shadow at info: the info line", config: scenarios.ConfigShadow, level: wasmhost.LogInfo, wantLevel: wasmhost.LogInfo, want: `shadow: origin "https://evil.example" not allowed`},
		{name: "shadow at warn: no line", config: scenarios.ConfigShadow, level: wasmhost.LogWarn},
	}
	m := corsModule(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instantiate(t, m, tt.config, wasmhost.WithLogLevel(tt.level))
			logs := len(in.Logs)
			o := run(t, in, denied)
			got := in.Logs[logs:]
			if tt.want == "" {
				if n := o.calls.Imports["proxy_log"]; n != 0 || len(got) != 0 {
					t.Errorf("proxy_log calls: got %d %q; want 0", n, logsOf(in)[logs:])
				}
				return
			}
			if len(got) != 1 || got[0].Level != tt.wantLevel || !strings.Contains(got[0].Msg, tt.want) {
				t.Errorf("logs: got %q; want one line at level %d containing %q", logsOf(in)[logs:], tt.wantLevel, tt.want)
			}
			if n := o.calls.Imports["proxy_get_log_level"]; n != 0 {
				t.Errorf("proxy_get_log_level during the request: got %d; want 0", n)
			}
		})
	}
}

// A level changed at run time (Envoy's admin /logging) applies from the
// next tick on.
func TestLogLevelChangeAppliesAtNextTick(t *testing.T) {
	denied := scenarios.Scenario{Method: "GET", Path: "/", Authority: "api.example.com", Headers: [][2]string{{"origin", "https://evil.example"}}}
	in := instantiate(t, corsModule(t), scenarios.ConfigCredentials) // info
	steps := []struct {
		name  string
		set   uint32
		tick  bool
		lines int
	}{
		{name: "info at configure", set: wasmhost.LogInfo, lines: 0},
		{name: "debug set, no tick yet", set: wasmhost.LogDebug, lines: 0},
		{name: "debug after a tick", set: wasmhost.LogDebug, tick: true, lines: 1},
		{name: "back to info after a tick", set: wasmhost.LogInfo, tick: true, lines: 0},
	}
	for _, st := range steps {
		in.SetLogLevel(st.set)
		if st.tick {
			tick(t, in)
		}
		logs := len(in.Logs)
		run(t, in, denied)
		if got := len(in.Logs) - logs; got != st.lines {
			t.Errorf("%s: log lines got %d %q; want %d", st.name, got, logsOf(in)[logs:], st.lines)
		}
	}
}
