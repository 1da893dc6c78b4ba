package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Config describes one local gateway: the module, its plugin
// configuration, and where to listen.
type Config struct {
	Module []byte // the proxy-wasm module (build/cors.wasm)
	// Compiled, when set, is used instead of Module and left open on
	// Shutdown, so that tests can configure one compiled module many times.
	Compiled *Module
	// Profile is the Envoy host profile Module is compiled for (zero value:
	// wasmhost.Pre533, the strictest). Ignored with Compiled.
	Profile wasmhost.Profile
	// CacheDir keeps wazero's compiled code between runs ("": no cache).
	CacheDir     string
	PluginConfig []byte // the JSON plugin configuration
	// ConfigPath, when set, is the file PluginConfig came from: the gateway
	// reloads it when it changes (polled every ReloadInterval, default 1s)
	// and on SIGHUP.
	ConfigPath     string
	ReloadInterval time.Duration
	// Concurrency is the number of workers, one VM each (0: the number of
	// CPUs, Envoy's default for --concurrency).
	Concurrency int
	// FailOpen lets requests through unfiltered when a VM has failed
	// (Envoy's fail_open: true); the default answers them 503.
	FailOpen bool
	// LogLevel is what the module's proxy_get_log_level reads (default
	// wasmhost.LogInfo, Envoy's default; set LogLevelSet for trace).
	LogLevel    uint32
	LogLevelSet bool
	Listen      string // gateway address, e.g. "127.0.0.1:10000"
	// Upstream is the backend URL. Empty starts the built-in DemoUpstream
	// on a free loopback port.
	Upstream string
	// DemoListen serves the demo page (another origin than the gateway).
	// Empty disables it.
	DemoListen string
	// DisallowedListen serves the same page on an origin the config must
	// not allow, for the "disallowed origin" demo. Empty disables it.
	DisallowedListen string
	// RouteName is the host property route_name (Envoy sets it from the
	// matched route's name). Empty leaves it unset.
	RouteName string
	Log       *log.Logger // each request, and failures; nil discards
	// Progress gets the start-up steps with their times, reloads, and
	// advice about the demo (nil discards).
	Progress io.Writer
	// ModuleLog gets the module's log lines (nil: Log).
	ModuleLog func(string)
}

// Server is a running local gateway.
type Server struct {
	Engine   *Engine
	Gateway  *Gateway
	Upstream *DemoUpstream // nil with an external upstream

	GatewayURL    string // http://127.0.0.1:port
	UpstreamURL   string
	DemoURL       string // "" when disabled
	DisallowedURL string // "" when disabled

	cfg                  Config
	module               *Module // closed on Shutdown when Start compiled it
	progress             io.Writer
	demo                 *DemoPage
	servers              []*http.Server
	errc                 chan error
	stopWatch, watchDone chan struct{}
	reloaded, rejected   atomic.Int64
}

