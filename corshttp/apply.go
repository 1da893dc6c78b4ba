package corshttp

import (
	"net/http"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// writer decorates the response of a forwarded (Continue) request when its
// header is committed.
type writer struct {
	http.ResponseWriter
	req       policy.Request
	d         policy.Decision
	committed bool
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
	setHeaders(h, d)
}

// respond carries out a local reply. The reply is ours alone, so any
// Access-Control-* header an outer handler put in the map is removed: a
// refused preflight carries none (Fetch: 403 without CORS headers).
//
// A refusal gets a one-line text body with its reason (policy.RefusalText:
// no request data in it), for people reading it with curl.
func respond(w http.ResponseWriter, d *policy.Decision) {
	h := w.Header()
	stripAccessControl(h)
	var body []byte
	if int(d.Reason) < len(refusalBodies) {
		body = refusalBodies[d.Reason]
	}
	if len(body) > 0 {
		setHeaders(h, d, [2]string{"Content-Type", "text/plain; charset=utf-8"}, [2]string{"X-Content-Type-Options", "nosniff"})
	} else {
		setHeaders(h, d)
	}
	w.WriteHeader(d.Status)
	if len(body) > 0 {
		w.Write(body)
	}
}

// refusalBodies are policy.RefusalText as bytes, indexed by reason, so
// that writing one does not allocate (Write must not modify them). Header
// values are never shared like this: see setHeaders.
var refusalBodies [32][]byte

func init() {
	for r := range refusalBodies {
		if t := policy.RefusalText(policy.Reason(r)); t != "" {
			refusalBodies[r] = []byte(t)
		}
	}
}

// setHeaders replaces each decision header and merges Decision.Vary.
//
// Every value goes into a slice this response owns: one backing array per
// response, each header a capacity-1 window of it. An outer middleware may
// edit w.Header() after our handler returns (net/http allows it); with
// slices shared across responses, or the request's own Origin slice
// reflected as Access-Control-Allow-Origin, one such edit would change
// every later response, or the request (jub0bs/cors#14, rs/cors#198).
// The strings themselves may be shared: Go strings are immutable.
// Cost: one allocation per decorated response.
//
// extra are further headers of a local reply, as canonical name and value,
// set the same way.
func setHeaders(h http.Header, d *policy.Decision, extra ...[2]string) {
	vary, setVary := varyValue(h["Vary"], d.Vary)
	n := d.NumHeaders + len(extra)
	if setVary {
		n++
	}
	if n == 0 {
		return
	}
	own := make([]string, n)
	for i, hd := range d.HeaderList() {
		own[i] = hd.Value
		h[canonical(hd.Name)] = own[i : i+1 : i+1]
	}
	for j, e := range extra {
		i := d.NumHeaders + j
		own[i] = e[1]
		h[e[0]] = own[i : i+1 : i+1]
	}
	if setVary {
		own[n-1] = vary
		h["Vary"] = own[n-1 : n : n]
	}
}

// varyValue is the Vary to set once add is merged into the response's
// lines, and whether it differs from what is there.
func varyValue(lines []string, add string) (string, bool) {
	switch {
	case add == "":
		return "", false
	case len(lines) == 0:
		return add, true
	case len(lines) == 1:
		return policy.MergeVary(lines[0], add)
	default:
		// Several Vary lines are one list (RFC 9110 §5.3): merge into
		// one line so no name is duplicated across lines.
		merged, _ := policy.MergeVary(strings.Join(lines, ", "), add)
		return merged, true
	}
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
