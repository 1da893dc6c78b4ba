package gateway

import (
	"context"
	"fmt"
	"github.com/corswasm/corswasm/internal/wasmhost"
	"github.com/corswasm/corswasm/internal/wasmhost/wasmtest"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequestHeaderList(t *testing.T) {
	r := httptest.NewRequest("patch", "http://api.example.com/items?x=1", nil)
	r.Header.Add("Origin", "https://a.example")
	r.Header.Add("Origin", "https://b.example")
	r.Header.Set("Connection", "keep-alive")
	got := requestHeaderList(r)
	want := [][2]string{
		{":method", "patch"}, // verbatim: methods are case-sensitive
		{":path", "/items?x=1"},
		{":authority", "api.example.com"},
		{":scheme", "http"},
		{"origin", "https://a.example"}, // one entry per header line
		{"origin", "https://b.example"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requestHeaderList: got %q; want %q (hop-by-hop dropped)", got, want)
	}
}

func TestToHeader(t *testing.T) {
	h, status := toHeader([][2]string{{":status", "204"}, {"vary", "Origin"}, {"transfer-encoding", "chunked"}, {"x-a", "1"}, {"x-a", "2"}})
	if status != 204 {
		t.Errorf("status: got %d; want 204", status)
	}
	want := http.Header{"Vary": {"Origin"}, "X-A": {"1", "2"}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("headers: got %v; want %v", h, want)
	}
}

func TestDemoUpstreamEchoControls(t *testing.T) {
	tests := []struct {
		name       string
		target     string
		wantStatus int
		wantHeader http.Header
	}{
		{"plain echo", "/items", 200, http.Header{}},
		{"status", "/items?echo_code=429", 429, http.Header{}},
		{"status out of range is ignored", "/items?echo_code=99", 200, http.Header{}},
		{"two lines of one header", "/items?echo_header=Access-Control-Allow-Origin:*&echo_header=Access-Control-Allow-Origin:https://evil.example",
			200, http.Header{"Access-Control-Allow-Origin": {"*", "https://evil.example"}}},
		{"private is 401 with its own challenge", "/api/private", 401, http.Header{"Www-Authenticate": {`Bearer realm="demo"`}}},
		{"echo_header replaces the handler's header", "/private?echo_code=401&echo_header=www-authenticate:Bearer",
			401, http.Header{"Www-Authenticate": {"Bearer"}}},
	}
	u := NewDemoUpstream()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			u.ServeHTTP(rec, httptest.NewRequest("GET", tt.target, nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d; want %d", rec.Code, tt.wantStatus)
			}
			for name, want := range tt.wantHeader {
				if got := rec.Header()[name]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s: got %q; want %q", name, got, want)
				}
			}
			if rec.Header().Get("X-Request-Id") == "" || rec.Header().Get("X-Internal-Secret") == "" {
				t.Errorf("x-request-id / x-internal-secret missing: %v", rec.Header())
			}
		})
	}
}

var (
	compileOnce sync.Once
	compiled    *Module
	compileErr  error
)

// corsModule compiles build/cors.wasm once for the package's tests:
// skipped locally without it, a failure in CI (`make test` builds it
// first).
func corsModule(t *testing.T) *Module {
	t.Helper()
	b := wasmtest.Read(t, wasmhost.CorsWasm)
	compileOnce.Do(func() { compiled, compileErr = CompileModule(b) })
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiled
}

