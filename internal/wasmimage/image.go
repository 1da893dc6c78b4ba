package wasmimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PluginFile is the file Istio's compat reader looks for in the layer
// (extractWasmPluginBinary matches the tar entry's base name).
const PluginFile = "plugin.wasm"

// Epoch is the only time written into the image: the layer's tar entry and
// the config's created fields. A build time would change the digest on
// every build.
var Epoch = time.Unix(0, 0).UTC()

// wasmMagic starts every wasm binary ("\0asm"); Istio's agent rejects a
// module without it after pulling, so we refuse to package one.
var wasmMagic = []byte{0x00, 0x61, 0x73, 0x6d}

// Image returns the image of one wasm module: an OCI manifest, an OCI config
// for os wasip1 / architecture wasm (the GOOS/GOARCH the module is built
// for; OCI platform values are Go's), and a single tar+gzip layer holding
// the module as plugin.wasm. The same module always gives the same digest.
func Image(module []byte) (v1.Image, error) {
	if len(module) < 8 || !bytes.Equal(module[:4], wasmMagic) {
		return nil, errors.New("module: not a wasm binary (no \\0asm header); build it with `make wasm`")
	}
	layerTar, err := pluginTar(module)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil },
		tarball.WithMediaType(types.OCILayer),
		// Fixed here rather than left to ggcr's default (BestSpeed), so a
		// change of that default cannot change our digest.
		tarball.WithCompressionLevel(gzip.BestCompression),
	)
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}

	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	base, err = mutate.ConfigFile(base, &v1.ConfigFile{
		Created:      v1.Time{Time: Epoch},
		OS:           "wasip1",
		Architecture: "wasm",
		RootFS:       v1.RootFS{Type: "layers"},
	})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:     layer,
		MediaType: types.OCILayer,
		History: v1.History{
			Created:   v1.Time{Time: Epoch},
			CreatedBy: "wasmimage: module as /" + PluginFile,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	return img, nil
}

// pluginTar is the layer's uncompressed content: one regular file,
// plugin.wasm at the root, mode 0644, owned by 0:0, dated Epoch, in USTAR
// format (no PAX records, which would carry access and change times).
func pluginTar(module []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     PluginFile,
		Mode:     0o644,
		Size:     int64(len(module)),
		ModTime:  Epoch,
		Format:   tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	if _, err := tw.Write(module); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	return buf.Bytes(), nil
}

// Digest is the image digest of a module, the value Istio compares with
// WasmPlugin spec.sha256 (as hex, without "sha256:").
func Digest(module []byte) (v1.Hash, error) {
	img, err := Image(module)
	if err != nil {
		return v1.Hash{}, err
	}
	return img.Digest()
}
