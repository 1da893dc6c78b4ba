// Command corsgateway is a local stand-in for Envoy, for machines without
// one: an HTTP server that runs build/cors.wasm in wazero (through the
// proxy-wasm Go SDK's host emulator) on every request and proxies to an
// upstream. It also serves a demo page on another origin. It is not a
// production proxy: one module instance, requests serialised through it.
//
//	go run ./cmd/corsgateway -module build/cors.wasm -config examples/config.json
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
)

func main() {
	// Ctrl-C or SIGTERM stops the servers gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h printed the usage; asking for help is not a failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "corsgateway:", err)
		os.Exit(1)
	}
}

// run starts the gateway and blocks until ctx is done.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("corsgateway", flag.ContinueOnError)
	var (
		module     = flags.String("module", "build/cors.wasm", "compiled proxy-wasm module")
		config     = flags.String("config", "examples/config.json", "plugin configuration (JSON)")
		listen     = flags.String("listen", "127.0.0.1:10000", "gateway address")
		upstream   = flags.String("upstream", "", "upstream URL; empty starts the built-in demo upstream on a loopback port")
		demo       = flags.String("demo", "127.0.0.1:8080", "demo page address (another origin than the gateway); empty disables it")
		disallowed = flags.String("demo-disallowed", "127.0.0.1:8081", "the demo page again, on an origin the config does not allow; empty disables it")
		routeName  = flags.String("route-name", "", "value of the route_name property the module sees (Envoy's matched route name)")
		quiet      = flags.Bool("quiet", false, "do not log each request and the module's log lines")
	)
	if err := flags.Parse(args); err != nil {
		return err
	}

	wasm, err := os.ReadFile(*module)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s not found: run `make wasm` (or `make run`, which builds it first)", *module)
	}
	if err != nil {
		return err
	}
	cfg, err := os.ReadFile(*config)
	if err != nil {
		return fmt.Errorf("plugin configuration: %w", err)
	}

	// The SDK's emulator prints the module's log lines through the
	// standard logger ("proxy_debug_log: …").
	logger := log.New(os.Stderr, "gateway: ", log.Ltime)
	if *quiet {
		logger = nil
	}
	log.SetFlags(log.Ltime)
	log.SetPrefix("module:  ")
	// Hold the module's start-up lines: a rejected config's errors are
	// part of the error below (printed once); otherwise the lines, e.g.
	// warnings about risky settings, are shown even with -quiet.
	var startup bytes.Buffer
	log.SetOutput(&startup)
	srv, err := gateway.Start(gateway.Config{
		Module: wasm, PluginConfig: cfg,
		Listen: *listen, Upstream: *upstream,
		DemoListen: *demo, DisallowedListen: *disallowed,
		RouteName: *routeName, Log: logger,
	})
	log.SetOutput(os.Stderr)
	if err != nil {
		return fmt.Errorf("%s with %s: %w", *module, *config, err)
	}
	os.Stderr.Write(startup.Bytes())
	if *quiet {
		log.SetOutput(discard{})
	}

	fmt.Fprintf(stdout, `corsgateway: a LOCAL STAND-IN FOR ENVOY, not a production proxy.
It runs %s in wazero through the proxy-wasm Go SDK's host emulator,
one request at a time, with the plugin configuration %s.

  gateway     %s   (-> upstream %s)
  stats       %s/__gateway/stats
`, *module, *config, srv.GatewayURL, upstreamLabel(srv), srv.GatewayURL)
	if srv.DemoURL != "" {
		fmt.Fprintf(stdout, "  demo page   %s   (open http://localhost:%s in a browser)\n", srv.DemoURL, portOf(srv.DemoURL))
	}
	if srv.DisallowedURL != "" {
		fmt.Fprintf(stdout, "  disallowed  %s   (the same page on an origin the config does not allow)\n", srv.DisallowedURL)
	}
	fmt.Fprintln(stdout, "\nPress Ctrl-C to stop.")

	select {
	case <-ctx.Done():
	case err := <-srv.Err():
		return err
	}
	fmt.Fprintln(stdout, "\ncorsgateway: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func upstreamLabel(s *gateway.Server) string {
	if s.Upstream != nil {
		return s.UpstreamURL + ", the built-in demo upstream"
	}
	return s.UpstreamURL
}

func portOf(u string) string {
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] == ':' {
			return u[i+1:]
		}
	}
	return u
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
