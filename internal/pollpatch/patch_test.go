package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRemoveImport(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		wantErr string // "" = success
	}{
		{"declared once", "package runtime\n\n" + importDecl + "\nfunc usleep() {}\n", ""},
		{"not declared", "package runtime\n", "does not declare poll_oneoff"},
		{"declared in another form", "package runtime\n//go:wasmimport wasi_snapshot_preview1 poll_oneoff\nfunc poll_oneoff(a, b, c, d uint32) uint32\n", "form this tool does not know"},
		{"declared twice", importDecl + importDecl, "2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := removeImport([]byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error: got %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(got, []byte("poll_oneoff")) {
				t.Errorf("got %q; want no poll_oneoff left", got)
			}
		})
	}
}

// TestPatchesInstalledGo applies the patch to the Go that runs the tests:
// a Go release that changes the declaration fails here, before a build
// silently ships the import again.
func TestPatchesInstalledGo(t *testing.T) {
	goroot, err := goRoot("go")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(goroot, "src", "runtime", "os_wasip1.go"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := removeImport(src)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(got, []byte("wasmimport wasi_snapshot_preview1 poll_oneoff")) {
		t.Error("the patched os_wasip1.go still imports poll_oneoff")
	}
	if n := len(src) - len(got); n != len(importDecl) {
		t.Errorf("removed %d bytes; want exactly the %d of the declaration", n, len(importDecl))
	}
}

// TestReplacementHasTheImportsSignature: the in-module function must have
// exactly the signature of the import it replaces, or the runtime's
// callers would not compile against it.
func TestReplacementHasTheImportsSignature(t *testing.T) {
	sig := importDecl[strings.Index(importDecl, "func poll_oneoff("):]
	sig = strings.TrimSuffix(sig, "\n")
	if !bytes.Contains(replacement, []byte(sig+" {\n")) {
		t.Errorf("poll_oneoff_runtime.go.in: got no %q; want the import's signature with a body", sig)
	}
	if !bytes.HasPrefix(replacement, []byte("//go:build wasip1\n")) {
		t.Error("poll_oneoff_runtime.go.in: want a wasip1 build constraint first, so only that runtime gets it")
	}
}
