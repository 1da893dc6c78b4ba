package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// When the host refuses proxy_send_local_response, pausing would hold the
// stream until a timeout. The module forwards the request instead, logs
// the failure at error level, and the response phase applies the decision
// it stored: a refused preflight still fails the browser's CORS check, an
// allowed one still passes.
func TestFailedLocalReplyForwards(t *testing.T) {
	const app, evil = "https://app.example.com", "https://evil.example"
	upstream := &scenarios.Response{Status: 200, Headers: [][2]string{{"access-control-allow-origin", "*"}, {"allow", "GET, PUT"}}}
	tests := []struct {
		name    string
		config  string
		s       scenarios.Scenario
		headers map[string]string // exact values on the forwarded response
		absent  []string
		metric  string
		log     string
	}{
		{
			name: "allowed preflight: the upstream's answer gets the preflight headers", config: scenarios.ConfigCredentials,
			s: scenarios.Scenario{Method: "OPTIONS", Path: "/", Authority: "api.example.com", Upstream: upstream,
				Headers: [][2]string{{"origin", app}, {"access-control-request-method", "PUT"}}},
			headers: map[string]string{scenarios.ACAO: app, scenarios.ACAC: "true", scenarios.ACAM: "GET, POST, PUT, DELETE, PATCH", "allow": "GET, PUT"},
			metric:  "corswasm.preflight_allowed",
			log:     "corswasm: local reply corswasm_preflight (204) failed with status 2; request forwarded",
		},
		{
			name: "denied preflight: no CORS header, the upstream's stripped", config: scenarios.ConfigCredentials,
			s: scenarios.Scenario{Method: "OPTIONS", Path: "/", Authority: "api.example.com", Upstream: upstream,
				Headers: [][2]string{{"origin", evil}, {"access-control-request-method", "PUT"}}},
			absent: []string{scenarios.ACAO, scenarios.ACAC, scenarios.ACAM},
			metric: "corswasm.preflight_denied",
			log:    "corswasm: local reply corswasm_preflight_denied (403) failed with status 2; request forwarded",
		},
		{
			name: "cross-origin protection: forwarded without CORS headers, logged as reaching the upstream", config: scenarios.ConfigCOP,
			s: scenarios.Scenario{Method: "POST", Path: "/", Authority: "api.example.com", Upstream: upstream,
				Headers: [][2]string{{"origin", evil}, {"sec-fetch-site", "cross-site"}}},
			absent: []string{scenarios.ACAO, scenarios.ACAC},
			metric: "corswasm.cross_origin_protection_rejected",
			log:    "(the cross-origin write reached the upstream)",
		},
	}
	m := corsModule(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instantiate(t, m, tt.config)
			in.FailLocalReply = 2 // BadArgument
			logs := len(in.Logs)
			o := run(t, in, tt.s)
			if o.local != nil || o.action != 0 {
				t.Errorf("after a refused local reply: got reply %v, action %d; want none, 0 (Continue)", o.local != nil, o.action)
			}
			for name, want := range tt.headers {
				if got := scenarios.Values(o.headers, name); !slices.Equal(got, []string{want}) {
					t.Errorf("%s: got %q; want [%q]", name, got, want)
				}
			}
			for _, name := range tt.absent {
				if got := scenarios.Values(o.headers, name); len(got) != 0 {
					t.Errorf("%s: got %q; want absent", name, got)
				}
			}
			if !slices.ContainsFunc(in.Logs[logs:], func(l wasmhost.LogEntry) bool {
				return l.Level == wasmhost.LogError && strings.Contains(l.Msg, tt.log)
			}) {
				t.Errorf("logs: got %q; want an error line containing %q", logsOf(in)[logs:], tt.log)
			}
			tick(t, in)
			if got, _ := in.Metric(tt.metric); got != 1 {
				t.Errorf("%s: got %d; want 1 (counted once)", tt.metric, got)
			}
		})
	}
}
