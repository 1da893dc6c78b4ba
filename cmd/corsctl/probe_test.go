package main

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/cors"

	"github.com/corswasm/corswasm/corshttp"
	"github.com/corswasm/corswasm/internal/gateway"
	"github.com/corswasm/corswasm/internal/wasmhost"
	"github.com/corswasm/corswasm/internal/wasmhost/wasmtest"
	"github.com/corswasm/corswasm/policy"
)

// probeJSON runs `corsctl probe --json` in-process from the repository
// root and decodes the report.
func probeJSON(t *testing.T, args ...string) (probeReport, result) {
	t.Helper()
	r := inRepo(t, append([]string{"probe", "--json", "--rate", "1000"}, args...)...)
	var rep probeReport
	if r.stdout != "" {
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("decode report: %v\n%s", err, r.stdout)
		}
	}
	return rep, r
}

// causesOf lists the report's causes in order.
func causesOf(rep probeReport) []string {
	var out []string
	for _, g := range rep.Groups {
		out = append(out, g.Key)
	}
	return out
}

// TestProbeLocalGateway probes the local gateway (build/cors.wasm in
// wazero, in front of the demo upstream) with the config it runs: every
// response must be as the engine predicts.
func TestProbeLocalGateway(t *testing.T) {
	wasm := wasmtest.Read(t, wasmhost.CorsWasm)
	// The module's log lines go to the standard logger: keep them out of
	// the test output.
	log.SetOutput(io.Discard)
	defer log.SetOutput(os.Stderr)
	module, err := gateway.CompileModule(wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer module.Close()
	tests := []struct {
		name, config, path string
		minSent            int
	}{
		{"credentials and wildcard", "examples/config.json", "/", 35},
		{"public API", "examples/public-api.json", "/", 5},
		{"routes: default policy", "examples/routes.json", "/api/items", 15},
		{"routes: public-assets route", "examples/routes.json", "/assets/app.js", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := gateway.Start(gateway.Config{
				Compiled: module, PluginConfig: mustRead(t, "../../"+tt.config), Listen: "127.0.0.1:0",
			})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				srv.Shutdown(ctx)
			}()
			rep, r := probeJSON(t, "--config", tt.config, srv.GatewayURL+tt.path)
			if r.code != exitOK || rep.Mismatched != 0 || rep.Errors != 0 {
				t.Errorf("exit %d, %d mismatched, %d errors, causes %v; want 0, 0, 0\nstderr: %s", r.code, rep.Mismatched, rep.Errors, causesOf(rep), r.stderr)
				for _, q := range rep.Requests {
					if len(q.Mismatches) > 0 {
						t.Logf("#%d %s: %+v", q.ID, requestLine(&q.probeRequest), q.Mismatches)
					}
				}
			}
			if rep.Sent < tt.minSent {
				t.Errorf("sent: got %d; want at least %d", rep.Sent, tt.minSent)
			}
		})
	}
}

// Servers with the deployment mistakes probe must recognize, built
// around the example policy with the net/http adapter of the same
// engine.

func examplePolicy(t *testing.T) *policy.Policy {
	t.Helper()
	p, err := policy.Compile(mustRead(t, "../../examples/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// backend answers like a CORS-unaware service.
var backend = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "1")
	w.Write([]byte(`{"ok":true}`))
})

// starBackend sets its own CORS header, with no filter in front.
var starBackend = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	backend(w, r)
})

// requireAuth rejects every request without the one valid token, as an
// authentication filter does.
func requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer valid" {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// dropVary removes Vary from every response, as a misconfigured proxy or
// CDN header rule does.
func dropVary(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(varyDropper{w}, r)
	})
}

type varyDropper struct{ http.ResponseWriter }

func (v varyDropper) WriteHeader(code int) {
	v.Header().Del("Vary")
	v.ResponseWriter.WriteHeader(code)
}

func (v varyDropper) Write(b []byte) (int, error) {
	v.Header().Del("Vary")
	return v.ResponseWriter.Write(b)
}

