package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// emulatorMu serialises every call into the SDK's host emulator. The
// emulator is process-global (proxytest registers one mock host for the
// whole process) and not safe for concurrent use, so two HTTP requests must
// never be inside the module at the same time. It is never held while a
// request is being proxied to the upstream.
var emulatorMu sync.Mutex

// openFilter is the Filter holding the emulator, if any (guarded by
// emulatorMu). proxytest blocks forever when a second emulator is made
// while one is registered, so NewFilter refuses instead.
var openFilter *Filter

// Module is the compiled proxy-wasm module, instantiated once in wazero.
// Compiling a Go module takes seconds; configuring it again takes
// milliseconds, so tests that need several configs keep one Module and
// make a Filter per config, as Envoy reuses a VM across configurations.
type Module struct {
	vm proxytest.WasmVMContext
}

// CompileModule compiles and instantiates a WASI reactor module (it gets
// what the SDK's runner needs: wasmhost.ForProxytest).
func CompileModule(wasm []byte) (*Module, error) {
	aliased, err := wasmhost.ForProxytest(wasm)
	if err != nil {
		return nil, err
	}
	vm, err := proxytest.NewWasmVMContext(aliased)
	if err != nil {
		return nil, fmt.Errorf("instantiate module in wazero: %w", err)
	}
	return &Module{vm: vm}, nil
}

// Close releases the wazero runtime.
func (m *Module) Close() error { return m.vm.Close() }

// Filter is the module configured once, running through proxytest's host
// emulator. Only one Filter can exist per process at a time (the emulator
// is global): Close one before making the next.
type Filter struct {
	opt   *proxytest.EmulatorOption
	host  proxytest.HostEmulator
	reset func()
	// streams counts streams since the emulator was (re)started; inFlight
	// those not yet done. See maybeRecycleLocked.
	streams, inFlight int
	recycleAfter      int
	// owned is the module LoadFilter compiled for this filter alone;
	// Close closes it too.
	owned *Module

	// trapped is set after the module trapped. The wasm instance's state is
	// undefined from then on, so, like Envoy with fail_open: false, every
	// later request is refused instead of re-entering it.
	trapped error
}

// LocalReply is a response the module sent itself with
// proxy_send_local_response (an answered preflight, a 403).
type LocalReply struct {
	Status  int
	Headers [][2]string
	Body    []byte
}

// Properties are host properties the module may read, keyed by path
// segments joined with "." (e.g. "route_name").
type Properties map[string]string

// LoadFilter compiles module and configures it (see NewFilter). Closing
// the filter closes the module.
func LoadFilter(module, config []byte, props Properties) (*Filter, error) {
	m, err := CompileModule(module)
	if err != nil {
		return nil, err
	}
	f, err := m.NewFilter(config, props)
	if err != nil {
		m.Close()
		return nil, err
	}
	f.owned = m
	return f, nil
}

// NewFilter starts a plugin (root) context on the module and hands it
// config as the plugin configuration. A config the module rejects
// (proxy_on_configure returned false) is an error carrying the module's
// error-level log lines, which is where it explains why.
func (m *Module) NewFilter(config []byte, props Properties) (*Filter, error) {
	opt := proxytest.NewEmulatorOption().WithVMContext(m.vm).WithPluginConfiguration(config)
	for k, v := range props {
		opt = opt.WithProperty(strings.Split(k, "."), []byte(v))
	}

	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	if openFilter != nil {
		return nil, errors.New("another Filter is open in this process: Close it first (the SDK's host emulator is process-global)")
	}
	f := &Filter{opt: opt, recycleAfter: defaultRecycleAfter}
	if err := f.startLocked(); err != nil {
		f.closeLocked()
		var cr *configRejected
		if errors.As(err, &cr) {
			return nil, cr
		}
		return nil, err
	}
	openFilter = f
	return f, nil
}

// startLocked creates the host emulator (which creates the root context)
// and runs proxy_on_vm_start and proxy_on_configure.
func (f *Filter) startLocked() error {
	return f.guard(func() {
		f.host, f.reset = proxytest.NewHostEmulator(f.opt)
		if f.host.StartVM() != types.OnVMStartStatusOK {
			panic(errors.New("proxy_on_vm_start returned false"))
		}
		if f.host.StartPlugin() != types.OnPluginStartStatusOK {
			panic(&configRejected{logs: f.host.GetErrorLogs()})
		}
	})
}

// defaultRecycleAfter bounds the emulator's memory. proxytest keeps every
// stream's headers for the emulator's lifetime (about 2.5 KB per request),
// so a long-running gateway restarts the emulator, with the same module
// instance and configuration, once this many streams are done and none
// is in flight. Envoy frees a stream's state when it ends; this is only
// the stand-in catching up. The module's counters restart from zero then.
const defaultRecycleAfter = 10000

func (f *Filter) maybeRecycleLocked() error {
	if f.streams < f.recycleAfter || f.inFlight > 0 {
		return nil
	}
	f.reset()
	f.reset, f.host = nil, nil
	f.streams = 0
	return f.startLocked()
}

