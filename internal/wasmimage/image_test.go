package wasmimage

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// fakeModule is a valid wasm header followed by filler; Image looks only at
// the header.
func fakeModule(filler string) []byte {
	return append([]byte("\x00asm\x01\x00\x00\x00"), filler...)
}

func mustDigest(t *testing.T, module []byte) v1.Hash {
	t.Helper()
	d, err := Digest(module)
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	return d
}

// The digest is a function of the module: equal modules give equal digests,
// a one-byte change gives another.
func TestDigestDependsOnlyOnModule(t *testing.T) {
	tests := []struct {
		name     string
		a, b     []byte
		wantSame bool
	}{
		{"same module twice", fakeModule("corswasm"), fakeModule("corswasm"), true},
		{"one byte differs", fakeModule("corswasm"), fakeModule("corswasn"), false},
		{"one byte longer", fakeModule("corswasm"), fakeModule("corswasm\x00"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			da, db := mustDigest(t, tt.a), mustDigest(t, tt.b)
			if (da == db) != tt.wantSame {
				t.Errorf("got digests %s and %s; want equal: %v", da, db, tt.wantSame)
			}
		})
	}
}

// Nothing that varies between builds or hosts gets into the image: every
// time is Epoch, the file is owned by 0:0 with no user or group names, and
// the config names only the platform.
func TestImageCarriesNoBuildMetadata(t *testing.T) {
	img, err := Image(fakeModule("corswasm"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.History) != 1 {
		t.Fatalf("got %d history entries; want 1", len(cfg.History))
	}
	hdrs := layerHeaders(t, img)
	if len(hdrs) != 1 {
		t.Fatalf("got %d tar entries; want 1", len(hdrs))
	}
	h := hdrs[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"config created", cfg.Created.Time.UTC(), Epoch},
		{"history created", cfg.History[0].Created.Time.UTC(), Epoch},
		{"config os", cfg.OS, "wasip1"},
		{"config architecture", cfg.Architecture, "wasm"},
		{"config author", cfg.Author, ""},
		{"config env", len(cfg.Config.Env), 0},
		{"entry name", h.Name, PluginFile},
		{"entry type", h.Typeflag, byte(tar.TypeReg)},
		{"entry mode", h.Mode, int64(0o644)},
		{"entry mtime", h.ModTime.UTC(), Epoch},
		{"entry uid", h.Uid, 0},
		{"entry gid", h.Gid, 0},
		{"entry uname", h.Uname, ""},
		{"entry gname", h.Gname, ""},
		{"entry PAX records", len(h.PAXRecords), 0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v; want %v", c.name, c.got, c.want)
		}
	}
}

func layerHeaders(t *testing.T, img v1.Image) []*tar.Header {
	t.Helper()
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("got %d layers (%v); want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var hdrs []*tar.Header
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hdrs
		}
		if err != nil {
			t.Fatal(err)
		}
		hdrs = append(hdrs, h)
	}
}

// Two layouts of the same module are the same files, byte for byte, and
// reading one back gives the image that was written.
func TestWriteLayoutReproducible(t *testing.T) {
	module := fakeModule("corswasm")
	var trees []map[string][]byte
	for range 2 {
		img, err := Image(module)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "oci")
		if err := WriteLayout(dir, img); err != nil {
			t.Fatal(err)
		}
		// Written twice into the same directory: still one manifest.
		if err := WriteLayout(dir, img); err != nil {
			t.Fatal(err)
		}
		back, err := ReadLayout(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mustHash(t, back.Digest), mustHash(t, img.Digest); got != want {
			t.Errorf("read back: got digest %s; want %s", got, want)
		}
		trees = append(trees, readTree(t, dir))
	}
	if len(trees[0]) != len(trees[1]) {
		t.Fatalf("got %d and %d files; want the same", len(trees[0]), len(trees[1]))
	}
	for name, a := range trees[0] {
		if b, ok := trees[1][name]; !ok || !bytes.Equal(a, b) {
			t.Errorf("%s: differs between two layouts of the same module", name)
		}
	}
	if _, ok := trees[0]["oci-layout"]; !ok {
		t.Errorf("got files %v; want an oci-layout file", keys(trees[0]))
	}
}

func mustHash(t *testing.T, f func() (v1.Hash, error)) v1.Hash {
	t.Helper()
	h, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestImageMediaTypes(t *testing.T) {
	img, err := Image(fakeModule("corswasm"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || len(m.Layers) != 1 || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("got manifest %s, config %s, layers %v; want %s, %s, one %s",
			m.MediaType, m.Config.MediaType, m.Layers, types.OCIManifestSchema1, types.OCIConfigJSON, types.OCILayer)
	}
}

func TestImageRejectsNonWasm(t *testing.T) {
	tests := []struct {
		name   string
		module []byte
	}{
		{"empty", nil},
		{"header only, too short", []byte("\x00asm")},
		{"a text file", []byte("#!/bin/sh\necho hi\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Image(tt.module); err == nil {
				t.Errorf("got no error; want one: Istio's agent refuses a module without the wasm header")
			}
		})
	}
}
