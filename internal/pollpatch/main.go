// Command pollpatch writes a go build -overlay that takes the
// wasi_snapshot_preview1.poll_oneoff import out of Go's wasip1 runtime and
// puts an in-module poll_oneoff in its place (see
// poll_oneoff_runtime.go.in for why). The overlay is derived from the
// installed Go's own source every time it runs; nothing of Go's source is
// kept in this repository.
//
//	go run ./internal/pollpatch -o build/overlay
//
// prints the path of the overlay file to pass to go build -overlay.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("o", "build/overlay", "directory to write the overlay into")
	goCmd := flag.String("go", "go", "the go command whose GOROOT the overlay patches (the one that builds)")
	flag.Parse()
	path, err := write(*out, *goCmd)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pollpatch:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}

// write derives the overlay into dir and returns the overlay file's path.
func write(dir, goCmd string) (string, error) {
	goroot, err := goRoot(goCmd)
	if err != nil {
		return "", err
	}
	runtimeDir := filepath.Join(goroot, "src", "runtime")
	orig := filepath.Join(runtimeDir, "os_wasip1.go")
	src, err := os.ReadFile(orig)
	if err != nil {
		return "", err
	}
	patched, err := removeImport(src)
	if err != nil {
		return "", fmt.Errorf("%s: %w", orig, err)
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	files := map[string][]byte{"os_wasip1.go": patched, "corswasm_poll_oneoff.go": replacement}
	replace := map[string]string{}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := writeIfChanged(p, data); err != nil {
			return "", err
		}
		replace[filepath.Join(runtimeDir, name)] = p
	}
	overlay, err := json.MarshalIndent(map[string]any{"Replace": replace}, "", "\t")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "overlay.json")
	return path, writeIfChanged(path, append(overlay, '\n'))
}

// goRoot asks the go command that runs the build, so the overlay matches
// the toolchain that will use it (GOTOOLCHAIN may select another).
func goRoot(goCmd string) (string, error) {
	out, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOROOT: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// writeIfChanged leaves an identical file alone, so its modification time
// (and the build cache's view of it) stays put.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}
