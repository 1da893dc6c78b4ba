package gateway

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Config describes one local gateway: the module, its plugin
// configuration, and where to listen.
type Config struct {
	Module []byte // the proxy-wasm module (build/cors.wasm)
	// Compiled, when set, is used instead of Module and left open on
	// Shutdown, so that tests can configure one compiled module many times.
	Compiled     *Module
	PluginConfig []byte // the JSON plugin configuration
	Listen       string // gateway address, e.g. "127.0.0.1:10000"
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
	Log       *log.Logger // nil discards
}

// Server is a running local gateway.
type Server struct {
	Filter   *Filter
	Gateway  *Gateway
	Upstream *DemoUpstream // nil with an external upstream

	GatewayURL    string // http://127.0.0.1:port
	UpstreamURL   string
	DemoURL       string // "" when disabled
	DisallowedURL string // "" when disabled

	servers []*http.Server
	errc    chan error
}

// Start listens on every address first (so a taken port fails fast and
// clearly), loads the module, then serves. Close it with Shutdown.
func Start(cfg Config) (*Server, error) {
	logger := cfg.Log
	if logger == nil {
		logger = log.New(discard{}, "", 0)
	}
	s := &Server{errc: make(chan error, 4)}
	var listeners []net.Listener
	fail := func(err error) (*Server, error) {
		for _, l := range listeners {
			l.Close()
		}
		if s.Filter != nil {
			s.Filter.Close()
		}
		return nil, err
	}
	listen := func(what, addr string) (net.Listener, error) {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				return nil, fmt.Errorf("%s: port %s is already in use (is another gateway running?); choose another address with its flag", what, addr)
			}
			return nil, fmt.Errorf("%s: listen on %s: %w", what, addr, err)
		}
		listeners = append(listeners, l)
		return l, nil
	}

	gwL, err := listen("gateway (-listen)", cfg.Listen)
	if err != nil {
		return fail(err)
	}
	var demoL, disL, upL net.Listener
	if cfg.DemoListen != "" {
		if demoL, err = listen("demo page (-demo)", cfg.DemoListen); err != nil {
			return fail(err)
		}
	}
	if cfg.DisallowedListen != "" {
		if disL, err = listen("disallowed-origin page (-demo-disallowed)", cfg.DisallowedListen); err != nil {
			return fail(err)
		}
	}
	upstreamURL := cfg.Upstream
	if upstreamURL == "" {
		if upL, err = listen("built-in upstream", "127.0.0.1:0"); err != nil {
			return fail(err)
		}
		upstreamURL = urlOf(upL)
	}
	up, err := url.Parse(upstreamURL)
	if err != nil || (up.Scheme != "http" && up.Scheme != "https") || up.Host == "" {
		return fail(fmt.Errorf("-upstream %q: want an absolute http(s) URL such as http://127.0.0.1:8000", upstreamURL))
	}

	props := Properties{}
	if cfg.RouteName != "" {
		props["route_name"] = cfg.RouteName
	}
	if cfg.Compiled != nil {
		s.Filter, err = cfg.Compiled.NewFilter(cfg.PluginConfig, props)
	} else {
		s.Filter, err = LoadFilter(cfg.Module, cfg.PluginConfig, props)
	}
	if err != nil {
		s.Filter = nil
		return fail(err)
	}
	s.Gateway = NewGateway(s.Filter, up, logger)
	s.GatewayURL = urlOf(gwL)
	s.UpstreamURL = upstreamURL
	s.serve(gwL, s.Gateway)
	if upL != nil {
		s.Upstream = NewDemoUpstream()
		s.Gateway.UpstreamStats = s.Upstream.Stats
		s.serve(upL, s.Upstream)
	}
	page := DemoPage{GatewayPort: port(gwL), Events: &s.Gateway.events}
	if disL != nil {
		page.DisallowedPort = port(disL)
		s.DisallowedURL = urlOf(disL)
	}
	if demoL != nil {
		s.DemoURL = urlOf(demoL)
		s.serve(demoL, page.Handler())
	}
	if disL != nil {
		s.serve(disL, page.Handler())
	}
	return s, nil
}

func (s *Server) serve(l net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, srv)
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.errc <- err
		}
	}()
}

// Err reports a server that stopped on its own.
func (s *Server) Err() <-chan error { return s.errc }

// Shutdown stops accepting, waits for in-flight requests (bounded by ctx),
// then releases the module.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	for _, srv := range s.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.Filter.Close(); err != nil {
		errs = append(errs, err)
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