// capMaxAge rewrites Access-Control-Max-Age to 60, as a proxy in front
// might.
func capMaxAge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(maxAgeCapper{w}, r)
	})
}

type maxAgeCapper struct{ http.ResponseWriter }

func (m maxAgeCapper) WriteHeader(code int) {
	if m.Header().Get("Access-Control-Max-Age") != "" {
		m.Header().Set("Access-Control-Max-Age", "60")
	}
	m.ResponseWriter.WriteHeader(code)
}

// TestProbeServers: probe passes on a correct deployment and fails on
// each broken one, naming the cause.
func TestProbeServers(t *testing.T) {
	p := examplePolicy(t)
	reflectAll := cors.New(cors.Options{
		AllowOriginFunc:  func(string) bool { return true },
		AllowCredentials: true,
		AllowedMethods:   []string{"GET", "POST", "PUT", "DELETE", "PATCH"},
		AllowedHeaders:   []string{"content-type", "authorization", "x-api-key"},
		ExposedHeaders:   []string{"x-request-id"},
		MaxAge:           600,
	})
	tests := []struct {
		name    string
		handler http.Handler
		code    int
		causes  []string // must all be among the report's causes
	}{
		{"corshttp in front of the backend", corshttp.Handler(p, backend), exitOK, nil},
		{"corshttp in front of an auth check", corshttp.Handler(p, requireAuth(backend)), exitOK, nil},
		{"rs/cors reflecting any origin", reflectAll.Handler(backend), exitMismatch, []string{"reflection"}},
		{"auth check before corshttp", requireAuth(corshttp.Handler(p, backend)), exitMismatch, []string{"filter-order"}},
		{"proxy dropping Vary", dropVary(corshttp.Handler(p, backend)), exitMismatch, []string{"vary"}},
		{"proxy lowering Max-Age", capMaxAge(corshttp.Handler(p, backend)), exitMismatch, []string{"max-age"}},
		{"backend answering * without the filter", starBackend, exitMismatch, []string{"upstream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			rep, r := probeJSON(t, "--config", "examples/config.json", srv.URL+"/")
			got := causesOf(rep)
			if r.code != tt.code {
				t.Errorf("exit code: got %d; want %d (causes %v)\nstderr: %s", r.code, tt.code, got, r.stderr)
			}
			for _, c := range tt.causes {
				if !slices.Contains(got, c) {
					t.Errorf("causes: got %v; want %q among them", got, c)
				}
			}
			if tt.code == exitOK && len(got) != 0 {
				t.Errorf("causes: got %v; want none", got)
			}
			if rep.Errors != 0 {
				t.Errorf("errors: got %d; want 0", rep.Errors)
			}
			// The human report, for -v and for docs/probe.md's samples.
			// (probeJSON left the test in the repository root.)
			var human strings.Builder
			run([]string{"probe", "--rate", "1000", "--config", "examples/config.json", srv.URL + "/"}, &human, io.Discard)
			t.Log("\n" + human.String())
		})
	}
}

// TestProbeCausePrecision: a broken server is flagged for its own
// mistake and not for the others'.
func TestProbeCausePrecision(t *testing.T) {
	p := examplePolicy(t)
	tests := []struct {
		name    string
		handler http.Handler
		only    string
	}{
		{"auth check before corshttp", requireAuth(corshttp.Handler(p, backend)), "filter-order"},
		{"proxy dropping Vary", dropVary(corshttp.Handler(p, backend)), "vary"},
		{"proxy lowering Max-Age", capMaxAge(corshttp.Handler(p, backend)), "max-age"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			rep, _ := probeJSON(t, "--config", "examples/config.json", srv.URL+"/")
			if got := causesOf(rep); !slices.Equal(got, []string{tt.only}) {
				t.Errorf("causes: got %v; want [%s]", got, tt.only)
			}
		})
	}
}

