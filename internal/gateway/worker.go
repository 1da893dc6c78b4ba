package gateway

import (
	"errors"
	"fmt"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// errVMFailed is returned for a stream on a VM that trapped earlier.
var errVMFailed = errors.New("the wasm VM of this worker failed earlier")

// The stream phases below each hold the worker's lock only while the VM
// runs: never across the upstream round trip, so a worker's VM serves the
// other streams of its connections meanwhile, as an Envoy worker does.

// requestHeaders creates an HTTP context and runs the module's request
// headers callback with end_of_stream false (a body may follow, as Envoy
// would say for a POST; the filter must not depend on it).
func (w *worker) requestHeaders(headers []wasmhost.Header) (*wasmhost.Stream, uint32, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.inst.Failed(); err != nil {
		return nil, 0, fmt.Errorf("%w: %v", errVMFailed, err)
	}
	s, err := w.inst.NewStream()
	if err != nil {
		return nil, 0, w.trapped(err)
	}
	action, err := s.RequestHeaders(headers, false)
	if err != nil {
		return nil, 0, w.trapped(err)
	}
	return s, action, nil
}

// responseHeaders runs the module's response headers callback and returns
// the headers it left. Envoy also runs it for a filter's own local reply
// and for replies the router produced (503), so callers do too.
func (w *worker) responseHeaders(s *wasmhost.Stream, headers []wasmhost.Header, endOfStream bool) ([]wasmhost.Header, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.inst.Failed(); err != nil {
		return nil, fmt.Errorf("%w: %v", errVMFailed, err)
	}
	if _, err := s.ResponseHeaders(headers, endOfStream); err != nil {
		return nil, w.trapped(err)
	}
	return s.Response, nil
}

// end runs proxy_on_done, proxy_on_log and proxy_on_delete, unless the VM
// failed meanwhile (Envoy calls nothing in a failed VM).
func (w *worker) end(s *wasmhost.Stream) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inst.Failed() != nil {
		return nil
	}
	if err := s.End(); err != nil {
		return w.trapped(err)
	}
	return nil
}

func (w *worker) trapped(err error) error {
	return fmt.Errorf("worker %d: the wasm module trapped: %w", w.id, err)
}
