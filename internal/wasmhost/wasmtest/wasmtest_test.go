package wasmtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// The rule, both ways: a missing module skips locally and fails in CI;
// $CORS_WASM replaces cors.wasm only, relative to the repository root.
func TestMissingModule(t *testing.T) {
	tests := []struct {
		name       string
		ci         string
		wantFailed bool
	}{
		{"developer machine: skip", "", false},
		{"CI=true: fail", "true", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			var r recorder
			func() {
				defer func() { recover() }()
				Path(&r, "build/does-not-exist.wasm")
			}()
			if r.failed != tt.wantFailed || r.skipped == tt.wantFailed {
				t.Errorf("missing module: got failed=%v skipped=%v; want failed=%v skipped=%v", r.failed, r.skipped, tt.wantFailed, !tt.wantFailed)
			}
			if want := "run `make build/does-not-exist.wasm`"; !strings.Contains(r.msg, want) {
				t.Errorf("message: got %q; want it to say %q", r.msg, want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	root := repoRoot()
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repoRoot %s: no go.mod (%v); want the repository root", root, err)
	}
	tests := []struct {
		name, env, rel, want string
	}{
		{"default", "", wasmhost.CorsWasm, filepath.Join(root, wasmhost.CorsWasm)},
		{"CORS_WASM relative to the root", "build/noop.wasm", wasmhost.CorsWasm, filepath.Join(root, "build/noop.wasm")},
		{"CORS_WASM absolute", "/tmp/x.wasm", wasmhost.CorsWasm, "/tmp/x.wasm"},
		{"CORS_WASM leaves noop.wasm alone", "/tmp/x.wasm", wasmhost.NoopWasm, filepath.Join(root, wasmhost.NoopWasm)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CORS_WASM", tt.env)
			if got := resolve(tt.rel); got != tt.want {
				t.Errorf("resolve(%q): got %q; want %q", tt.rel, got, tt.want)
			}
		})
	}
}

// recorder is a testing.TB that records Skip and Fatal; both stop the
// caller by panicking, as runtime.Goexit would.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatal(args ...any)     { r.failed, r.msg = true, fmt.Sprint(args...); panic("fatal") }
func (r *recorder) Skip(args ...any)      { r.skipped, r.msg = true, fmt.Sprint(args...); panic("skip") }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic("fatal") }
