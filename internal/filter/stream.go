package filter

import (
	"unsafe"

	"github.com/corswasm/corswasm/policy"
)

// maxOriginCopy covers every Origin the engine can allow (a serialized
// origin is at most 326 bytes, CORS-NOTES "Origins"). A longer one is
// malformed and never reflected; only its first maxOriginCopy bytes are
// kept, which are still over the engine's bound, so the decision is the
// same (every use of the Origin in the engine starts with that length
// check, TestKeepOriginBoundsTheCopy) and the log line, cut at 128 bytes,
// too.
const maxOriginCopy = 336

// stream is one HTTP stream's state: the policy it started with and the
// decision taken from its request headers.
type stream struct {
	p          *policy.Policy
	counts     *counts // the plugin's, where the decision is counted
	d          policy.Decision
	decided    bool
	localReply bool // we answered with proxy_send_local_response
	// origin owns the bytes of the request's Origin: the decision's
	// Access-Control-Allow-Origin may alias it (policy.Request), and the
	// host's copy of the request headers is only valid during the request
	// callback.
	origin [maxOriginCopy]byte
}

// free recycles stream states: steady traffic allocates none.
var free []*stream

func newStream(p *policy.Policy, c *counts) *stream {
	var s *stream
	if n := len(free); n > 0 {
		s, free = free[n-1], free[:n-1]
	} else {
		s = new(stream)
	}
	s.p, s.counts, s.decided, s.localReply = p, c, false, false
	s.d = policy.Decision{}
	return s
}

// release returns s to the pool. The pool is bounded by the peak number of
// concurrent streams.
func (s *stream) release() {
	s.p, s.counts, s.d = nil, nil, policy.Decision{}
	free = append(free, s)
}

// keepOrigin copies o, or its first maxOriginCopy bytes, into memory the
// stream owns: an Origin up to Envoy's header size limit (60 KiB by
// default) costs no more than a valid one.
func (s *stream) keepOrigin(o string) string {
	if o == "" {
		return ""
	}
	n := copy(s.origin[:], o)
	return unsafe.String(&s.origin[0], n)
}

// decide reads the request and takes the stream's one decision.
func (s *stream) decide() policy.Decision {
	r := readRequest(s.p)
	r.Origin = s.keepOrigin(r.Origin)
	s.d = s.p.Evaluate(&r)
	s.decided = true
	s.counts.add(metricFor(&s.d))
	logDenial(&s.d, &r)
	// Detail may alias request memory that is reused after this callback.
	s.d.Detail = ""
	return s.d
}