// countingServer counts the requests it receives.
func countingServer(t *testing.T, h http.Handler) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestProbeBounds: --dry-run sends nothing, --max-requests bounds what is
// sent, --rate spaces the requests, and nothing goes to another host,
// not even through a redirect.
func TestProbeBounds(t *testing.T) {
	p := examplePolicy(t)

	t.Run("dry run sends nothing", func(t *testing.T) {
		srv, n := countingServer(t, corshttp.Handler(p, backend))
		r := inRepo(t, "probe", "--dry-run", "--config", "examples/config.json", srv.URL)
		if r.code != exitOK || n.Load() != 0 {
			t.Errorf("exit %d, %d requests received; want 0, 0", r.code, n.Load())
		}
		if want := "dry run: "; !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "predicted: local reply 204") {
			t.Errorf("stdout: got\n%s\nwant the plan with its predictions", r.stdout)
		}
	})

	t.Run("max-requests", func(t *testing.T) {
		srv, n := countingServer(t, corshttp.Handler(p, backend))
		rep, r := probeJSON(t, "--max-requests", "7", "--config", "examples/config.json", srv.URL)
		if r.code != exitOK || rep.Planned != 7 || rep.Dropped == 0 || n.Load() != 7 {
			t.Errorf("exit %d, planned %d, dropped %d, received %d; want 0, 7, >0, 7", r.code, rep.Planned, rep.Dropped, n.Load())
		}
	})

	t.Run("default bound", func(t *testing.T) {
		// A policy with many origins and routes still plans at most 200.
		cfg := `{"allowOrigins": [`
		var origins []string
		for i := range 60 {
			origins = append(origins, `"https://app`+string(rune('a'+i%26))+strings.Repeat("x", i/26)+`.example.org"`)
		}
		cfg += strings.Join(origins, ",") + `], "allowMethods": ["GET", "PUT"]}`
		name := t.TempDir() + "/many.json"
		if err := os.WriteFile(name, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		rep, r := probeJSON(t, "--dry-run", "--config", name, "http://127.0.0.1:9/")
		if r.code != exitOK || rep.Planned != 200 || rep.Dropped == 0 {
			t.Errorf("exit %d, planned %d, dropped %d; want 0, 200, >0\nstderr: %s", r.code, rep.Planned, rep.Dropped, r.stderr)
		}
	})

	t.Run("rate", func(t *testing.T) {
		srv, _ := countingServer(t, corshttp.Handler(p, backend))
		start := time.Now()
		r := inRepo(t, "probe", "--rate", "20", "--max-requests", "10", "--config", "examples/config.json", srv.URL)
		// 10 requests at 20/s: the last starts 9 intervals of 50 ms after
		// the first.
		if elapsed := time.Since(start); r.code != exitOK || elapsed < 450*time.Millisecond {
			t.Errorf("exit %d after %s; want 0 after at least 450ms", r.code, elapsed)
		}
	})

	t.Run("no redirect to another host", func(t *testing.T) {
		other, hits := countingServer(t, corshttp.Handler(p, backend))
		redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		})
		srv, _ := countingServer(t, corshttp.Handler(p, redirect))
		rep, _ := probeJSON(t, "--config", "examples/config.json", srv.URL)
		// The redirect is the answer: not followed (which the dialer
		// would refuse, an error), not a request to the other host.
		if hits.Load() != 0 || rep.Errors != 0 || rep.Requests[1].Observed.Status != http.StatusFound {
			t.Errorf("requests reaching the other host: %d, errors %d, status of #2 %d; want 0, 0, 302", hits.Load(), rep.Errors, rep.Requests[1].Observed.Status)
		}
	})

	t.Run("dialer refuses other addresses", func(t *testing.T) {
		srv, _ := countingServer(t, backend)
		other, hits := countingServer(t, backend)
		u := mustParseURL(t, srv.URL)
		pr := newProber(u, 1000, time.Second, [2]string{"Cookie", "a=1"})
		_, err := pr.client.Get(other.URL)
		if err == nil || !strings.Contains(err.Error(), "probe contacts only") || hits.Load() != 0 {
			t.Errorf("GET another host: got err %v, %d requests received; want a refusal and 0", err, hits.Load())
		}
	})
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
