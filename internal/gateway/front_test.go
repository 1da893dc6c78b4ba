package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func startCORS(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Compiled = corsModule(t)
	if cfg.PluginConfig == nil {
		cfg.PluginConfig = []byte(`{"allowOrigins": ["https://app.example.com"]}`)
	}
	cfg.Listen = "127.0.0.1:0"
	srv, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv
}

// TestHTTPFront: HTTP/1.1 and h2c (prior knowledge) both reach the module;
// request headers over Envoy's 60 KiB default are refused with 431.
func TestHTTPFront(t *testing.T) {
	srv := startCORS(t, Config{Concurrency: 2})
	var h2c http.Protocols
	h2c.SetUnencryptedHTTP2(true)
	tests := []struct {
		name       string
		transport  *http.Transport
		header     int // bytes of padding header
		wantProto  int
		wantStatus int
		wantACAO   string
	}{
		{"HTTP/1.1", &http.Transport{}, 0, 1, 200, "https://app.example.com"},
		{"h2c with prior knowledge", &http.Transport{Protocols: &h2c}, 0, 2, 200, "https://app.example.com"},
		{"HTTP/1.1, 50 KiB of headers: under the limit", &http.Transport{}, 50 << 10, 1, 200, "https://app.example.com"},
		{"HTTP/1.1, 70 KiB of headers: 431", &http.Transport{}, 70 << 10, 1, 431, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.transport.CloseIdleConnections()
			req, _ := http.NewRequest("GET", srv.GatewayURL+"/api/x", nil)
			req.Header.Set("Origin", "https://app.example.com")
			if tt.header > 0 {
				req.Header.Set("X-Pad", strings.Repeat("a", tt.header))
			}
			resp, err := (&http.Client{Transport: tt.transport, Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != tt.wantProto || resp.StatusCode != tt.wantStatus {
				t.Errorf("got HTTP/%d %d; want HTTP/%d %d", resp.ProtoMajor, resp.StatusCode, tt.wantProto, tt.wantStatus)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.wantACAO {
				t.Errorf("Access-Control-Allow-Origin: got %q; want %q", got, tt.wantACAO)
			}
		})
	}
}

// TestStatsEndpoints: module counters under Envoy's names (summed over
// the VMs), per-route keys, and Prometheus text.
func TestStatsEndpoints(t *testing.T) {
	srv := startCORS(t, Config{Concurrency: 2})
	for i := range 6 {
		req, _ := http.NewRequest("GET", srv.GatewayURL+"/api/items/"+strings.Repeat("x", i+1), nil)
		req.Header.Set("Origin", "https://app.example.com")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
	// The module reports its counts on its timer; make every VM tick now.
	if n, err := srv.Engine.Counter("corswasm.actual_allowed"); err != nil || n != 6 {
		t.Fatalf("corswasm.actual_allowed summed over the VMs: got %d (%v); want 6", n, err)
	}
	get := func(path string) string {
		resp, err := http.Get(srv.GatewayURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"JSON", AdminPrefix + "stats", []string{`"wasmcustom.corswasm.actual_allowed": 6`, `"GET /api/*": {`, `"requests": 6`}},
		{"Prometheus", AdminPrefix + "stats/prometheus", []string{
			"# TYPE corswasm_actual_allowed counter\ncorswasm_actual_allowed 6\n",
			`envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="ingress_http"} 6`,
			`envoy_http_downstream_rq_xx{envoy_response_code_class="2",envoy_http_conn_manager_prefix="ingress_http"} 6`,
			`corsgateway_route_rq_total{method="GET",route="/api/*",code="200"} 6`,
		}},
		{"Prometheus by query", AdminPrefix + "stats?format=prometheus", []string{"corswasm_actual_allowed 6\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := get(tt.path)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: got\n%s\nwant it to contain %q", tt.path, body, w)
				}
			}
		})
	}
}

// TestStatsBounded: unique paths beyond the cap share one key.
func TestStatsBounded(t *testing.T) {
	s := NewStats()
	for i := range maxPathKeys + 500 {
		s.Record("GET", "/api/items/"+strconv.Itoa(i), 200)
	}
	if got := len(s.Snapshot()); got > maxPathKeys+1 {
		t.Errorf("path keys: got %d; want <= %d", got, maxPathKeys+1)
	}
	if got := s.Requests("GET", "(other paths)"); got != 500 {
		t.Errorf("requests counted under (other paths): got %d; want 500", got)
	}
	if got := s.Routes()["GET /api/*"].Requests; got != maxPathKeys+500 {
		t.Errorf("requests under route GET /api/*: got %d; want %d", got, maxPathKeys+500)
	}
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestDemoAdvice: when the configuration does not allow the demo page's
// origin, the gateway says which origin to add (on the terminal and on the
// page); when it does, it says nothing.
func TestDemoAdvice(t *testing.T) {
	tests := []struct {
		name       string
		config     func(demoOrigin string) string
		wantAdvice bool
	}{
		{"config allows only :8080, demo elsewhere", func(string) string {
			return `{"allowOrigins": ["http://localhost:8080"]}`
		}, true},
		{"config allows the demo's origin", func(o string) string {
			return `{"allowOrigins": ["` + o + `"]}`
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := freeAddr(t)
			origin := "http://localhost:" + addr[strings.LastIndexByte(addr, ':')+1:]
			var progress syncBuffer
			srv := startCORS(t, Config{PluginConfig: []byte(tt.config(origin)), DemoListen: addr, Progress: &progress, Concurrency: 1})
			resp, err := http.Get(srv.DemoURL + "/config.js")
			if err != nil {
				t.Fatal(err)
			}
			js, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			said := progress.String()
			hasAdvice := strings.Contains(said, "add \""+origin+"\" to \"allowOrigins\"")
			onPage := strings.Contains(string(js), origin)
			if hasAdvice != tt.wantAdvice || onPage != tt.wantAdvice {
				t.Errorf("advice on the terminal: %v, on the page: %v; want %v\nterminal:\n%s\nconfig.js: %s", hasAdvice, onPage, tt.wantAdvice, said, js)
			}
			if tt.wantAdvice && !strings.Contains(said, "-demo 127.0.0.1:8080") {
				t.Errorf("terminal: got\n%s\nwant the port the config expects (-demo 127.0.0.1:8080)", said)
			}
		})
	}
}
