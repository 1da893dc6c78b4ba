// Command corsgateway is a local stand-in for Envoy, for machines without
// one: an HTTP/1.1 and h2c server that runs build/cors.wasm in wazero, one
// VM per worker under the host profile of a real Envoy release, on every
// request, and proxies to an upstream. It reloads the plugin configuration
// when the file changes or on SIGHUP. It also serves a demo page on
// another origin. It is not a production proxy (docs/local-gateway.md).
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
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
	"github.com/corswasm/corswasm/internal/wasmhost"
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
		profile    = flags.String("host-profile", wasmhost.Pre533.Name, "Envoy host profile: "+wasmhost.Pre533.Name+" (Envoy before envoyproxy/envoy#45756, the strictest) or "+wasmhost.Post533.Name)
		workers    = flags.Int("concurrency", runtime.NumCPU(), "workers, one wasm VM each (Envoy's --concurrency)")
		failure    = flags.String("failure-policy", "fail-closed", "what a worker whose VM failed answers: fail-closed (503) or fail-open (requests pass unfiltered)")
		cacheDir   = flags.String("cache-dir", gateway.DefaultCacheDir(), "wazero compilation cache; empty disables it")
		reload     = flags.Duration("reload-interval", time.Second, "how often to check -config for changes (SIGHUP reloads at once)")
	)
	if err := flags.Parse(args); err != nil {
		return err
	}
	hostProfile, err := wasmhost.ProfileByName(*profile)
	if err != nil {
		return fmt.Errorf("-host-profile: %w", err)
	}
	if *failure != "fail-closed" && *failure != "fail-open" {
		return fmt.Errorf("-failure-policy %q: want fail-closed or fail-open", *failure)
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

	logger := log.New(os.Stderr, "gateway: ", log.Ltime)
	if *quiet {
		logger = nil
	}
	// The module's lines: a rejected config's errors are part of the error
	// below (printed once); start-up lines such as warnings about risky
	// settings are shown even with -quiet.
	moduleLog := log.New(os.Stderr, "module:  ", log.Ltime)
	var (
		mu      sync.Mutex // the sink runs on the workers' goroutines
		started bool
		startup bytes.Buffer
	)
	srv, err := gateway.Start(gateway.Config{
		Module: wasm, Profile: hostProfile, CacheDir: *cacheDir,
		PluginConfig: cfg, ConfigPath: *config, ReloadInterval: *reload,
		Concurrency: *workers, FailOpen: *failure == "fail-open",
		Listen: *listen, Upstream: *upstream,
		DemoListen: *demo, DisallowedListen: *disallowed,
		RouteName: *routeName, Log: logger, Progress: stdout,
		ModuleLog: func(line string) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case !started:
				startup.WriteString(line + "\n")
			case !*quiet:
				moduleLog.Print(line)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("%s with %s: %w", *module, *config, err)
	}
	mu.Lock()
	os.Stderr.Write(startup.Bytes())
	started = true
	mu.Unlock()

	fmt.Fprintf(stdout, `
corsgateway: a LOCAL STAND-IN FOR ENVOY, not a production proxy.
It runs %s in wazero under the %s host profile, %d worker(s) with a VM
each, failure policy %s, with the plugin configuration %s
(reloaded when the file changes, or on SIGHUP).

  gateway     %s   (-> upstream %s; HTTP/1.1 and h2c)
  stats       %s/__gateway/stats   (Prometheus: %s/__gateway/stats/prometheus)
`, *module, hostProfile.Name, srv.Engine.Workers(), *failure, *config, srv.GatewayURL, upstreamLabel(srv), srv.GatewayURL, srv.GatewayURL)
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
