package gateway

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Gateway is an http.Handler that runs every request through the module
// the way Envoy's HTTP filter chain would, then through a router to one
// upstream.
type Gateway struct {
	engine   *Engine
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	log      *log.Logger
	// Stats counts what the gateway received and answered. Tests read it
	// to tell, e.g., whether a browser sent a preflight.
	Stats *Stats
	// UpstreamStats, when set, is shown next to Stats on /__gateway/stats.
	UpstreamStats *Stats
	// RecordEvents keeps the last requests for the demo page's panel.
	RecordEvents bool

	events  eventLog
	verbose bool // a logger was given: log each request
}

type streamKey struct{}

// streamInfo travels in the request context from ServeHTTP to the
// reverse proxy's hooks.
type streamInfo struct {
	w *worker
	// s is the module's stream; nil when a failed VM lets the request
	// through unfiltered (fail open).
	s       *wasmhost.Stream
	headers []wasmhost.Header // request headers as the module left them
}

// NewGateway returns a handler that filters with e and forwards to
// upstream through transport (nil: NewUpstreamTransport). logger may be nil.
func NewGateway(e *Engine, upstream *url.URL, transport http.RoundTripper, logger *log.Logger) *Gateway {
	verbose := logger != nil
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	if transport == nil {
		transport = NewUpstreamTransport()
	}
	g := &Gateway{engine: e, upstream: upstream, log: logger, Stats: NewStats(), verbose: verbose}
	g.proxy = &httputil.ReverseProxy{
		Rewrite:        g.rewrite,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.upstreamError,
		ErrorLog:       logger,
		Transport:      transport,
		BufferPool:     bufferPool{},
	}
	return g
}

// AdminPrefix is served by the gateway itself, never filtered or proxied.
const AdminPrefix = "/__gateway/"

type workerKey struct{}

// ConnContext pins a new connection to a worker (round robin), as Envoy's
// listener hands each connection to one worker thread.
func (g *Gateway) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, workerKey{}, g.engine.pick())
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		g.serveAdmin(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		g.Stats.Record(r.Method, r.URL.Path, rec.status)
		if g.RecordEvents {
			g.events.add(Event{Method: r.Method, Path: r.URL.Path, Origin: r.Header.Get("Origin"), Status: rec.status, How: rec.note, CORS: corsHeaders(w.Header())})
		}
		if g.verbose {
			g.log.Printf("%s %s origin=%q -> %d (%s)", r.Method, r.RequestURI, r.Header.Get("Origin"), rec.status, rec.note)
		}
	}()

	wk, _ := r.Context().Value(workerKey{}).(*worker)
	if wk == nil {
		wk = g.engine.pick()
	}
	s, action, err := wk.requestHeaders(requestHeaderList(r))
	if err != nil {
		if !g.filterFailed(rec, err) {
			return
		}
		// Fail open: the request goes on as if the filter were absent.
		rec.note = "proxied unfiltered (VM failed, fail open)"
		g.forward(rec, r, &streamInfo{w: wk, headers: requestHeaderList(r)})
		return
	}
	defer func() {
		if err := wk.end(s); err != nil {
			g.log.Printf("stream end: %v", err)
		}
	}()

	switch {
	case s.LocalReply != nil:
		rec.note = "local reply from the module"
		g.writeLocal(rec, wk, s)
	case action != 0:
		// Envoy would wait for proxy_continue_stream; the CORS filter never
		// asks for that, so this stand-in does not implement it.
		rec.note = "module paused the stream"
		http.Error(rec, "the module paused the request without a local reply; this local gateway cannot resume it", http.StatusInternalServerError)
	default:
		rec.note = "proxied to the upstream"
		g.forward(rec, r, &streamInfo{w: wk, s: s, headers: s.Request})
	}
}

func (g *Gateway) forward(w http.ResponseWriter, r *http.Request, info *streamInfo) {
	ctx := context.WithValue(r.Context(), streamKey{}, info)
	g.proxy.ServeHTTP(w, r.WithContext(ctx))
}

