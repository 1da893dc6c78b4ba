package wasmimage

import (
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// WriteLayout replaces dir with an OCI image layout holding img alone:
// oci-layout, index.json (one manifest descriptor, no annotations) and
// blobs/sha256/. It starts from an empty directory because appending to an
// old layout would keep the previous builds' manifests in index.json.
func WriteLayout(dir string, img v1.Image) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if err := p.WriteImage(img); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	// The descriptor is written out rather than taken from
	// partial.Descriptor, which also sets artifactType to the config's
	// media type; the OCI image spec keeps artifactType for artifacts.
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	size, err := img.Size()
	if err != nil {
		return err
	}
	if err := p.AppendDescriptor(v1.Descriptor{MediaType: mt, Size: size, Digest: d}); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return nil
}

// ReadLayout returns the one image of a layout WriteLayout wrote.
func ReadLayout(dir string) (v1.Image, error) {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (run `make oci` first)", dir, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("%s: got %d manifests in index.json; want 1 (rebuild it with `make oci`)", dir, len(m.Manifests))
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return img, nil
}