// configRejected reports proxy_on_configure returning false.
type configRejected struct{ logs []string }

func (e *configRejected) Error() string {
	if len(e.logs) == 0 {
		return "the module rejected the plugin configuration (it logged no error)"
	}
	return "the module rejected the plugin configuration:\n  " + strings.Join(e.logs, "\n  ")
}

// Close releases the process-global emulator, and the module if
// LoadFilter compiled it.
func (f *Filter) Close() error {
	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	return f.closeLocked()
}

func (f *Filter) closeLocked() error {
	if openFilter == f {
		openFilter = nil
	}
	if f.reset != nil {
		f.reset()
		f.reset = nil
	}
	if f.owned == nil {
		return nil
	}
	err := f.owned.Close()
	f.owned = nil
	return err
}

// guard runs fn, turning a wasm trap (proxytest panics on one) into an
// error and marking the filter as trapped. Callers hold emulatorMu.
func (f *Filter) guard(fn func()) (err error) {
	if f.trapped != nil {
		return f.trapped
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*configRejected); ok {
				err = e
				return
			}
			f.trapped = fmt.Errorf("the wasm module trapped: %v", r)
			err = f.trapped
		}
	}()
	fn()
	return nil
}

// RequestResult is what the module decided in the request-headers phase.
type RequestResult struct {
	Stream uint32
	// Local is non-nil when the module answered the request itself.
	Local *LocalReply
	// Headers are the request headers after the module ran (pseudo-headers
	// included): what an Envoy router would forward.
	Headers [][2]string
	// Paused is true when the module stopped the stream without a local
	// reply, which this stand-in cannot resume.
	Paused bool
}

// OnRequestHeaders creates an HTTP context and runs the module's request
// headers callback with end_of_stream false (a body may follow, as Envoy
// would say for a POST; the filter must not depend on it).
func (f *Filter) OnRequestHeaders(headers [][2]string) (RequestResult, error) {
	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	var res RequestResult
	if err := f.maybeRecycleLocked(); err != nil {
		return res, err
	}
	err := f.guard(func() {
		res.Stream = f.host.InitializeHttpContext()
		f.streams++
		f.inFlight++
		action := f.host.CallOnRequestHeaders(res.Stream, headers, false)
		if lr := f.host.GetSentLocalResponse(res.Stream); lr != nil {
			res.Local = &LocalReply{Status: int(lr.StatusCode), Headers: cloneList(lr.Headers), Body: bytes.Clone(lr.Data)}
			return
		}
		res.Paused = action != types.ActionContinue
		res.Headers = cloneList(f.host.GetCurrentRequestHeaders(res.Stream))
	})
	return res, err
}

// OnResponseHeaders runs the module's response headers callback on
// headers (":status" first, as Envoy passes them) and returns the headers
// the module left. Envoy also runs it for a filter's own local reply, and
// for replies other filters or the router produced (401, 503), so callers
// do too.
func (f *Filter) OnResponseHeaders(stream uint32, headers [][2]string, endOfStream bool) ([][2]string, error) {
	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	var out [][2]string
	err := f.guard(func() {
		f.host.CallOnResponseHeaders(stream, headers, endOfStream)
		out = cloneList(f.host.GetCurrentResponseHeaders(stream))
	})
	return out, err
}

// Done ends the stream: proxy_on_log, then proxy_on_done/delete, as Envoy
// does when a stream completes.
func (f *Filter) Done(stream uint32) error {
	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	f.inFlight--
	return f.guard(func() { f.host.CompleteHttpContext(stream) })
}

// cloneList copies header names and values out of the emulator. proxytest
// keeps what the module passed it (proxy_send_local_response headers and
// body, replaced or added header values) as strings that point into the
// module's linear memory, without copying; the module reuses that memory
// on its next call, so anything kept past the current call must be copied
// while emulatorMu is held. (Envoy copies on its side of the ABI.)
func cloneList(list [][2]string) [][2]string {
	out := make([][2]string, len(list))
	for i, kv := range list {
		out[i] = [2]string{strings.Clone(kv[0]), strings.Clone(kv[1])}
	}
	return out
}

// Logs returns the module's log lines so far at every level, trace to
// critical, oldest first within a level (copies).
func (f *Filter) Logs() []string {
	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	var out []string
	for _, level := range [][]string{f.host.GetTraceLogs(), f.host.GetDebugLogs(), f.host.GetInfoLogs(),
		f.host.GetWarnLogs(), f.host.GetErrorLogs(), f.host.GetCriticalLogs()} {
		for _, l := range level {
			out = append(out, strings.Clone(l))
		}
	}
	return out
}

// Counter reads one of the module's metrics from the emulated host. The
// module counts requests in its own memory and reports them on its timer
// (proxy_on_tick, every second in Envoy); the emulator has no clock, so
// the timer is fired here first, as if a tick had passed.
func (f *Filter) Counter(name string) (uint64, error) {
	emulatorMu.Lock()
	defer emulatorMu.Unlock()
	if err := f.guard(f.host.Tick); err != nil {
		return 0, err
	}
	return f.host.GetCounterMetric(name)
}
