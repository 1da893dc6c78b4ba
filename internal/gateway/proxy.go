package gateway

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
)

// Gateway is an http.Handler that runs every request through the module
// the way Envoy's HTTP filter chain would, then through a router to one
// upstream.
type Gateway struct {
	filter   *Filter
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	log      *log.Logger
	// Stats counts what the gateway received and answered, per
	// "METHOD /path". Tests read it to tell, e.g., whether a browser sent a
	// preflight.
	Stats *Stats
	// UpstreamStats, when set, is shown next to Stats on /__gateway/stats.
	UpstreamStats *Stats

	events eventLog
}

type streamKey struct{}

// streamInfo travels in the request context from ServeHTTP to the
// reverse proxy's hooks.
type streamInfo struct {
	id      uint32
	headers [][2]string // request headers as the module left them
}

// NewGateway returns a handler that filters with f and forwards to
// upstream. logger may be nil.
func NewGateway(f *Filter, upstream *url.URL, logger *log.Logger) *Gateway {
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	g := &Gateway{filter: f, upstream: upstream, log: logger, Stats: NewStats()}
	g.proxy = &httputil.ReverseProxy{
		Rewrite:        g.rewrite,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.upstreamError,
		ErrorLog:       logger,
	}
	return g
}

// AdminPrefix is served by the gateway itself, never filtered or proxied.
const AdminPrefix = "/__gateway/"

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, AdminPrefix) {
		g.serveAdmin(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		g.Stats.Record(r.Method, r.URL.Path, rec.status)
		g.events.add(Event{Method: r.Method, Path: r.URL.Path, Origin: r.Header.Get("Origin"), Status: rec.status, How: rec.note, CORS: corsHeaders(w.Header())})
		g.log.Printf("%s %s origin=%q -> %d (%s)", r.Method, r.RequestURI, r.Header.Get("Origin"), rec.status, rec.note)
	}()

	res, err := g.filter.OnRequestHeaders(requestHeaderList(r))
	if err != nil {
		g.filterFailed(rec, err)
		return
	}
	defer func() {
		if err := g.filter.Done(res.Stream); err != nil {
			g.log.Printf("stream done: %v", err)
		}
	}()

	switch {
	case res.Local != nil:
		rec.note = "local reply from the module"
		g.writeLocal(rec, res.Stream, res.Local)
	case res.Paused:
		// Envoy would wait for proxy_continue_stream; the CORS filter never
		// asks for that, so this stand-in does not implement it.
		rec.note = "module paused the stream"
		http.Error(rec, "the module paused the request without a local reply; this local gateway cannot resume it", http.StatusInternalServerError)
	default:
		rec.note = "proxied to the upstream"
		ctx := context.WithValue(r.Context(), streamKey{}, &streamInfo{id: res.Stream, headers: res.Headers})
		g.proxy.ServeHTTP(rec, r.WithContext(ctx))
	}
}

// writeLocal writes a reply the module sent itself. Envoy passes a
// filter's local reply back through the response-header callbacks of the
// chain, this filter's included, so the module sees it once more here.
func (g *Gateway) writeLocal(w http.ResponseWriter, stream uint32, lr *LocalReply) {
	list := append([][2]string{{":status", strconv.Itoa(lr.Status)}}, lr.Headers...)
	if len(lr.Body) > 0 {
		list = append(list, [2]string{"content-length", strconv.Itoa(len(lr.Body))})
	}
	out, err := g.filter.OnResponseHeaders(stream, list, len(lr.Body) == 0)
	if err != nil {
		g.filterFailed(w, err)
		return
	}
	h, status := toHeader(out)
	if status == 0 {
		status = lr.Status
	}
	copyHeader(w.Header(), h)
	w.WriteHeader(status)
	w.Write(lr.Body)
}

// rewrite sends the request on to the upstream with the headers the module
// left and the client's Host, as Envoy's router does without host_rewrite.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	info := pr.In.Context().Value(streamKey{}).(*streamInfo)
	h, _ := toHeader(info.headers)
	h.Del("Content-Length") // the transport sets it from the body
	pr.Out.Header = h
	pr.SetURL(g.upstream)
	pr.Out.Host = pr.In.Host
	pr.SetXForwarded()
}

// modifyResponse runs the module's response-header callback on the
// upstream's response and keeps only what the module left.
func (g *Gateway) modifyResponse(resp *http.Response) error {
	info := resp.Request.Context().Value(streamKey{}).(*streamInfo)
	out, err := g.filter.OnResponseHeaders(info.id, responseHeaderList(resp.StatusCode, resp.Header), resp.ContentLength == 0)
	if err != nil {
		return &filterError{err}
	}
	h, status := toHeader(out)
	resp.Header = h
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
	g.writeLocal(w, info.id, &LocalReply{
		Status:  http.StatusServiceUnavailable,
		Headers: [][2]string{{"content-type", "text/plain"}},
		Body:    []byte("upstream connect error: " + err.Error() + "\n"),
	})
}

type filterError struct{ err error }

func (e *filterError) Error() string { return e.err.Error() }

// filterFailed refuses the request after a wasm trap, like Envoy with
// fail_open: false.
func (g *Gateway) filterFailed(w http.ResponseWriter, err error) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.note = "filter failure"
	}
	g.log.Printf("FILTER FAILURE: %v", err)
	http.Error(w, "the CORS filter failed and this gateway fails closed: "+err.Error(), http.StatusServiceUnavailable)
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
