package wasmhost

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// Module is a compiled proxy-wasm module in its own wazero runtime, with a
// small proxy-wasm host of our own (not the SDK's emulator) that counts
// every ABI crossing. Compile once, instantiate as often as needed.
//
// Why our own host next to proxytest: proxytest owns its runtime and its
// host functions, so it can neither count crossings nor change the plugin
// configuration of a running VM (needed to test a reconfigure while a
// stream is in flight). Its header-map semantics also differ from Envoy's
// (remove and replace touch only the first line); this host follows
// Envoy's.
//
// A Module is safe for concurrent use: several goroutines may instantiate
// it and run its instances at once (Envoy's one VM per worker thread). Each
// Instance is single-threaded, like a VM on its worker: one goroutine at a
// time. Host functions find their Instance in the context of the call
// (instanceKey), never in state shared between instances, so instances
// need no lock between them.
type Module struct {
	rt        wazero.Runtime
	compiled  wazero.CompiledModule
	seq       atomic.Uint32
	wasiCalls *wasiCounter
	profile   Profile
	// The profile's allowlists as sets, built once: the allocator's is
	// consulted on every proxy_on_memory_allocate the host makes.
	duringInit, duringAlloc map[string]bool
	// importNames are the env functions, in the order of Instance.importCounts.
	importNames []string
}

// instanceKey carries the *Instance in the context of every call into its
// wasm module, where the host functions it calls find it.
type instanceKey struct{}

// instanceOf is the Instance whose module made a host call.
func instanceOf(ctx context.Context) *Instance { return ctx.Value(instanceKey{}).(*Instance) }

// CompileOption changes how CompileFor builds the runtime.
type CompileOption func(*wazero.RuntimeConfig)

// WithCompilationCache keeps wazero's compiled machine code in cache (e.g.
// wazero.NewCompilationCacheWithDir), so that compiling the same module
// again, in this process or a later one, takes milliseconds instead of
// seconds.
func WithCompilationCache(cache wazero.CompilationCache) CompileOption {
	return func(c *wazero.RuntimeConfig) { *c = (*c).WithCompilationCache(cache) }
}

// Compile compiles a proxy-wasm reactor module (exporting _initialize)
// for a host that behaves like the Envoy releases of the strictest
// profile, Pre533.
func Compile(ctx context.Context, wasm []byte) (*Module, error) {
	return CompileFor(ctx, wasm, Pre533)
}

// CompileFor compiles a module for a host with the given Envoy profile:
// its WASI functions answer as that Envoy's do, a module importing one it
// does not link fails to load, and a restricted call traps.
//
// Why not wazero's own WASI: it implements all of WASI, so poll_oneoff
// works there and a module that Envoy kills runs fine (the bug this
// profile was made to catch: golang/go#78513 under a preflight flood).
func CompileFor(ctx context.Context, wasm []byte, profile Profile, opts ...CompileOption) (*Module, error) {
	m := &Module{wasiCalls: &wasiCounter{}, profile: profile,
		duringInit: set(profile.DuringInitialize), duringAlloc: set(profile.DuringAllocate)}
	cfg := wazero.NewRuntimeConfig()
	for _, o := range opts {
		o(&cfg)
	}
	m.rt = wazero.NewRuntimeWithConfig(ctx, cfg)
	if err := m.exportWASI(ctx); err != nil {
		m.rt.Close(ctx)
		return nil, err
	}
	if err := m.exportHostABI(ctx); err != nil {
		m.rt.Close(ctx)
		return nil, err
	}
	c, err := m.rt.CompileModule(ctx, wasm)
	if err != nil {
		m.rt.Close(ctx)
		return nil, err
	}
	m.compiled = c
	return m, nil
}

// Close releases the runtime and every instance.
func (m *Module) Close(ctx context.Context) error { return m.rt.Close(ctx) }

