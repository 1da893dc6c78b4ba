// Command corsgateway is a local stand-in for Envoy, for machines without
// one: an HTTP server that runs build/cors.wasm in wazero (through the
// proxy-wasm Go SDK's host emulator) on every request and proxies to an
// upstream. It also serves a demo page on another origin. It is not a
// production proxy: one module instance, requests serialised through it.
//
//	go run ./cmd/corsgateway -module build/cors.wasm -config examples/config.json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "corsgateway:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		module     = flag.String("module", "build/cors.wasm", "compiled proxy-wasm module")
		config     = flag.String("config", "examples/config.json", "plugin configuration (JSON)")
		listen     = flag.String("listen", "127.0.0.1:10000", "gateway address")
		upstream   = flag.String("upstream", "", "upstream URL; empty starts the built-in demo upstream on a loopback port")
		demo       = flag.String("demo", "127.0.0.1:8080", "demo page address (another origin than the gateway); empty disables it")
		disallowed = flag.String("demo-disallowed", "127.0.0.1:8081", "the demo page again, on an origin the config does not allow; empty disables it")
		routeName  = flag.String("route-name", "", "value of the route_name property the module sees (Envoy's matched route name)")
		quiet      = flag.Bool("quiet", false, "do not log each request and the module's log lines")
	)
	flag.Parse()

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
		log.SetOutput(discard{})
		logger = nil
	}
	srv, err := gateway.Start(gateway.Config{
		Module: wasm, PluginConfig: cfg,
		Listen: *listen, Upstream: *upstream,
		DemoListen: *demo, DisallowedListen: *disallowed,
		RouteName: *routeName, Log: logger,
	})
	if err != nil {
		return fmt.Errorf("%s with %s: %w", *module, *config, err)
	}

	fmt.Printf(`corsgateway: a LOCAL STAND-IN FOR ENVOY, not a production proxy.
It runs %s in wazero through the proxy-wasm Go SDK's host emulator,
one request at a time, with the plugin configuration %s.

  gateway     %s   (-> upstream %s)
  stats       %s/__gateway/stats
`, *module, *config, srv.GatewayURL, upstreamLabel(srv), srv.GatewayURL)
	if srv.DemoURL != "" {
		fmt.Printf("  demo page   %s   (open http://localhost:%s in a browser)\n", srv.DemoURL, portOf(srv.DemoURL))
	}
	if srv.DisallowedURL != "" {
		fmt.Printf("  disallowed  %s   (the same page on an origin the config does not allow)\n", srv.DisallowedURL)
	}
	fmt.Println("\nPress Ctrl-C to stop.")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-srv.Err():
		return err
	}
	fmt.Println("\ncorsgateway: shutting down")
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
