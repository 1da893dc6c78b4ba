package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/corswasm/corswasm/internal/wasmimage"
)

func readModule(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (build it with `make wasm`)", err)
	}
	return b, nil
}

// layoutCmd is `make oci`.
func layoutCmd(module, out string, stdout io.Writer) error {
	b, err := readModule(module)
	if err != nil {
		return err
	}
	img, err := wasmimage.Image(b)
	if err != nil {
		return fmt.Errorf("%s: %w", module, err)
	}
	if err := wasmimage.WriteLayout(out, img); err != nil {
		return err
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: OCI image layout of %s (%d bytes) as /%s\n%s\n", out, module, len(b), wasmimage.PluginFile, d)
	return nil
}

// pushCmd is `make push IMAGE=...`: it pushes what `make oci` wrote, so the
// digest it prints is the one `make oci` printed.
func pushCmd(ctx context.Context, dir, ref string, stdout io.Writer) error {
	img, err := wasmimage.ReadLayout(dir)
	if err != nil {
		return err
	}
	pushed, err := wasmimage.Push(ctx, ref, img)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pushed %s\n", pushed)
	return nil
}

// wasmPluginSHACmd is `make wasmplugin-sha`.
func wasmPluginSHACmd(module, file string, stdout io.Writer) error {
	b, err := readModule(module)
	if err != nil {
		return err
	}
	d, err := wasmimage.Digest(b)
	if err != nil {
		return fmt.Errorf("%s: %w", module, err)
	}
	doc, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	updated, old, err := setSHA256(doc, d.Hex)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if old == d.Hex {
		fmt.Fprintf(stdout, "%s: spec.sha256 already %s\n", file, d.Hex)
		return nil
	}
	if err := os.WriteFile(file, updated, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: spec.sha256 %s -> %s\n", file, orNone(old), d.Hex)
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