// Instance is one VM: an instantiated module plus the host state Envoy
// would keep for it (plugin configuration, properties, metrics, logs,
// streams).
type Instance struct {
	m      *Module
	mod    api.Module
	ctx    context.Context
	config []byte
	active *Stream // stream whose headers hostcalls act on; nil at plugin level

	// Properties answers proxy_get_property, keyed by the path with
	// segments joined by NUL (e.g. "route_name").
	Properties   map[string]string
	Logs         []LogEntry
	logSink      func(LogEntry) // when set, receives log lines instead of Logs
	metricIDs    map[string]uint32
	metricVals   []uint64
	metricName   []string
	metricType   []uint32
	calls        Calls // Allocs only; imports are counted in importCounts
	importCounts []int
	// stack and allocStack carry parameters and results of calls into the
	// guest (see call and Allocate). Callbacks take at most 3 parameters.
	stack      [3]uint64
	allocStack [1]uint64
	nextID     uint32
	tickPeriod uint32 // ms, as set by proxy_set_tick_period_milliseconds
	logLevel   uint32 // what proxy_get_log_level answers

	// restricted, when not nil, are the only host functions the guest may
	// call now ("module.name"), while phase (_initialize or
	// proxy_on_memory_allocate) runs; failed is the trap that failed the
	// VM, after which nothing is called again (Envoy's failed VM).
	restricted map[string]bool
	phase      string
	failed     error

	// FailLocalReply, when not 0, is the status proxy_send_local_response
	// returns instead of sending the reply (a host refusing it).
	FailLocalReply uint32

	alloc, onContextCreate, onConfigure, onVMStart, onTick    api.Function
	onRequestHeaders, onResponseHeaders, onDone, onLog, onDel api.Function
}

// LogEntry is one proxy_log call.
type LogEntry struct {
	Level uint32 // 0 trace … 5 critical
	Msg   string
}

// Calls counts ABI crossings: each proxy_* import called by the guest and
// each proxy_on_memory_allocate the host made.
type Calls struct {
	Imports map[string]int
	Allocs  int
}

// Total is every crossing counted.
func (c Calls) Total() int {
	n := c.Allocs
	for _, v := range c.Imports {
		n += v
	}
	return n
}

// String lists the counts, e.g. "4 = proxy_get_header_map_value:1 alloc:1 …".
func (c Calls) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d =", c.Total())
	for _, name := range sortedKeys(c.Imports) {
		fmt.Fprintf(&b, " %s:%d", strings.TrimPrefix(name, "proxy_"), c.Imports[name])
	}
	fmt.Fprintf(&b, " alloc:%d", c.Allocs)
	return b.String()
}

// Log levels (proxy_log, proxy_get_log_level).
const (
	LogTrace uint32 = iota
	LogDebug
	LogInfo
	LogWarn
	LogError
	LogCritical
)

// Option configures an Instance before its module starts.
type Option func(*Instance)

// WithLogLevel sets the level proxy_get_log_level answers from the start
// (default LogInfo, Envoy's default level).
func WithLogLevel(level uint32) Option { return func(in *Instance) { in.logLevel = level } }

// WithLogSink hands every log line of the instance (proxy_log, and what
// cpp-host logs for it: stdout and stderr writes, WASI errors) to sink as
// it happens, instead of keeping it in Logs. A long-running host needs
// this: Logs grows without bound. sink runs on the goroutine using the
// instance, inside the wasm call: it must not call back into the instance.
func WithLogSink(sink func(LogEntry)) Option { return func(in *Instance) { in.logSink = sink } }

func (in *Instance) addLog(e LogEntry) {
	if in.logSink != nil {
		in.logSink(e)
		return
	}
	in.Logs = append(in.Logs, e)
}

// SetLogLevel changes the level proxy_get_log_level answers, as an
// operator changing Envoy's log level at run time (admin /logging). The
// module sees it when it next asks.
func (in *Instance) SetLogLevel(level uint32) { in.logLevel = level }

// RootID is the root context id Instantiate creates.
const RootID = 1

