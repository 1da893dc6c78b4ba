package corshttp

import (
	"net/http"
	"strings"
	"sync"

	"github.com/corswasm/corswasm/policy"
)

// writer decorates the response of a forwarded (Continue) request when its
// header is committed. It holds only what commit needs: the header keys,
// their values already in slices this response owns (see owned), and the
// flags. Copying the whole Decision into a pooled (heap) writer cost more
// than the decision itself: every pointer in it is a write barrier while
// the GC runs.
type writer struct {
	http.ResponseWriter
	keys      [maxOwned]key
	vals      []string // owned window: vals[i] goes to keys[i]
	n         int      // headers in keys/vals; Vary, when set, is last
	vary      bool     // vals[n-1] is the decision's Vary, to merge
	strip     bool
	preserve  bool
	committed bool
	// spare is the rest of this writer's owned chunk (see owned).
	spare []string
}

var writerPool = sync.Pool{New: func() any { return new(writer) }}

// getWriter takes a pooled writer and loads d's headers into it, in
// slices this response owns.
func getWriter(w http.ResponseWriter, d *policy.Decision) *writer {
	cw := writerPool.Get().(*writer)
	cw.ResponseWriter = w
	cw.strip, cw.preserve = d.StripUpstream, d.PreserveUpstream
	n := d.NumHeaders
	if d.Vary != "" {
		n++
	}
	cw.vals = cw.owned(n)
	for i, hd := range d.HeaderList() {
		cw.keys[i] = keyOf(hd.Name)
		cw.vals[i] = hd.Value
	}
	if d.Vary != "" {
		cw.keys[n-1] = keyVary
		cw.vals[n-1] = d.Vary
		cw.vary = true
	}
	cw.n = n
	return cw
}

// release returns the writer to the pool, after next.ServeHTTP has
// returned (the http.ResponseWriter contract forbids using it later). The
// window it handed out stays with the response; spare is kept.
func (w *writer) release() {
	// Field by field: clearing the whole struct costs a write barrier per
	// word while the GC runs. keys need no clearing (n bounds them).
	w.ResponseWriter, w.vals = nil, nil
	w.n, w.vary, w.strip, w.preserve, w.committed = 0, false, false, false, false
	writerPool.Put(w)
}

// ownedChunk is how many header slots one allocation provides: about 30
// responses' worth (a local reply uses up to 8, a decorated response 4).
const ownedChunk = 128

// owned returns n fresh slots that no other response has been or will be
// given: a window of this writer's chunk, carved off and never handed out
// again. An outer middleware may edit w.Header() after our handler
// returns (net/http allows it); with slices shared across responses, or
// the request's own Origin slice reflected as Access-Control-Allow-Origin,
// one such edit would change every later response, or the request
// (jub0bs/cors#14, rs/cors#198). Each header gets a capacity-1 window of
// these slots, so an append copies instead of reaching a neighbour. The
// strings themselves may be shared: Go strings are immutable.
//
// Cost: one 2 KiB allocation per ownedChunk slots, shared by the ~30
// responses carved from it instead of one per response; the GC frees a
// chunk once none of those responses' header maps is still reachable.
// (Allocating per response was 1 alloc/op and about a fifth of the
// adapter's time, counting the GC work it caused.)
func (w *writer) owned(n int) []string {
	if n > len(w.spare) {
		w.spare = make([]string, max(n, ownedChunk))
	}
	s := w.spare[:n:n]
	w.spare = w.spare[n:]
	return s
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
	if w.preserve && hasAllowOrigin(h) {
		// upstreamCors "preserve": the upstream answered CORS itself.
		return
	}
	if w.strip {
		stripAccessControl(h)
	}
	n := w.n
	if w.vary {
		n--
		if v, set := varyValue(h["Vary"], w.vals[n]); set {
			w.vals[n] = v
			h["Vary"] = w.vals[n : n+1 : n+1]
		}
	}
	for i := range n {
		h[keyNames[w.keys[i]]] = w.vals[i : i+1 : i+1]
	}
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
	vary, setVary := varyValue(h["Vary"], d.Vary)
	n := d.NumHeaders
	if setVary {
		n++
	}
	if len(body) > 0 {
		n += 2
	}
	if n > 0 {
		cw := writerPool.Get().(*writer)
		own := cw.owned(n)
		cw.release()
		for i, hd := range d.HeaderList() {
			own[i] = hd.Value
			h[keyNames[keyOf(hd.Name)]] = own[i : i+1 : i+1]
		}
		i := d.NumHeaders
		if len(body) > 0 {
			own[i], own[i+1] = "text/plain; charset=utf-8", "nosniff"
			h["Content-Type"] = own[i : i+1 : i+1]
			h["X-Content-Type-Options"] = own[i+1 : i+2 : i+2]
		}
		if setVary {
			own[n-1] = vary
			h["Vary"] = own[n-1 : n : n]
		}
	}
	w.WriteHeader(d.Status)
	if len(body) > 0 {
		w.Write(body)
	}
}