// Start checks that every address is free (so a taken port fails fast
// and clearly), compiles the module and starts one configured VM per
// worker, and only then listens: a request never waits for the module.
// Close it with Shutdown.
func Start(cfg Config) (*Server, error) {
	logger := cfg.Log
	if logger == nil {
		logger = log.New(discard{}, "", 0)
	}
	progress := cfg.Progress
	if progress == nil {
		progress = discard{}
	}
	s := &Server{errc: make(chan error, 4), cfg: cfg, progress: progress}

	upstreamURL := cfg.Upstream
	if upstreamURL != "" {
		up, err := url.Parse(upstreamURL)
		if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
			return nil, fmt.Errorf("-upstream %q: want an absolute http(s) URL such as http://127.0.0.1:8000", upstreamURL)
		}
	}
	addrs := []struct{ what, addr string }{{"gateway (-listen)", cfg.Listen}}
	if cfg.DemoListen != "" {
		addrs = append(addrs, struct{ what, addr string }{"demo page (-demo)", cfg.DemoListen})
	}
	if cfg.DisallowedListen != "" {
		addrs = append(addrs, struct{ what, addr string }{"disallowed-origin page (-demo-disallowed)", cfg.DisallowedListen})
	}
	for _, a := range addrs {
		if err := checkFree(a.what, a.addr); err != nil {
			return nil, err
		}
	}

	module := cfg.Compiled
	if module == nil {
		profile := cfg.Profile
		if profile.Name == "" {
			profile = wasmhost.Pre533
		}
		start := time.Now()
		fmt.Fprintf(progress, "compiling the module for the %s host profile, that of %s...\n", profile.Name, profile.Envoy)
		m, err := Compile(cfg.Module, profile, cfg.CacheDir)
		if err != nil {
			return nil, err
		}
		module, s.module = m, m
		cache := "no compilation cache"
		switch {
		case cfg.CacheDir != "" && m.CacheHit:
			cache = "from the compilation cache in " + cfg.CacheDir
		case cfg.CacheDir != "":
			cache = "saved to the compilation cache in " + cfg.CacheDir + "; the next start skips this"
		}
		fmt.Fprintf(progress, "  compiled in %s (%s)\n", round(time.Since(start)), cache)
	}
	fail := func(err error) (*Server, error) {
		if s.Engine != nil {
			s.Engine.Close()
		}
		if s.module != nil {
			s.module.Close()
		}
		return nil, err
	}

	props := map[string]string{}
	if cfg.RouteName != "" {
		props["route_name"] = cfg.RouteName
	}
	n := cfg.Concurrency
	if n <= 0 {
		n = runtime.NumCPU()
	}
	level := wasmhost.LogInfo
	if cfg.LogLevelSet {
		level = cfg.LogLevel
	}
	print := cfg.ModuleLog
	if print == nil {
		print = func(line string) { logger.Print(line) }
	}
	fmt.Fprintf(progress, "starting %d worker(s), one VM each (-concurrency)...\n", n)
	eng, err := NewEngine(module, EngineConfig{
		Concurrency: n, PluginConfig: cfg.PluginConfig, Properties: props,
		FailOpen: cfg.FailOpen, LogLevel: level, Progress: progress, Print: print,
	})
	if err != nil {
		return fail(err)
	}
	s.Engine = eng

	var listeners []net.Listener
	closeAll := func(err error) (*Server, error) {
		for _, l := range listeners {
			l.Close()
		}
		return fail(err)
	}
	listen := func(what, addr string) (net.Listener, error) {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, listenError(what, addr, err)
		}
		listeners = append(listeners, l)
		return l, nil
	}
	var upL, gwL, demoL, disL net.Listener
	if upstreamURL == "" {
		if upL, err = listen("built-in upstream", "127.0.0.1:0"); err != nil {
			return closeAll(err)
		}
		upstreamURL = urlOf(upL)
	}
	up, _ := url.Parse(upstreamURL)
	s.Gateway = NewGateway(eng, up, nil, cfg.Log)
	s.Gateway.RecordEvents = cfg.DemoListen != ""
	s.UpstreamURL = upstreamURL
	if gwL, err = listen("gateway (-listen)", cfg.Listen); err != nil {
		return closeAll(err)
	}
	if cfg.DemoListen != "" {
		if demoL, err = listen("demo page (-demo)", cfg.DemoListen); err != nil {
			return closeAll(err)
		}
	}
	if cfg.DisallowedListen != "" {
		if disL, err = listen("disallowed-origin page (-demo-disallowed)", cfg.DisallowedListen); err != nil {
			return closeAll(err)
		}
	}
	s.GatewayURL = urlOf(gwL)
	if upL != nil {
		s.Upstream = NewDemoUpstream()
		s.Gateway.UpstreamStats = s.Upstream.Stats
		s.serve(upL, s.Upstream, nil)
	}
	s.serve(gwL, s.Gateway, s.Gateway.ConnContext)
	page := &DemoPage{GatewayPort: port(gwL), Events: &s.Gateway.events}
	if disL != nil {
		page.DisallowedPort = port(disL)
		s.DisallowedURL = urlOf(disL)
	}
	if demoL != nil {
		s.DemoURL = urlOf(demoL)
		page.Origin = "http://localhost:" + port(demoL)
		s.demo = page
		s.checkDemo(cfg.PluginConfig)
		s.serve(demoL, page.Handler(), nil)
	}
	if disL != nil {
		s.serve(disL, page.Handler(), nil)
	}
	if cfg.ConfigPath != "" {
		s.watchConfig()
	}
	return s, nil
}

// checkFree fails when addr cannot be listened on. The real listeners
// open only once the module is ready, so that no request waits for it;
// this check keeps a taken port failing at once, before a long compile.
func checkFree(what, addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError(what, addr, err)
	}
	return l.Close()
}

func listenError(what, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s: port %s is already in use (is another gateway running?); choose another address with its flag", what, addr)
	}
	return fmt.Errorf("%s: listen on %s: %w", what, addr, err)
}

// serve runs an HTTP/1.1 and h2c (HTTP/2 with prior knowledge, as
// Envoy's "AUTO" codec accepts on a plain-text listener) server on l, with
// Envoy's default limit on request headers.
func (s *Server) serve(l net.Listener, h http.Handler, connContext func(context.Context, net.Conn) context.Context) {
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{
		Handler:           h,
		Protocols:         &protocols,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    MaxHeaderBytes,
		IdleTimeout:       time.Hour, // Envoy's default idle_timeout for downstream connections
		ConnContext:       connContext,
	}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.errc <- err
		}
	}()
}

// Err reports a server that stopped on its own.
func (s *Server) Err() <-chan error { return s.errc }

// Shutdown stops watching the config and accepting connections, waits
// for in-flight requests (bounded by ctx), as Envoy drains, then releases
// the VMs (and the module, if Start compiled it).
func (s *Server) Shutdown(ctx context.Context) error {
	if s.stopWatch != nil {
		close(s.stopWatch)
		<-s.watchDone
	}
	var errs []error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	s.Engine.Close()
	if s.module != nil {
		if err := s.module.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// urlOf names a listener as a browser would reach it: "localhost" for a
// wildcard address such as ":10000".
func urlOf(l net.Listener) string {
	host, p, _ := net.SplitHostPort(l.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, p)
}

func port(l net.Listener) string {
	a := l.Addr().String()
	return a[strings.LastIndexByte(a, ':')+1:]
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
