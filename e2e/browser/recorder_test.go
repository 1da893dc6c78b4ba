package browser

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/corswasm/corswasm/internal/gateway"
)

// seen is one request as it reached the gateway, with the CORS headers
// the browser sent and the ones it got back, verbatim (every line, in
// order): the measurements in docs/browsers.md are read from these.
type seen struct {
	Method, Path string
	Header       http.Header // request
	Status       int
	Response     http.Header
}

// recorder sits in front of the gateway's handler, on its own loopback
// listener, and remembers every request. The gateway itself is unchanged:
// its Stats still count what it saw.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	log  []seen
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	rec.next.ServeHTTP(sw, r)
	rec.mu.Lock()
	rec.log = append(rec.log, seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Status: sw.status, Response: w.Header().Clone()})
	rec.mu.Unlock()
}

// requests returns what reached path with method, oldest first.
func (rec *recorder) requests(method, path string) []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []seen
	for _, s := range rec.log {
		if s.Method == method && s.Path == path {
			out = append(out, s)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// recordedGateway starts the gateway with config and serves it again
// through a recorder; the browser must be pointed at the returned URL,
// http://localhost:port (a host name: see byName).
func recordedGateway(t *testing.T, module *gateway.Module, config any) (*gateway.Server, *recorder, string) {
	t.Helper()
	gw := startGateway(t, module, config)
	rec := &recorder{next: gw.Gateway}
	l, port := listen(t)
	srv := &http.Server{Handler: rec}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return gw, rec, "http://localhost:" + port
}

// under returns, in arrival order, every request whose path starts with
// prefix.
func (rec *recorder) under(prefix string) []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []seen
	for _, s := range rec.log {
		if strings.HasPrefix(s.Path, prefix) {
			out = append(out, s)
		}
	}
	return out
}