// refusalBodies are policy.RefusalText as bytes, indexed by reason, so
// that writing one does not allocate (Write must not modify them). Header
// values are never shared like this: see owned.
var refusalBodies [32][]byte

func init() {
	for r := range refusalBodies {
		if t := policy.RefusalText(policy.Reason(r)); t != "" {
			refusalBodies[r] = []byte(t)
		}
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

// key indexes keyNames: the writer stores header names as small integers,
// not strings, so filling a pooled writer writes no pointers for them.
type key uint8

const (
	keyAllowOrigin key = iota
	keyAllowCredentials
	keyAllowMethods
	keyAllowHeaders
	keyMaxAge
	keyAllowPrivateNetwork
	keyExposeHeaders
	keyVary
	numKeys
)

// maxOwned: every decision header plus Vary.
const maxOwned = policy.MaxHeaders + 1

// keyNames are net/http's canonical keys, assigned into the header map
// directly: Header.Set would canonicalize them again on every response.
var keyNames = [numKeys]string{
	keyAllowOrigin:         "Access-Control-Allow-Origin",
	keyAllowCredentials:    "Access-Control-Allow-Credentials",
	keyAllowMethods:        "Access-Control-Allow-Methods",
	keyAllowHeaders:        "Access-Control-Allow-Headers",
	keyMaxAge:              "Access-Control-Max-Age",
	keyAllowPrivateNetwork: "Access-Control-Allow-Private-Network",
	keyExposeHeaders:       "Access-Control-Expose-Headers",
	keyVary:                "Vary",
}

// keyOf maps the engine's lowercase header names (policy.Header.Name) to
// their key: a switch on length, then one comparison (cheap: the names are
// the engine's own constants, so the bytes are usually the same memory).
// The engine emits only these seven; a name it starts emitting without a
// key here panics in every test that reaches it, rather than going out
// under the wrong name.
func keyOf(name string) key {
	k := keyVary
	switch len(name) {
	case len("access-control-allow-origin"):
		k = keyAllowOrigin
	case len("access-control-allow-credentials"):
		k = keyAllowCredentials
	case len("access-control-allow-methods"): // and allow-headers
		k = keyAllowMethods
		if name[len("access-control-allow-")] == 'h' {
			k = keyAllowHeaders
		}
	case len("access-control-max-age"):
		k = keyMaxAge
	case len("access-control-allow-private-network"):
		k = keyAllowPrivateNetwork
	case len("access-control-expose-headers"):
		k = keyExposeHeaders
	}
	if k == keyVary || name != lowerNames[k] {
		panic("corshttp: no key for the policy engine's header " + name)
	}
	return k
}

var lowerNames = func() (l [numKeys]string) {
	for k, n := range keyNames {
		l[k] = strings.ToLower(n)
	}
	return l
}()

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
