package gateway

import (
	"net/http"
	"sync"
	"time"
)

// MaxHeaderBytes is Envoy's default limit on a request's headers
// (HttpConnectionManager max_request_headers_kb: 60). Go's server allows
// a little more than MaxHeaderBytes (4 KiB of slack for the request line);
// a request over it gets 431, as from Envoy.
const MaxHeaderBytes = 60 << 10

// maxUpstreamConns is Envoy's default circuit-breaker limit on connections
// to one upstream cluster (max_connections: 1024). Idle keep-alive
// connections are kept up to it, so a burst of N concurrent requests
// reuses N connections instead of opening and closing them.
const maxUpstreamConns = 1024

// NewUpstreamTransport is the gateway's connection pool to the upstream:
// keep-alive HTTP/1.1, as Envoy's default cluster. http.DefaultTransport
// keeps only 2 idle connections per host: at 32 concurrent requests it
// opens (and leaves in TIME-WAIT) a new connection for most of them.
func NewUpstreamTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = maxUpstreamConns
	t.MaxIdleConnsPerHost = maxUpstreamConns
	t.MaxConnsPerHost = maxUpstreamConns
	t.IdleConnTimeout = time.Hour // Envoy's default idle_timeout for upstream connections
	t.MaxResponseHeaderBytes = MaxHeaderBytes
	t.ForceAttemptHTTP2 = false // Envoy's clusters speak HTTP/1.1 unless configured otherwise
	return t
}

// bufferPool recycles the reverse proxy's 32 KiB copy buffers.
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *(copyBuffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