// writeLocal writes a reply the module sent itself. Envoy passes a
// filter's local reply back through the response-header callbacks of the
// chain, this filter's included, so the module sees it once more here.
func (g *Gateway) writeLocal(w http.ResponseWriter, wk *worker, s *wasmhost.Stream) {
	lr := s.LocalReply
	list := make([]wasmhost.Header, 0, len(lr.Headers)+2)
	list = append(list, wasmhost.Header{":status", strconv.Itoa(lr.Status)})
	list = append(list, lr.Headers...)
	if len(lr.Body) > 0 {
		list = append(list, wasmhost.Header{"content-length", strconv.Itoa(len(lr.Body))})
	}
	out, err := wk.responseHeaders(s, list, len(lr.Body) == 0)
	if err != nil {
		if g.filterFailed(w, err) {
			// Fail open mid-stream: the reply goes out as the module made it.
			out = list
		} else {
			return
		}
	}
	h, status := toHeader(out)
	if status == 0 {
		status = lr.Status
	}
	copyHeader(w.Header(), h)
	w.WriteHeader(status)
	io.WriteString(w, lr.Body)
}

// rewrite sends the request on to the upstream with the headers the module
// left and the client's Host, as Envoy's router does without host_rewrite.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	info := pr.In.Context().Value(streamKey{}).(*streamInfo)
	if pr.Out.Header == nil {
		pr.Out.Header = http.Header{}
	}
	fillHeader(pr.Out.Header, info.headers)
	pr.Out.Header.Del("Content-Length") // the transport sets it from the body
	pr.SetURL(g.upstream)
	pr.Out.Host = pr.In.Host
	pr.SetXForwarded()
}

// modifyResponse runs the module's response-header callback on the
// upstream's response and keeps only what the module left.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	info := resp.Request.Context().Value(streamKey{}).(*streamInfo)
	if info.s == nil {
		return nil // unfiltered (fail open)
	}
	out, err := info.w.responseHeaders(info.s, responseHeaderList(resp.StatusCode, resp.Header), resp.ContentLength == 0)
	if err != nil {
		if g.engine.failOpen {
			g.log.Printf("FILTER FAILURE (fail open, response passed unfiltered): %v", err)
			return nil
		}
		return &filterError{err}
	}
	status := fillHeader(resp.Header, out)
	if status != 0 && status != resp.StatusCode {
		resp.StatusCode = status
		resp.Status = strconv.Itoa(status) + " " + http.StatusText(status)
	}
	return nil
}

// upstreamError answers like Envoy's router when the upstream is
// unreachable: a 503 that, being a reply of the chain, still passes
// through the module's response callback (so an allowed origin can read it).
func (g *Gateway) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	var fe *filterError
	if errors.As(err, &fe) {
		g.filterFailed(w, fe.err)
		return
	}
	g.log.Printf("upstream %s: %v", g.upstream, err)
	if rec, ok := w.(*statusRecorder); ok {
		rec.note = "upstream unreachable"
	}
	info := r.Context().Value(streamKey{}).(*streamInfo)
	body := "upstream connect error: " + err.Error() + "\n"
	if info.s == nil {
		http.Error(w, strings.TrimSuffix(body, "\n"), http.StatusServiceUnavailable)
		return
	}
	info.s.LocalReply = &wasmhost.LocalReply{
		Status:  http.StatusServiceUnavailable,
		Headers: []wasmhost.Header{{"content-type", "text/plain"}},
		Body:    body,
	}
	g.writeLocal(w, info.w, info.s)
}

type filterError struct{ err error }

func (e *filterError) Error() string { return e.err.Error() }

// filterFailed handles a failed VM by the failure policy, as Envoy's wasm
// filter does: fail closed answers 503 here and returns false; fail open
// writes nothing and returns true (the caller lets the request through as
// if the filter were absent).
func (g *Gateway) filterFailed(w http.ResponseWriter, err error) bool {
	if g.engine.failOpen {
		g.log.Printf("FILTER FAILURE (fail open, passed unfiltered): %v", err)
		return true
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.note = "filter failure"
	}
	g.log.Printf("FILTER FAILURE (fail closed): %v", err)
	http.Error(w, "the CORS filter failed and this gateway fails closed: "+err.Error(), http.StatusServiceUnavailable)
	return false
}

// corsHeaders picks the response headers a reader of the demo cares about.
func corsHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, vs := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "access-control-") || lk == "vary" {
			out[lk] = strings.Join(vs, ", ")
		}
	}
	return out
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

// statusRecorder remembers the status written, for Stats and the log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	note   string
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
