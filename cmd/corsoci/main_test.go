package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/wasmimage"
)

func TestSetSHA256(t *testing.T) {
	const hex = "67ef3b0568103690c4e149e9164c54343f366e11d91c89cdbfb9b728cab0a1f8"
	tests := []struct {
		name    string
		doc     string
		want    string // the updated document; "" when an error is wanted
		wantOld string
		wantErr string
	}{
		{"bare value", "spec:\n  # pin\n  sha256: abc\n  url: oci://x/y:1\n", "spec:\n  # pin\n  sha256: " + hex + "\n  url: oci://x/y:1\n", "abc", ""},
		{"quoted value", "spec:\n  sha256: \"abc\"\n", "spec:\n  sha256: " + hex + "\n", "abc", ""},
		{"empty value", "spec:\n  sha256:\n", "spec:\n  sha256: " + hex + "\n", "", ""},
		{"already current", "spec:\n  sha256: " + hex + "\n", "spec:\n  sha256: " + hex + "\n", hex, ""},
		{"no line", "spec:\n  url: oci://x/y:1\n", "", "", "got 0 lines"},
		{"two lines", "spec:\n  sha256: a\n  sha256: b\n", "", "", "got 2 lines"},
		{"nested deeper is not spec.sha256", "spec:\n  vmConfig:\n    sha256: a\n", "", "", "got 0 lines"},
		{"in a comment", "spec:\n  # sha256: a\n", "", "", "got 0 lines"},
		{"prefixed value is left for the schema test", "spec:\n  sha256: sha256:abc\n", "", "", "got 0 lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, old, err := setSHA256([]byte(tt.doc), hex)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v; want none", err)
			}
			if string(got) != tt.want || old != tt.wantOld {
				t.Errorf("got %q (old %q); want %q (old %q)", got, old, tt.want, tt.wantOld)
			}
		})
	}
}

// The commands end to end on a small module in a temporary directory: the
// layout's digest is the one printed, and wasmplugin-sha writes that digest.
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	module := filepath.Join(dir, "cors.wasm")
	if err := os.WriteFile(module, []byte("\x00asm\x01\x00\x00\x00corsoci"), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "wasmplugin.yaml")
	if err := os.WriteFile(manifest, []byte("spec:\n  sha256: \"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "oci")

	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"layout", "-module", module, "-out", out}, &stdout); err != nil {
		t.Fatalf("layout: %v", err)
	}
	img, err := wasmimage.ReadLayout(out)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(stdout.String()), "\n"); lines[len(lines)-1] != d.String() {
		t.Errorf("layout printed %q; want the last line to be the layout's digest %s", stdout.String(), d)
	}

	stdout.Reset()
	if err := run(context.Background(), []string{"wasmplugin-sha", "-module", module, "-file", manifest}, &stdout); err != nil {
		t.Fatalf("wasmplugin-sha: %v", err)
	}
	if got, _ := os.ReadFile(manifest); string(got) != "spec:\n  sha256: "+d.Hex+"\n" {
		t.Errorf("wasmplugin-sha wrote %q; want spec.sha256 %s", got, d.Hex)
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"no command", nil, errUsage},
		{"unknown command", []string{"build"}, errUsage},
		{"push without image", []string{"push"}, errUsage},
		{"layout with a stray argument", []string{"layout", "build/cors.wasm"}, errUsage},
		{"unknown flag", []string{"layout", "-tag", "x"}, errUsage},
		{"help", []string{"-h"}, flag.ErrHelp},
		{"command help", []string{"push", "-h"}, flag.ErrHelp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), tt.args, &bytes.Buffer{})
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
}
