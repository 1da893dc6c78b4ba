package gateway

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tetratelabs/wazero"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Module is the compiled proxy-wasm module, ready to be instantiated once
// per worker. Compiling a standard-Go module takes seconds; instantiating
// it again takes milliseconds, so tests that need several gateways keep
// one Module (Config.Compiled), as Envoy keeps a compiled module across
// configurations.
type Module struct {
	wm    *wasmhost.Module
	cache wazero.CompilationCache
	// CacheHit is true when the compilation cache already held the
	// module's machine code (nothing new was written to it).
	CacheHit bool
}

// CompileModule compiles wasm for the pre-#533 Envoy host profile, with
// no compilation cache: what tests use.
func CompileModule(wasm []byte) (*Module, error) {
	return Compile(wasm, wasmhost.Pre533, "")
}

// Compile compiles wasm for the host profile. A non-empty cacheDir keeps
// wazero's compiled code there, so the next start with the same module
// and wazero version skips the compilation (seconds for a Go module).
func Compile(wasm []byte, profile wasmhost.Profile, cacheDir string) (*Module, error) {
	ctx := context.Background()
	m := &Module{}
	var opts []wasmhost.CompileOption
	before := -1
	if cacheDir != "" {
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("compilation cache: %w", err)
		}
		c, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache %s: %w", cacheDir, err)
		}
		m.cache = c
		opts = append(opts, wasmhost.WithCompilationCache(c))
		before = countFiles(cacheDir)
	}
	wm, err := wasmhost.CompileFor(ctx, wasm, profile, opts...)
	if err != nil {
		if m.cache != nil {
			m.cache.Close(ctx)
		}
		return nil, fmt.Errorf("compile module in wazero: %w", err)
	}
	m.wm = wm
	m.CacheHit = before >= 0 && countFiles(cacheDir) == before && before > 0
	return m, nil
}

// Profile is the Envoy host profile the module was compiled for.
func (m *Module) Profile() wasmhost.Profile { return m.wm.Profile() }

// Close releases the runtime, every instance, and the cache handle.
func (m *Module) Close() error {
	ctx := context.Background()
	err := m.wm.Close(ctx)
	if m.cache != nil {
		m.cache.Close(ctx)
	}
	return err
}

// DefaultCacheDir is where corsgateway keeps compiled code:
// $XDG_CACHE_HOME/corswasm/wazero (~/.cache on Linux), or build/wazero-cache
// when the user has no cache directory.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "corswasm", "wazero")
	}
	return filepath.Join("build", "wazero-cache")
}

func countFiles(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}
