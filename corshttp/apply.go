package corshttp

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/corswasm/corswasm/policy"
)

// writer decorates the response of a forwarded (Continue) request when its
// header is committed.
type writer struct {
	http.ResponseWriter
	m   *Middleware
	req policy.Request
	// The request's header slices, for reflected values.
	origin, acrm, acrh []string
	d                  policy.Decision
	committed          bool
}

func (w *writer) release() {
	*w = writer{}
	writerPool.Put(w)
}

// WriteHeader applies the decision before the first final status. 1xx
// informational responses (103 Early Hints) are passed through untouched.
func (w *writer) WriteHeader(code int) {
	if code >= 200 {
		w.commit()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(b []byte) (int, error) {
	w.commit() // an implicit 200
	return w.ResponseWriter.Write(b)
}

// Flush commits the header (an implicit 200) and flushes when the
// underlying writer can.
func (w *writer) Flush() {
	w.commit()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.NewResponseController reach the underlying writer
// (hijacking, deadlines, full-duplex).
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *writer) commit() {
	if w.committed || w.ResponseWriter == nil {
		return
	}
	w.committed = true
	h := w.ResponseWriter.Header()
	d := &w.d
	if d.PreserveUpstream && hasAllowOrigin(h) {
		// upstreamCors "preserve": the upstream answered CORS itself.
		return
	}
	if d.StripUpstream {
		stripAccessControl(h)
	}
	w.m.setHeaders(h, w, d)
}

// respond carries out a local reply. The reply is ours alone, so any
// Access-Control-* header an outer handler put in the map is removed: a
// refused preflight carries none (Fetch: 403 without CORS headers).
//
// A refusal gets a one-line text body with its reason (policy.RefusalText:
// no request data in it), for people reading it with curl.
func (m *Middleware) respond(w http.ResponseWriter, cw *writer, d *policy.Decision) {
	h := w.Header()
	stripAccessControl(h)
	m.setHeaders(h, cw, d)
	var body []byte
	if int(d.Reason) < len(refusalBodies) {
		body = refusalBodies[d.Reason]
	}
	if len(body) > 0 {
		h["Content-Type"] = textPlain
		h["X-Content-Type-Options"] = nosniff
	}
	w.WriteHeader(d.Status)
	if len(body) > 0 {
		w.Write(body)
	}
}

// refusalBodies are policy.RefusalText as bytes, indexed by reason, so
// that writing one does not allocate. Shared header values, likewise:
// read-only, never appended to.
var (
	refusalBodies [32][]byte
	textPlain     = []string{"text/plain; charset=utf-8"}
	nosniff       = []string{"nosniff"}
)

func init() {
	for r := range refusalBodies {
		if t := policy.RefusalText(policy.Reason(r)); t != "" {
			refusalBodies[r] = []byte(t)
		}
	}
}

// setHeaders replaces each decision header and merges Decision.Vary.
func (m *Middleware) setHeaders(h http.Header, cw *writer, d *policy.Decision) {
	for _, hd := range d.HeaderList() {
		h[canonical(hd.Name)] = m.values(cw, hd.Value)
	}
	if d.Vary == "" {
		return
	}
	switch vary := h["Vary"]; len(vary) {
	case 0:
		h["Vary"] = m.vals.get(d.Vary)
	case 1:
		if merged, changed := policy.MergeVary(vary[0], d.Vary); changed {
			h["Vary"] = []string{merged}
		}
	default:
		// Several Vary lines are one list (RFC 9110 §5.3): merge into
		// one line so no name is duplicated across lines.
		all := strings.Join(vary, ", ")
		merged, _ := policy.MergeVary(all, d.Vary)
		h["Vary"] = []string{merged}
	}
}

// values returns a one-element slice holding v without allocating: the
// request's own slice when v is a reflected request value (the origin, a
// method), else a shared slice from the per-middleware cache (values built
// from the immutable policy repeat on every request). Slices are capped at
// length 1 so an append by a later handler copies instead of writing into
// shared memory.
func (m *Middleware) values(cw *writer, v string) []string {
	for _, s := range [...][]string{cw.origin, cw.acrm, cw.acrh} {
		if len(s) == 1 && s[0] == v {
			return s[:1:1]
		}
	}
	return m.vals.get(v)
}

// maxCachedValues bounds the cache, so values that vary per request can
// only ever cost an allocation, never memory growth.
const maxCachedValues = 256

// valueCache is copy-on-write: a lookup is one atomic load and one map
// read; the rare insert copies the (bounded) map under a lock.
type valueCache struct {
	mu sync.Mutex
	m  atomic.Pointer[map[string][]string]
}

func (c *valueCache) get(v string) []string {
	if mp := c.m.Load(); mp != nil {
		if s, ok := (*mp)[v]; ok {
			return s
		}
	}
	v = strings.Clone(v) // never pin request memory in the cache
	s := []string{v}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil && len(*old) >= maxCachedValues {
		return s
	}
	next := make(map[string][]string, 1+lenOf(old))
	if old != nil {
		for k, val := range *old {
			next[k] = val
		}
		if val, ok := (*old)[v]; ok { // another request added it meanwhile
			return val
		}
	}
	next[v] = s
	c.m.Store(&next)
	return s
}

func lenOf(m *map[string][]string) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// canonical maps the engine's lowercase header names to net/http's
// canonical keys without allocating for the names it emits.
func canonical(name string) string {
	switch name {
	case "access-control-allow-origin":
		return "Access-Control-Allow-Origin"
	case "access-control-allow-credentials":
		return "Access-Control-Allow-Credentials"
	case "access-control-allow-methods":
		return "Access-Control-Allow-Methods"
	case "access-control-allow-headers":
		return "Access-Control-Allow-Headers"
	case "access-control-max-age":
		return "Access-Control-Max-Age"
	case "access-control-allow-private-network":
		return "Access-Control-Allow-Private-Network"
	case "access-control-expose-headers":
		return "Access-Control-Expose-Headers"
	}
	return http.CanonicalHeaderKey(name)
}

const acPrefix = "access-control-"

// isAccessControl matches header-map keys case-insensitively: a handler
// may have written a non-canonical key straight into the map, and net/http
// sends such keys as they are.
func isAccessControl(k string) bool {
	return len(k) >= len(acPrefix) && strings.EqualFold(k[:len(acPrefix)], acPrefix)
}

func stripAccessControl(h http.Header) {
	if len(h) == 0 {
		return
	}
	for k := range h {
		if isAccessControl(k) {
			delete(h, k)
		}
	}
}

func hasAllowOrigin(h http.Header) bool {
	if _, ok := h["Access-Control-Allow-Origin"]; ok {
		return true
	}
	for k := range h {
		if strings.EqualFold(k, "Access-Control-Allow-Origin") {
			return true
		}
	}
	return false
}
