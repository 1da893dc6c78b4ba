// Command corswasm is the CORS filter for Envoy: a proxy-wasm module built
// from standard Go (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared, see the
// Makefile). The policy engine (package policy) decides; this file wires
// it to the proxy through internal/abi:
//
//   - configure: compile the plugin configuration, or reject it;
//   - request headers: read the request once and decide;
//   - response headers: apply the decision taken at request time.
package main

import (
	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// filter is the module's state: one policy per root context (plugin), the
// decision of each stream in flight.
type filter struct {
	abi.NopPlugin
	policies map[uint32]*policy.Policy // root context id → current policy
	streams  map[uint32]*stream        // stream context id → state
}

var cors = &filter{policies: map[uint32]*policy.Policy{}, streams: map[uint32]*stream{}}

func init() { abi.SetPlugin(cors) }

// main is not called: the module is a reactor, the host calls _initialize.
func main() {}

// OnConfigure compiles the new configuration. Streams already in flight
// keep the policy (and decision) they started with; new streams get this
// one. An invalid configuration is rejected: Envoy then refuses the
// listener update (or, at startup, the plugin) and says why in its log.
func (f *filter) OnConfigure(rootID uint32, size int) bool {
	defineMetrics()
	p, err := loadPolicy(size)
	if err != nil {
		count(configRejected)
		logConfigError(err)
		return false
	}
	for _, w := range p.Warnings() {
		abi.Log(abi.LogWarn, "corswasm: "+w.String())
	}
	f.policies[rootID] = p
	return true
}

// OnContextCreate gives a new stream the policy of its plugin as it is now.
func (f *filter) OnContextCreate(id, rootID uint32) {
	if p := f.policies[rootID]; p != nil {
		f.streams[id] = newStream(p)
	}
}

// OnRequestHeaders decides, once per stream, and answers preflights and
// cross-origin-protection rejections with a local reply.
func (f *filter) OnRequestHeaders(id uint32, _ int, _ bool) abi.Action {
	s := f.streams[id]
	if s == nil || s.decided {
		return abi.Continue
	}
	d := s.decide()
	if d.Action == policy.Respond && !d.Shadow {
		s.localReply = true
		abi.SendLocalResponse(d.Status, localReplyDetails(d), localReplyHeaders(d))
		return abi.Pause
	}
	return abi.Continue
}

// OnResponseHeaders applies the stored decision to whatever response comes
// back: the upstream's, or a local reply from another filter (a 401 from
// auth). Our own local reply also passes through here in Envoy; it is
// already complete, so that pass changes nothing.
func (f *filter) OnResponseHeaders(id uint32, _ int, _ bool) abi.Action {
	s := f.streams[id]
	if s == nil || !s.decided || s.localReply || s.d.Shadow {
		return abi.Continue
	}
	apply(&s.d)
	return abi.Continue
}

// OnLog and OnDelete end the stream, whichever comes first (Envoy calls
// both; some hosts only one).
func (f *filter) OnLog(id uint32)    { f.end(id) }
func (f *filter) OnDelete(id uint32) { f.end(id) }

func (f *filter) end(id uint32) {
	if s := f.streams[id]; s != nil {
		delete(f.streams, id)
		s.release()
	}
	delete(f.policies, id) // a root context going away
}