// Instantiate starts a VM the way Envoy does: _initialize, then
// proxy_on_vm_start, a root context, and proxy_on_configure with config.
// ok is the module's verdict on the configuration.
func (m *Module) Instantiate(ctx context.Context, config []byte, opts ...Option) (inst *Instance, ok bool, err error) {
	name := fmt.Sprintf("vm-%d", m.seq.Add(1))
	inst = &Instance{m: m, config: config, Properties: map[string]string{}, metricIDs: map[string]uint32{}, nextID: RootID + 1, logLevel: LogInfo}
	for _, o := range opts {
		o(inst)
	}
	inst.importCounts = make([]int, len(m.importNames))
	inst.ctx = context.WithValue(ctx, instanceKey{}, inst)
	// WasmBase::startVm: _initialize runs with the restricted allowlist.
	inst.restrict("_initialize", m.duringInit)
	mod, err := m.rt.InstantiateModule(inst.ctx, m.compiled, wazero.NewModuleConfig().WithName(name).WithStartFunctions("_initialize"))
	inst.restrict("", nil)
	if err != nil {
		return nil, false, err
	}
	inst.mod = mod
	for _, f := range []struct {
		p    *api.Function
		name string
	}{
		{&inst.alloc, "proxy_on_memory_allocate"}, {&inst.onVMStart, "proxy_on_vm_start"},
		{&inst.onContextCreate, "proxy_on_context_create"}, {&inst.onConfigure, "proxy_on_configure"}, {&inst.onTick, "proxy_on_tick"},
		{&inst.onRequestHeaders, "proxy_on_request_headers"}, {&inst.onResponseHeaders, "proxy_on_response_headers"},
		{&inst.onDone, "proxy_on_done"}, {&inst.onLog, "proxy_on_log"}, {&inst.onDel, "proxy_on_delete"},
	} {
		if *f.p = mod.ExportedFunction(f.name); *f.p == nil {
			return nil, false, fmt.Errorf("module does not export %s", f.name)
		}
	}
	if mod.ExportedFunction("proxy_abi_version_0_2_1") == nil {
		return nil, false, errors.New("module does not export proxy_abi_version_0_2_1")
	}
	if _, err := inst.call(inst.onVMStart, RootID, 0); err != nil {
		return nil, false, err
	}
	if _, err := inst.call(inst.onContextCreate, RootID, 0); err != nil {
		return nil, false, err
	}
	ok, err = inst.Configure(config)
	return inst, ok, err
}

// Close frees the instance.
func (in *Instance) Close() error {
	return in.mod.Close(in.ctx)
}

// Configure delivers a new plugin configuration to the root context, as
// Envoy does on a config update that keeps the VM. Streams already
// created keep running.
func (in *Instance) Configure(config []byte) (bool, error) {
	in.config = config
	res, err := in.call(in.onConfigure, RootID, uint64(len(config)))
	if err != nil {
		return false, err
	}
	return res == 1, nil
}

// TickPeriod is the root context's timer period in milliseconds, as the
// module last set it (0: no timer).
func (in *Instance) TickPeriod() uint32 { return in.tickPeriod }

// Tick fires the root context's timer once (proxy_on_tick), as Envoy does
// every TickPeriod milliseconds. Tests call it where time would pass.
func (in *Instance) Tick() error {
	_, err := in.call(in.onTick, RootID)
	return err
}

// Shutdown ends the root context as Envoy does when the plugin goes away:
// proxy_on_done, then proxy_on_delete. The instance stays usable for
// reading metrics and logs.
func (in *Instance) Shutdown() error {
	if _, err := in.call(in.onDone, RootID); err != nil {
		return err
	}
	_, err := in.call(in.onDel, RootID)
	return err
}

// Calls returns the crossings counted since the last ResetCalls.
func (in *Instance) Calls() Calls {
	c := Calls{Imports: map[string]int{}, Allocs: in.calls.Allocs}
	for i, n := range in.importCounts {
		if n != 0 {
			c.Imports[in.m.importNames[i]] = n
		}
	}
	return c
}

// ResetCalls zeroes the crossing counters.
func (in *Instance) ResetCalls() {
	clear(in.importCounts)
	in.calls.Allocs = 0
}

// WASICalls is the number of WASI functions the module called so far (in
// every instance of this Module).
func (m *Module) WASICalls() int64 { return m.wasiCalls.n.Load() }

