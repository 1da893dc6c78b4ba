package wasmhost

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Paths of the built modules, relative to the repository root.
const (
	CorsWasm = "build/cors.wasm"
	NoopWasm = "build/noop.wasm"
	// UnpatchedWasm is the filter built without the poll_oneoff overlay
	// (make build/cors-unpatched.wasm; make test builds it): what shipped
	// before the fix, kept to prove that the Envoy host profile kills it.
	UnpatchedWasm = "build/cors-unpatched.wasm"
)

// ReadModule reads a module built by the Makefile, given its path relative
// to the repository root. A missing file is an error that says how to
// build it: the wasm tests must fail, never skip, without it.
func ReadModule(rel string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), rel))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (run `make %s` first; `make test` does)", rel, err, rel)
	}
	return b, nil
}

// repoRoot is the directory two levels above this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
