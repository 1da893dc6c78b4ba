package wasmimage

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Push uploads img to the registry reference ref (registry/repository:tag)
// with the credentials of the user's Docker config (ggcr's default
// keychain: $DOCKER_CONFIG or ~/.docker/config.json, and the credential
// helpers it names), the same keychain Istio's agent pulls with when the
// WasmPlugin has no imagePullSecret. It returns the pushed image by digest.
//
// Registries on localhost, 127.0.0.0/8, ::1, *.local and RFC 1918 addresses
// are spoken to over plain HTTP (name.Registry.Scheme), everything else over
// HTTPS.
func Push(ctx context.Context, ref string, img v1.Image) (name.Digest, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return name.Digest{}, fmt.Errorf("image %q: %w; want registry/repository:tag", ref, err)
	}
	if err := remote.Write(r, img, remote.WithAuthFromKeychain(authn.DefaultKeychain), remote.WithContext(ctx)); err != nil {
		return name.Digest{}, fmt.Errorf("push %s: %w", r, err)
	}
	d, err := img.Digest()
	if err != nil {
		return name.Digest{}, err
	}
	return r.Context().Digest(d.String()), nil
}
