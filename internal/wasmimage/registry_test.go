package wasmimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// corsModule is build/cors.wasm, the module `make oci` packages.
func corsModule(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "build", "cors.wasm"))
	if err != nil {
		t.Fatalf("%v: run `make wasm` first", err)
	}
	return b
}

// pulled is what Istio's agent gets out of an image reference.
type pulled struct {
	digest       string // img.Digest().Hex: what spec.sha256 is compared with
	manifestType types.MediaType
	layerType    types.MediaType
	module       []byte
}

// istioPull fetches ref the way Istio's agent does (istio/istio
// pkg/wasm/imagefetcher.go, PrepareFetch and the compat-variant reader it
// calls): remote.Get with the default keychain, desc.Image, the image
// digest, then, because our manifest is OCI rather than Docker schema 2,
// the last layer, which must be application/vnd.oci.image.layer.v1.tar+gzip,
// read compressed, gunzipped, and searched for the first tar entry whose base
// name is plugin.wasm; the result must start with the wasm magic
// (pkg/wasm/cache.go, isValidWasmBinary). Written from that description,
// not copied.
func istioPull(ref string) (pulled, error) {
	var p pulled
	r, err := name.ParseReference(ref)
	if err != nil {
		return p, err
	}
	desc, err := remote.Get(r, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return p, fmt.Errorf("could not fetch manifest: %w", err)
	}
	img, err := desc.Image()
	if err != nil {
		return p, err
	}
	d, err := img.Digest()
	if err != nil {
		return p, err
	}
	p.digest = d.Hex
	m, err := img.Manifest()
	if err != nil {
		return p, err
	}
	p.manifestType = m.MediaType
	layers, err := img.Layers()
	if err != nil {
		return p, err
	}
	if len(layers) == 0 {
		return p, errors.New("no layers")
	}
	last := layers[len(layers)-1]
	if p.layerType, err = last.MediaType(); err != nil {
		return p, err
	}
	want := types.OCILayer
	if m.MediaType == types.DockerManifestSchema2 {
		want = types.DockerLayer
	}
	if p.layerType != want {
		return p, fmt.Errorf("layer media type %s; Istio's compat reader wants %s", p.layerType, want)
	}
	rc, err := last.Compressed()
	if err != nil {
		return p, err
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		return p, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return p, fmt.Errorf("%s not in the layer", PluginFile)
		}
		if err != nil {
			return p, err
		}
		if filepath.Base(h.Name) != PluginFile {
			continue
		}
		if p.module, err = io.ReadAll(tr); err != nil {
			return p, err
		}
		if len(p.module) < 8 || !bytes.Equal(p.module[:4], wasmMagic) {
			return p, errors.New("fetched binary is not wasm")
		}
		return p, nil
	}
}

// loopbackRegistry serves ggcr's in-memory registry on 127.0.0.1 and
// records the paths it is asked for.
func loopbackRegistry(t *testing.T) (host string, paths func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := seen
		seen = nil
		return out
	}
}

// The image `make push` sends is the one Istio's agent gets back, by tag
// and by digest, and what it extracts is build/cors.wasm byte for byte.
func TestPushThenPullLikeIstio(t *testing.T) {
	// The default keychain reads $DOCKER_CONFIG/config.json: an empty
	// directory makes it anonymous, whatever the developer's own config.
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	module := corsModule(t)
	img, err := Image(module)
	if err != nil {
		t.Fatal(err)
	}
	// Through a layout, as `make oci` then `make push` do.
	dir := filepath.Join(t.TempDir(), "oci")
	if err := WriteLayout(dir, img); err != nil {
		t.Fatal(err)
	}
	fromLayout, err := ReadLayout(dir)
	if err != nil {
		t.Fatal(err)
	}

	host, paths := loopbackRegistry(t)
	tagRef := host + "/corswasm/cors:v0.1.0"
	pushed, err := Push(context.Background(), tagRef, fromLayout)
	if err != nil {
		t.Fatal(err)
	}
	wantDigest := mustDigest(t, module).Hex
	if pushed.DigestStr() != "sha256:"+wantDigest {
		t.Fatalf("push: got %s; want the digest of build/cors.wasm's image, sha256:%s", pushed.DigestStr(), wantDigest)
	}
	if p := paths(); !slices.Contains(p, "PUT /v2/corswasm/cors/manifests/v0.1.0") {
		t.Fatalf("push: registry saw %q; want the manifest PUT by tag", p)
	}

	tests := []struct {
		name     string
		ref      string
		wantPath string // the manifest request the pull must make
	}{
		{"by tag", tagRef, "GET /v2/corswasm/cors/manifests/v0.1.0"},
		{"by digest", pushed.String(), "GET /v2/corswasm/cors/manifests/sha256:" + wantDigest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := istioPull(tt.ref)
			if err != nil {
				t.Fatalf("pull %s: %v", tt.ref, err)
			}
			if p := paths(); !slices.Contains(p, tt.wantPath) {
				t.Errorf("registry saw %q; want %q", p, tt.wantPath)
			}
			if got.manifestType != types.OCIManifestSchema1 {
				t.Errorf("manifest media type: got %s; want %s", got.manifestType, types.OCIManifestSchema1)
			}
			if got.layerType != types.OCILayer {
				t.Errorf("layer media type: got %s; want %s", got.layerType, types.OCILayer)
			}
			if got.digest != wantDigest {
				t.Errorf("digest (compared with WasmPlugin spec.sha256): got %s; want %s", got.digest, wantDigest)
			}
			if !bytes.Equal(got.module, module) {
				t.Errorf("extracted module: got %d bytes; want build/cors.wasm's %d bytes, identical", len(got.module), len(module))
			}
		})
	}
}
