package main

import (
	"bytes"
	"context"
	"github.com/corswasm/corswasm/internal/wasmhost"
	"github.com/corswasm/corswasm/internal/wasmhost/wasmtest"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer safe to read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// corsModule is build/cors.wasm; without it the tests that need a real
// module skip locally and fail in CI.
func corsModule(t *testing.T) string {
	t.Helper()
	return wasmtest.Path(t, wasmhost.CorsWasm)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunFailsClearly: each way the gateway cannot start ends run with an
// error that says what to do, and nothing keeps running.
func TestRunFailsClearly(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	junk := writeFile(t, "junk.wasm", "not a wasm module") // never loaded: listening comes first
	goodConfig := writeFile(t, "config.json", `{"allowOrigins": ["https://app.example.com"]}`)
	free := "127.0.0.1:0"

	tests := []struct {
		name     string
		needCORS bool
		args     func(cors string) []string
		want     string
	}{
		{
			name: "module missing",
			args: func(string) []string {
				return []string{"-module", "build/cors.wasm", "-config", goodConfig, "-listen", free, "-demo", "", "-demo-disallowed", ""}
			},
			want: "build/cors.wasm not found: run `make wasm`",
		},
		{
			name: "config file missing",
			args: func(string) []string {
				return []string{"-module", junk, "-config", "does-not-exist.json", "-listen", free, "-demo", "", "-demo-disallowed", ""}
			},
			want: "plugin configuration: open does-not-exist.json",
		},
		{
			name: "gateway port taken",
			args: func(string) []string {
				return []string{"-module", junk, "-config", goodConfig, "-listen", taken.Addr().String(), "-demo", "", "-demo-disallowed", ""}
			},
			want: "gateway (-listen): port " + taken.Addr().String() + " is already in use",
		},
		{
			name: "demo port taken",
			args: func(string) []string {
				return []string{"-module", junk, "-config", goodConfig, "-listen", free, "-demo", taken.Addr().String(), "-demo-disallowed", ""}
			},
			want: "demo page (-demo): port " + taken.Addr().String() + " is already in use",
		},
		{
			name: "unknown host profile",
			args: func(string) []string {
				return []string{"-module", junk, "-config", goodConfig, "-listen", free, "-host-profile", "1.33"}
			},
			want: `-host-profile: unknown host profile "1.33": want "pre-533" or "post-533"`,
		},
		{
			name: "unknown failure policy",
			args: func(string) []string {
				return []string{"-module", junk, "-config", goodConfig, "-listen", free, "-failure-policy", "open"}
			},
			want: `-failure-policy "open": want fail-closed or fail-open`,
		},
		{
			name:     "config rejected by the module",
			needCORS: true,
			args: func(cors string) []string {
				bad := writeFile(t, "bad.json", `{"allowOrigins": ["https://*.com"], "allowCredentials": true}`)
				return []string{"-module", cors, "-config", bad, "-listen", free, "-demo", "", "-demo-disallowed", ""}
			},
			want: `the module rejected the plugin configuration:`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cors := ""
			if tt.needCORS {
				cors = corsModule(t)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var out syncBuffer
			err := run(ctx, append([]string{"-cache-dir", t.TempDir()}, tt.args(cors)...), &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run: got error %v; want one containing %q", err, tt.want)
			}
			if strings.Contains(out.String(), "Press Ctrl-C") {
				t.Errorf("run printed the ready banner although it failed:\n%s", out.String())
			}
		})
	}
}

// TestRunStopsOnCancel starts the real command on free ports and stops it
// the way Ctrl-C does (main cancels run's context on SIGINT).
func TestRunStopsOnCancel(t *testing.T) {
	cors := corsModule(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-cache-dir", t.TempDir(), "-concurrency", "2", "-module", cors, "-config", filepath.Join("..", "..", "examples", "config.json"),
			"-listen", "127.0.0.1:0", "-demo", "127.0.0.1:0", "-demo-disallowed", "127.0.0.1:0", "-quiet"}, &out)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Press Ctrl-C") {
		select {
		case err := <-done:
			t.Fatalf("run ended before it was ready: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready banner after 30 s:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{
		"compiling the module for the pre-533 host profile", "compiled in ", "worker 1/2: VM instantiated and configured in ", "worker 2/2:",
		"LOCAL STAND-IN FOR ENVOY, not a production proxy", "gateway     http://127.0.0.1:", "demo page   http://127.0.0.1:",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner: got\n%s\nwant it to contain %q", out.String(), want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after cancel: got %v; want nil (clean shutdown)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10 s of cancel")
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Errorf("output: got\n%s\nwant a shutdown line", out.String())
	}
}