// TestGatewayLikeEnvoy checks the parts of the stand-in that imitate
// Envoy rather than the filter: replies the chain produces itself still
// pass through the module's response callback, and the admin endpoint is
// never filtered.
func TestGatewayLikeEnvoy(t *testing.T) {
	module := corsModule(t)
	// An upstream address that refuses connections.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()

	const app = "https://app.example.com"
	srv, err := Start(Config{
		Compiled:     module,
		PluginConfig: []byte(`{"allowOrigins": ["` + app + `"], "allowMethods": ["PUT"], "allowCredentials": true}`),
		Listen:       "127.0.0.1:0",
		Upstream:     dead,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	tests := []struct {
		name       string
		method     string
		path       string
		headers    map[string]string
		wantStatus int
		wantHeader map[string]string // "" = absent
	}{
		{
			name: "unreachable upstream: the 503 is decorated for an allowed origin", method: "GET", path: "/x",
			headers:    map[string]string{"Origin": app},
			wantStatus: 503, wantHeader: map[string]string{"Access-Control-Allow-Origin": app, "Access-Control-Allow-Credentials": "true"},
		},
		{
			name: "unreachable upstream: no CORS headers for another origin", method: "GET", path: "/x",
			headers:    map[string]string{"Origin": "https://evil.example"},
			wantStatus: 503, wantHeader: map[string]string{"Access-Control-Allow-Origin": ""},
		},
		{
			name: "preflight answered by the module, untouched by its second pass", method: "OPTIONS", path: "/x",
			headers:    map[string]string{"Origin": app, "Access-Control-Request-Method": "PUT"},
			wantStatus: 204, wantHeader: map[string]string{"Access-Control-Allow-Origin": app, "Access-Control-Allow-Methods": "PUT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.GatewayURL+tt.path, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status: got %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			for name, want := range tt.wantHeader {
				got := resp.Header.Values(name)
				if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || !strings.Contains(got[0], want)) {
					t.Errorf("%s: got %q; want %q", name, got, want)
				}
			}
		})
	}

	t.Run("stats endpoint is served by the gateway itself", func(t *testing.T) {
		resp, err := http.Get(srv.GatewayURL + AdminPrefix + "stats")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"OPTIONS /x"`) {
			t.Errorf("GET %sstats: got %d %s; want 200 with the OPTIONS /x counter", AdminPrefix, resp.StatusCode, body)
		}
		if n := srv.Gateway.Stats.Requests("GET", AdminPrefix+"stats"); n != 0 {
			t.Errorf("admin requests counted as traffic: got %d; want 0", n)
		}
	})
}

// TestConcurrentRequests: many clients at once, two allowed origins, mixed
// preflights and actual requests, over two workers. Each VM runs one
// stream phase at a time, proxying runs in parallel; every response must
// carry its own request's origin. Run with -race to check the locking.
func TestConcurrentRequests(t *testing.T) {
	origins := []string{"https://app.example.com", "https://admin.example.com"}
	srv, err := Start(Config{
		Compiled:     corsModule(t),
		PluginConfig: []byte(`{"allowOrigins": ["https://app.example.com", "https://admin.example.com"], "allowMethods": ["PUT"]}`),
		Listen:       "127.0.0.1:0",
		Concurrency:  2,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	const workers, perWorker = 8, 40
	errs := make(chan string, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				origin := origins[(w+i)%2]
				method, want := "GET", 200
				req, _ := http.NewRequest(method, srv.GatewayURL+"/items", nil)
				if i%3 == 0 {
					req.Method, want = "OPTIONS", 204
					req.Header.Set("Access-Control-Request-Method", "PUT")
				}
				req.Header.Set("Origin", origin)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if got := resp.Header.Values("Access-Control-Allow-Origin"); resp.StatusCode != want || len(got) != 1 || got[0] != origin {
					errs <- fmt.Sprintf("%s from %s: got %d %q; want %d [%q]", req.Method, origin, resp.StatusCode, got, want, origin)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := srv.Gateway.Stats.Requests("GET", "/items") + srv.Gateway.Stats.Requests("OPTIONS", "/items"); got != workers*perWorker {
		t.Errorf("requests counted: got %d; want %d", got, workers*perWorker)
	}
}

func TestUpstreamURLValidated(t *testing.T) {
	_, err := Start(Config{Module: []byte("unused"), Listen: "127.0.0.1:0", Upstream: "localhost:8000"})
	if err == nil || !strings.Contains(err.Error(), `-upstream "localhost:8000": want an absolute http(s) URL`) {
		t.Errorf("got %v; want the -upstream error", err)
	}
}