// WASICallsByName counts WASI calls per function name so far.
func (m *Module) WASICallsByName() map[string]int64 {
	out := map[string]int64{}
	m.wasiCalls.byName.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// RestrictedWASICalls counts host calls the module made outside a
// restricted phase's allowlist (during _initialize, or inside
// proxy_on_memory_allocate); each trapped, as it would in Envoy.
func (m *Module) RestrictedWASICalls() int64 { return m.wasiCalls.restricted.Load() }

// Metric returns the value of a metric the module defined.
func (in *Instance) Metric(name string) (uint64, bool) {
	id, ok := in.metricIDs[name]
	if !ok {
		return 0, false
	}
	return in.metricVals[id], true
}

// Metrics calls fn with every metric the module defined, in the order it
// defined them, and its kind (0 counter, 1 gauge, 2 histogram, as in
// proxy_define_metric).
func (in *Instance) Metrics(fn func(name string, kind uint32, value uint64)) {
	for id, name := range in.metricName {
		fn(name, in.metricType[id], in.metricVals[id])
	}
}

// MemoryPages is the size of linear memory in 64 KiB pages.
func (in *Instance) MemoryPages() uint32 { return in.mod.Memory().Size() / 65536 }

func (in *Instance) call(f api.Function, params ...uint64) (uint64, error) {
	if in.failed != nil {
		return 0, fmt.Errorf("VM failed earlier: %w", in.failed)
	}
	// CallWithStack on the instance's own buffer: api.Function.Call
	// allocates a slice per call, and a request makes about six. The
	// buffer is free to reuse: calls into one instance do not nest, except
	// proxy_on_memory_allocate, which has its own (allocStack).
	s := in.stack[:max(len(params), 1)]
	copy(s, params)
	if err := f.CallWithStack(in.ctx, s); err != nil {
		in.failed = err
		return 0, err
	}
	if len(f.Definition().ResultTypes()) == 0 {
		return 0, nil
	}
	return s[0], nil
}

// Failed is the trap that failed the VM, nil while it is healthy. Like
// Envoy, the host calls nothing in a failed VM again.
func (in *Instance) Failed() error { return in.failed }

// Profile is the Envoy host profile the module runs under.
func (m *Module) Profile() Profile { return m.profile }

// restrict sets the allowlist for a phase (names nil: no restriction),
// as proxy-wasm-cpp-host's setRestrictedCallback does.
func (in *Instance) restrict(phase string, allowed map[string]bool) {
	if allowed == nil {
		in.restricted, in.phase = nil, ""
		return
	}
	in.restricted, in.phase = allowed, phase
}

// enter is called first by every host function: a call outside the
// phase's allowlist traps, as V8 does in Envoy.
func (in *Instance) enter(fn string) {
	if in.restricted == nil || in.restricted[fn] {
		return
	}
	in.m.wasiCalls.restricted.Add(1)
	panic(&RestrictedCallError{Func: fn, Phase: in.phase})
}

// wasiCounter counts calls into wasi_snapshot_preview1, and calls of any
// host function made outside a restricted phase's allowlist (each of
// which trapped).
type wasiCounter struct {
	n          atomic.Int64
	restricted atomic.Int64
	byName     sync.Map // function name → *atomic.Int64
}

func (w *wasiCounter) count(name string) {
	w.n.Add(1)
	c, ok := w.byName.Load(name)
	if !ok {
		c, _ = w.byName.LoadOrStore(name, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1)
}

func le32(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }

func le32get(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// Module returns the wazero module instance, for tests that call exports
// directly.
func (in *Instance) Module() api.Module { return in.mod }

// Allocate calls proxy_on_memory_allocate as the host does before
// returning data, with the same WASI restriction tracking.
func (in *Instance) Allocate(size uint32) (uint32, error) {
	in.calls.Allocs++
	if in.failed != nil {
		return 0, fmt.Errorf("VM failed earlier: %w", in.failed)
	}
	in.restrict("proxy_on_memory_allocate", in.m.duringAlloc)
	in.allocStack[0] = uint64(size)
	err := in.alloc.CallWithStack(in.ctx, in.allocStack[:])
	in.restrict("", nil)
	if err != nil {
		in.failed = err
		return 0, err
	}
	return uint32(in.allocStack[0]), nil
}
