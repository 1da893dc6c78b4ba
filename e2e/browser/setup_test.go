// Package browser holds the real-browser tests: Chromium, Firefox and
// WebKit (Debian's chromium, firefox-esr and WebKitGTK) run fetch calls
// from a page on one origin against the local gateway (build/cors.wasm in
// wazero) on another, and each browser itself decides what JavaScript may
// read. engine_test.go hides how each is driven; docs/browsers.md holds
// what they were measured to do differently.
package browser

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
	"github.com/corswasm/corswasm/internal/wasmhost"
	"github.com/corswasm/corswasm/internal/wasmhost/wasmtest"
)

// repoRoot finds the directory holding go.mod, so the test works from any
// package directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

var (
	compileOnce sync.Once
	compiled    *gateway.Module
	compileErr  error
)

// loadModule compiles build/cors.wasm (`make test` builds it first), or
// the module named by $CORS_WASM, once for all tests of the package.
func loadModule(t *testing.T) *gateway.Module {
	t.Helper()
	b := wasmtest.Read(t, wasmhost.CorsWasm)
	compileOnce.Do(func() { compiled, compileErr = gateway.CompileModule(b) })
	if compileErr != nil {
		t.Fatal(compileErr)
	}
	return compiled
}

// listen opens a loopback listener on a free port.
func listen(t *testing.T) (net.Listener, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return l, port
}

// servePage serves a blank page (and nothing else) on l. Test pages only
// need to exist at an origin; the scenarios' JavaScript is evaluated in
// them.
func servePage(t *testing.T, l net.Listener) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!doctype html><title>test page</title><iframe name=sink></iframe>\n"))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// startGateway runs the module with config in front of the built-in demo
// upstream. Gateways are independent (each has its own VMs), but the
// tests share one browser, so they still run one after another.
func startGateway(t *testing.T, module *gateway.Module, config any) *gateway.Server {
	t.Helper()
	cfg, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gateway.Start(gateway.Config{Compiled: module, PluginConfig: cfg, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("start gateway: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// eventually polls cond for up to 5 s: the browser reports a form
// submission before the gateway has necessarily counted it.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}
