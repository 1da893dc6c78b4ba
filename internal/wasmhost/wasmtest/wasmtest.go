// Package wasmtest finds the modules the Makefile builds, for tests
// outside the repository root (the gateway, corsgateway, corsctl probe,
// e2e, browsers), under one rule: a missing module skips the test on a
// developer's machine and fails it under CI=true, and both say how to
// build it. (The root package's tests exist only to test the module:
// they fail without it, through wasmhost.ReadModule.)
//
// $CORS_WASM replaces build/cors.wasm, to run the same tests against
// another build (e.g. CORS_WASM=build/noop.wasm, which must fail them); a
// relative path is taken from the repository root.
package wasmtest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Path returns the absolute path of module rel (wasmhost.CorsWasm, …),
// after making sure it exists: if not, the test skips, or fails in CI.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := resolve(rel)
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		missing(tb, p, rel)
	} else if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Read returns the bytes of module rel, as Path finds it.
func Read(tb testing.TB, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// InCI reports whether the tests run in CI (CI=true), where nothing that
// should be there may be skipped.
func InCI() bool { return os.Getenv("CI") == "true" }

// missing says how to build rel: each module is a Makefile target of its
// own (build/cors-unpatched.wasm is not part of `make wasm`).
func missing(tb testing.TB, path, rel string) {
	tb.Helper()
	msg := path + " not found: run `make " + rel + "` (`make test` builds it first)"
	if InCI() {
		tb.Fatal(msg + " (CI=true: not skipping)")
	}
	tb.Skip(msg)
}

// resolve applies $CORS_WASM and makes rel absolute.
func resolve(rel string) string {
	if env := os.Getenv("CORS_WASM"); env != "" && rel == wasmhost.CorsWasm {
		rel = env
	}
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(repoRoot(), rel)
}

// repoRoot is the directory three levels above this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}
