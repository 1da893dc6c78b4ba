// Package filter is corswasm's CORS filter as a proxy-wasm plugin: it
// wires the policy engine (package policy, which decides) to the proxy
// through internal/abi. The module's main package only registers it
// (abi.SetPlugin(filter.New())); natively, tests drive it through
// internal/abi/fakehost.
//
//   - configure: compile the plugin configuration, or reject it;
//   - request headers: read the request once and decide;
//   - response headers: apply the decision taken at request time.
package filter

import (
	"runtime"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// Filter is the module's state: per root context (plugin) its policy and
// counts, the decision of each stream in flight.
type Filter struct {
	abi.NopPlugin
	roots   map[uint32]*root   // root context id → plugin state
	streams map[uint32]*stream // stream context id → state
}

// root is one plugin's state: the current policy (nil until a
// configuration was accepted) and the counts its streams made that the
// host has not been told yet.
type root struct {
	policy *policy.Policy
	counts counts
}

// New returns a filter with no plugin configured yet.
func New() *Filter {
	return &Filter{roots: map[uint32]*root{}, streams: map[uint32]*stream{}}
}

// OnConfigure compiles the new configuration. Streams already in flight
// keep the policy (and decision) they started with; new streams get this
// one. An invalid configuration is rejected: Envoy then refuses the
// listener update (or, at startup, the plugin) and says why in its log.
func (f *Filter) OnConfigure(rootID uint32, size int) bool {
	readLogLevel()
	defineMetrics()
	p, err := loadPolicy(size)
	if err != nil {
		countNow(configRejected, 1)
		logConfigError(err)
		return false
	}
	for _, w := range p.Warnings() {
		abi.Log(abi.LogWarn, "corswasm: "+w.String())
	}
	r := f.roots[rootID]
	if r == nil {
		r = new(root)
		f.roots[rootID] = r
	}
	r.policy = p
	// Requests are counted in guest memory; the timer reports them.
	abi.SetTickPeriod(tickMillis)
	// Collect what compiling left behind (the config's tree and copies)
	// now, off the request path: otherwise the first requests after a
	// push pay for a collection, with its clock reads through WASI
	// (TestHostCallsPerRequest). Measured in wazero: about 0.5 ms per
	// configure with the example config (BenchmarkColdStart).
	runtime.GC()
	return true
}

// OnContextCreate gives a new stream the policy of its plugin as it is now.
func (f *Filter) OnContextCreate(id, rootID uint32) {
	if r := f.roots[rootID]; r != nil && r.policy != nil {
		f.streams[id] = newStream(r.policy, &r.counts)
	}
}

// OnTick re-reads the host's log level (one call, so a level changed at
// run time applies within a tick) and reports the plugin's counts: one
// call per counter that changed since the last tick, none when nothing
// happened.
func (f *Filter) OnTick(rootID uint32) {
	readLogLevel()
	if r := f.roots[rootID]; r != nil {
		r.counts.flush()
	}
}

// OnDone of a root context is plugin shutdown: report what is left, so no
// count is lost. Streams still in flight report theirs at once from then
// on.
func (f *Filter) OnDone(id uint32) bool {
	f.closeRoot(id)
	return true
}

// OnRequestHeaders decides, once per stream, and answers preflights and
// cross-origin-protection rejections with a local reply.
func (f *Filter) OnRequestHeaders(id uint32, _ int, _ bool) abi.Action {
	s := f.streams[id]
	if s == nil || s.decided {
		return abi.Continue
	}
	d := s.decide()
	if d.Action == policy.Respond && !d.Shadow {
		// A refusal carries its reason as a one-line body for curl users
		// (Envoy adds content-type: text/plain); an allowed preflight's
		// body stays empty.
		st := abi.SendLocalResponseWithBody(d.Status, localReplyDetails(d), policy.RefusalText(d.Reason), localReplyHeaders(d))
		if st == abi.StatusOK {
			s.localReply = true
			return abi.Pause
		}
		// The host refused the reply: pausing would hold the stream until
		// a timeout. Forward it instead, and let the response phase apply
		// the stored decision to whatever comes back, with every upstream
		// Access-Control-* header stripped (whatever upstreamCors says):
		// the response must carry exactly the CORS headers our reply would
		// have. For a preflight that is the same answer on another status:
		// an allowed one gets its CORS headers, a refused one none, so the
		// browser's CORS check fails as it would on our 403. A
		// cross-origin-protection rejection, though, reaches the upstream
		// (its response gets no CORS headers, so the page cannot read it):
		// logged at error level, as the write was not stopped.
		s.d.StripUpstream, s.d.PreserveUpstream = true, false
		logLocalReplyFailed(&d, st)
	}
	return abi.Continue
}

// OnResponseHeaders applies the stored decision to whatever response comes
// back: the upstream's, or a local reply from another filter (a 401 from
// auth). Our own local reply also passes through here in Envoy; it is
// already complete, so that pass changes nothing.
func (f *Filter) OnResponseHeaders(id uint32, _ int, _ bool) abi.Action {
	s := f.streams[id]
	if s == nil || !s.decided || s.localReply || s.d.Shadow {
		return abi.Continue
	}
	apply(&s.d)
	return abi.Continue
}

// OnLog and OnDelete end the stream, whichever comes first (Envoy calls
// both; some hosts only one).
func (f *Filter) OnLog(id uint32)    { f.end(id) }
func (f *Filter) OnDelete(id uint32) { f.end(id) }

func (f *Filter) end(id uint32) {
	if s := f.streams[id]; s != nil {
		delete(f.streams, id)
		s.release()
		return
	}
	// A root context going away (a host may skip proxy_on_done).
	f.closeRoot(id)
	delete(f.roots, id)
}

func (f *Filter) closeRoot(id uint32) {
	if r := f.roots[id]; r != nil {
		r.counts.flush()
		r.counts.closed = true
	}
}
