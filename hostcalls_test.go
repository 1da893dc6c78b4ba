package main

import (
	"testing"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Host calls per request are the cost that carries over to Envoy: every
// proxy_* import the module calls and every proxy_on_memory_allocate the
// host makes to hand data back is one crossing of the wasm boundary. The
// counts are pinned exactly, so any regression (or improvement) shows up
// here and must be reflected in the README's table.
//
// Where the crossings go (ConfigCredentials: origin list, credentials,
// exposed headers; no routes, no crossOriginProtection):
//
//	request phase   get origin (1, +1 alloc if present; skipped when the
//	                policy has routes or crossOriginProtection); when
//	                present, every request header line in one call (1 + 1
//	                alloc); a denial's debug log (1) only when the host logs
//	                debug (the level is read at configure and on each tick,
//	                never per request); a local reply (1). The metric
//	                costs 0: it is counted in guest memory and reported on
//	                the root context's timer (TestMetricsReportedOnTick)
//	response phase  the response header lines (1 + 1 alloc) when there is
//	                anything to apply; one replace per header set, one
//	                remove per upstream Access-Control-* line, and one
//	                replace for Vary when the merge changes it
//	local reply     our own response callback on it: 0
func TestHostCallsPerRequest(t *testing.T) {
	m := corsModule(t)
	// The WASI counter must see calls when there are some (module start),
	// or "0 WASI calls per request" below would prove nothing.
	before := m.WASICalls()
	instantiate(t, m, scenarios.ConfigStar)
	if m.WASICalls() == before {
		t.Fatal("WASI counter saw no call during module start; want > 0")
	}
	tests := []struct {
		name     string
		config   string
		request  [][2]string // besides :method/:path/:authority/:scheme
		method   string
		upstream *scenarios.Response
		debug    bool // the host logs debug (default: info, Envoy's default)
		want     int
		budget   int // issue #3's ceiling, 0 where it sets none
	}{
		{
			// get origin 1; response pairs 2 (the engine strips upstream
			// CORS headers even for non-CORS requests); vary 1. Budget ≤ 4.
			name: "no Origin", config: scenarios.ConfigCredentials, method: "GET", want: 4, budget: 4,
		},
		{
			name: "no Origin, upstream already varies on Origin", config: scenarios.ConfigCredentials, method: "GET",
			upstream: &scenarios.Response{Status: 200, Headers: [][2]string{{"vary", "Origin"}}}, want: 3,
		},
		{
			// get origin 2; pairs 2; response pairs 2; ACAO, ACAC, ACEH 3;
			// vary 1. Budget ≤ 10.
			name: "allowed actual, credentials and exposed headers", config: scenarios.ConfigCredentials, method: "GET",
			request: [][2]string{{"origin", "https://app.example.com"}}, want: 10, budget: 10,
		},
		{
			name: "allowed actual, origin list without credentials", config: `{"allowOrigins": ["https://app.example.com"]}`, method: "GET",
			request: [][2]string{{"origin", "https://app.example.com"}}, want: 8,
		},
		{
			name: "allowed actual, *", config: scenarios.ConfigStar, method: "GET",
			request: [][2]string{{"origin", "https://app.example.com"}}, want: 7,
		},
		{
			// get origin 2; pairs 2; response pairs 2; vary 1. The host
			// logs info: the denial's debug line is neither built nor sent.
			name: "denied actual", config: scenarios.ConfigCredentials, method: "GET",
			request: [][2]string{{"origin", "https://evil.example"}}, want: 7,
		},
		{
			// … plus the debug log line 1.
			name: "denied actual, host logs debug", config: scenarios.ConfigCredentials, method: "GET", debug: true,
			request: [][2]string{{"origin", "https://evil.example"}}, want: 8,
		},
		{
			// get origin 2; pairs 2; local reply 1; the local reply's pass
			// through our response callback 0. Budget ≤ 11.
			name: "allowed preflight", config: scenarios.ConfigCredentials, method: "OPTIONS",
			request: [][2]string{{"origin", "https://app.example.com"}, {"access-control-request-method", "PUT"}}, want: 5, budget: 11,
		},
		{
			name: "denied preflight", config: scenarios.ConfigCredentials, method: "OPTIONS",
			request: [][2]string{{"origin", "https://evil.example"}, {"access-control-request-method", "PUT"}}, want: 5,
		},
		{
			name: "denied preflight, host logs debug", config: scenarios.ConfigCredentials, method: "OPTIONS", debug: true,
			request: [][2]string{{"origin", "https://evil.example"}, {"access-control-request-method", "PUT"}}, want: 6,
		},
		// examples/config.json: crossOriginProtection, so even a request
		// without Origin needs method and Sec-Fetch-Site; the request
		// lines are fetched at once, without an Origin lookup first (which
		// cost 1 more without Origin, 2 more with one).
		{
			// pairs 2; response pairs 2; vary 1.
			name: "example config: no Origin", config: scenarios.ConfigExample, method: "GET", want: 5,
		},
		{
			// pairs 2; response pairs 2; ACAO, ACAC, ACEH 3; vary 1.
			name: "example config: allowed actual", config: scenarios.ConfigExample, method: "GET",
			request: [][2]string{{"origin", "http://localhost:8080"}}, want: 8, budget: 10,
		},
		{
			// pairs 2; local reply 1.
			name: "example config: allowed preflight", config: scenarios.ConfigExample, method: "OPTIONS",
			request: [][2]string{{"origin", "https://app.example.com"}, {"access-control-request-method", "PUT"}, {"access-control-request-headers", "content-type"}}, want: 3, budget: 11,
		},
		{
			// pairs 2; local reply 1 (the rejection logs at debug).
			name: "example config: cross-site POST rejected", config: scenarios.ConfigExample, method: "POST",
			request: [][2]string{{"origin", "https://evil.example"}, {"sec-fetch-site", "cross-site"}}, want: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []wasmhost.Option
			if tt.debug {
				opts = append(opts, wasmhost.WithLogLevel(wasmhost.LogDebug))
			}
			in := instantiate(t, m, tt.config, opts...)
			s := scenarios.Scenario{Method: tt.method, Path: "/", Authority: "api.example.com", Headers: tt.request, Upstream: tt.upstream}
			wasi := m.WASICalls()
			o := run(t, in, s)
			if got := o.calls.Total(); got != tt.want {
				t.Errorf("crossings: got %v; want %d", o.calls, tt.want)
			}
			if tt.budget > 0 && o.calls.Total() > tt.budget {
				t.Errorf("crossings: got %d; want ≤ %d (budget)", o.calls.Total(), tt.budget)
			}
			if n := o.calls.Imports["proxy_increment_metric"]; n != 0 {
				t.Errorf("proxy_increment_metric during the request: got %d; want 0 (counted in guest memory, reported on tick)", n)
			}
			if n := m.WASICalls() - wasi; n != 0 {
				t.Errorf("WASI calls during the request: got %d; want 0", n)
			}
		})
	}
}
