// Command corsoci packages build/cors.wasm as the OCI image Istio's
// WasmPlugin pulls (see internal/wasmimage for the format) and keeps
// deploy/istio/wasmplugin.yaml pinned to it.
//
//	corsoci layout [-module FILE] [-out DIR]
//	corsoci push [-layout DIR] REGISTRY/REPOSITORY:TAG
//	corsoci wasmplugin-sha [-module FILE] [-file FILE]
//
// The Makefile runs it as `make oci`, `make push IMAGE=...` and
// `make wasmplugin-sha`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

const usage = `usage:
  corsoci layout [-module FILE] [-out DIR]
      write the module's OCI image as an OCI image layout in DIR (replacing
      it) and print the image digest
  corsoci push [-layout DIR] REGISTRY/REPOSITORY:TAG
      push the layout's image with your Docker credentials
      (ggcr's default keychain) and print it by digest
  corsoci wasmplugin-sha [-module FILE] [-file FILE]
      set spec.sha256 in the WasmPlugin manifest to the module's image digest
exit status: 0 ok, 1 failed, 2 usage
`

var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(os.Stdout, usage)
	case errors.Is(err, errUsage):
		fmt.Fprintf(os.Stderr, "corsoci: %v\n%s", err, usage)
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "corsoci: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command", errUsage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	module := fs.String("module", "build/cors.wasm", "the compiled module")
	out := fs.String("out", "build/oci", "layout: the OCI image layout directory to write")
	layoutDir := fs.String("layout", "build/oci", "push: the OCI image layout to push")
	file := fs.String("file", "deploy/istio/wasmplugin.yaml", "wasmplugin-sha: the WasmPlugin manifest to update")
	parse := func(positional int) ([]string, error) {
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %s: %v", errUsage, args[0], err)
		}
		if fs.NArg() != positional {
			return nil, fmt.Errorf("%w: %s: got %d arguments %q; want %d", errUsage, args[0], fs.NArg(), fs.Args(), positional)
		}
		return fs.Args(), nil
	}

	switch args[0] {
	case "layout":
		if _, err := parse(0); err != nil {
			return err
		}
		return layoutCmd(*module, *out, stdout)
	case "push":
		rest, err := parse(1)
		if err != nil {
			return err
		}
		return pushCmd(ctx, *layoutDir, rest[0], stdout)
	case "wasmplugin-sha":
		if _, err := parse(0); err != nil {
			return err
		}
		return wasmPluginSHACmd(*module, *file, stdout)
	case "help", "-h", "-help", "--help":
		return flag.ErrHelp
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
}
