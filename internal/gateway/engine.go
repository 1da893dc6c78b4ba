package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Engine is the module running as Envoy runs it with --concurrency N: one
// VM per worker, each instantiated and configured on its own, each used by
// one goroutine at a time (its worker's lock), their metrics summed under
// one name. A connection is pinned to one worker for its life, as Envoy's
// listener hands a connection to one worker thread; every stream on it
// runs in that worker's VM.
type Engine struct {
	module   *Module
	workers  []*worker
	next     atomic.Uint32 // round-robin over workers for new connections
	failOpen bool
	props    map[string]string
	logLevel uint32

	reloadMu sync.Mutex // one reconfiguration at a time
	config   atomic.Pointer[[]byte]

	// retired holds the metrics of validation VMs that rejected a
	// configuration (corswasm.config_rejected): in Envoy the rejecting
	// plugin's counts land in the same stats store as the serving ones.
	retiredMu sync.Mutex
	retired   map[string]Metric

	logs logRing
	// print receives the module's log lines as they happen (nil: dropped
	// after the ring keeps them).
	print func(string)

	ticking   bool
	stopTicks chan struct{}
	ticksDone chan struct{}
}

// worker is one VM and the lock that makes it single-threaded.
type worker struct {
	id   int
	mu   sync.Mutex
	inst *wasmhost.Instance
	// mute keeps this VM's log lines out of print while it is being
	// configured: the validating VM already printed the same lines.
	mute bool
}

// EngineConfig is how NewEngine starts the VMs.
type EngineConfig struct {
	Concurrency  int // VMs; at least 1
	PluginConfig []byte
	Properties   map[string]string
	FailOpen     bool   // Envoy's fail_open: a failed VM passes requests through unfiltered
	LogLevel     uint32 // what proxy_get_log_level answers (wasmhost.LogInfo: Envoy's default)
	// Progress, when set, gets one line per start-up step with its time.
	Progress io.Writer
	// Print, when set, gets each module log line ("[worker 1] info: …").
	Print func(string)
}

// ConfigError is a plugin configuration the module rejected, with the
// lines it logged at error level saying why.
type ConfigError struct{ Lines []string }

func (e *ConfigError) Error() string {
	if len(e.Lines) == 0 {
		return "the module rejected the plugin configuration (it logged no error)"
	}
	return "the module rejected the plugin configuration:\n  " + strings.Join(e.Lines, "\n  ")
}

// NewEngine instantiates and configures one VM per worker. The first VM
// is configured first: a configuration it rejects stops the start there,
// with its errors.
func NewEngine(m *Module, cfg EngineConfig) (*Engine, error) {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	e := &Engine{module: m, failOpen: cfg.FailOpen, props: cfg.Properties, logLevel: cfg.LogLevel,
		print: cfg.Print, stopTicks: make(chan struct{}), ticksDone: make(chan struct{})}
	e.logs.max = maxLogLines
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	for i := range cfg.Concurrency {
		w := &worker{id: i + 1, mute: i > 0}
		start := time.Now()
		var lines []wasmhost.LogEntry
		inst, ok, err := m.wm.Instantiate(context.Background(), cfg.PluginConfig, e.vmOptions(w, &lines)...)
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("worker %d: start the VM: %w", w.id, err)
		}
		w.inst, w.mute = inst, false
		e.workers = append(e.workers, w)
		if !ok {
			e.Close()
			return nil, &ConfigError{Lines: errorLines(lines)}
		}
		fmt.Fprintf(progress, "  worker %d/%d: VM instantiated and configured in %s\n", w.id, cfg.Concurrency, round(time.Since(start)))
	}
	c := cfg.PluginConfig
	e.config.Store(&c)
	e.ticking = true
	go e.tickLoop()
	return e, nil
}

// vmOptions are a VM's host settings: log level, properties, and a log
// sink that keeps lines in the ring (and in *capture while capture is set).
func (e *Engine) vmOptions(w *worker, capture *[]wasmhost.LogEntry) []wasmhost.Option {
	return []wasmhost.Option{
		wasmhost.WithLogLevel(e.logLevel),
		func(in *wasmhost.Instance) {
			for k, v := range e.props {
				in.Properties[k] = v
			}
		},
		wasmhost.WithLogSink(func(l wasmhost.LogEntry) {
			if capture != nil && w.inst == nil {
				*capture = append(*capture, l)
			}
			line := fmt.Sprintf("[worker %d] %s: %s", w.id, levelName(l.Level), l.Msg)
			e.logs.add(line)
			if e.print != nil && !w.mute {
				e.print(line)
			}
		}),
	}
}

// Workers is the number of VMs.
func (e *Engine) Workers() int { return len(e.workers) }

// FailedWorkers counts VMs that trapped and answer by the failure policy.
func (e *Engine) FailedWorkers() int {
	n := 0
	for _, w := range e.workers {
		w.mu.Lock()
		if w.inst.Failed() != nil {
			n++
		}
		w.mu.Unlock()
	}
	return n
}

// pick returns the worker for a new connection.
func (e *Engine) pick() *worker {
	return e.workers[int(e.next.Add(1)-1)%len(e.workers)]
}

// Reconfigure validates config on a fresh VM (its verdict and its
// messages, nothing else runs there), then hands it to every worker's VM,
// as an xDS push does. Streams already in flight keep the policy they
// started with (the module binds a stream to its policy at creation); new
// streams get the new one. A rejected config changes nothing. It returns
// the lines the module logged while validating (warnings about risky
// settings).
func (e *Engine) Reconfigure(config []byte) ([]string, error) {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	lines, err := e.validate(config)
	if err != nil {
		return lines, err
	}
	var errs []error
	for _, w := range e.workers {
		w.mu.Lock()
		if w.inst.Failed() == nil {
			w.mute = true
			ok, err := w.inst.Configure(config)
			w.mute = false
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("worker %d: %w", w.id, err))
			case !ok:
				errs = append(errs, fmt.Errorf("worker %d rejected the configuration its validation accepted", w.id))
			}
		}
		w.mu.Unlock()
	}
	e.config.Store(&config)
	return lines, errors.Join(errs...)
}

// validate instantiates a throw-away VM with config and returns what it
// logged, or the rejection.
func (e *Engine) validate(config []byte) ([]string, error) {
	var logged []wasmhost.LogEntry
	w := &worker{id: 0, mute: true}
	inst, ok, err := e.module.wm.Instantiate(context.Background(), config, e.vmOptions(w, &logged)...)
	if err != nil {
		return nil, fmt.Errorf("validate the configuration on a new VM: %w", err)
	}
	defer inst.Close()
	if !ok {
		e.retire(inst)
		return nil, &ConfigError{Lines: errorLines(logged)}
	}
	var lines []string
	for _, l := range logged {
		lines = append(lines, levelName(l.Level)+": "+l.Msg)
	}
	return lines, nil
}

// retire keeps a validation VM's metrics in the sums.
func (e *Engine) retire(inst *wasmhost.Instance) {
	e.retiredMu.Lock()
	defer e.retiredMu.Unlock()
	if e.retired == nil {
		e.retired = map[string]Metric{}
	}
	inst.Metrics(func(name string, kind uint32, v uint64) {
		m := e.retired[name]
		m.Name, m.Kind, m.Value = name, kind, m.Value+v
		e.retired[name] = m
	})
}

// addRetired calls fn with each retired metric.
func (e *Engine) addRetired(fn func(Metric)) {
	e.retiredMu.Lock()
	defer e.retiredMu.Unlock()
	for _, m := range e.retired {
		fn(m)
	}
}

// Config is the plugin configuration the workers run now.
func (e *Engine) Config() []byte { return *e.config.Load() }

// tickLoop fires each VM's timer at the period the module asked for
// (proxy_set_tick_period_milliseconds), as Envoy's dispatcher does; the
// CORS module reports its counters from it.
func (e *Engine) tickLoop() {
	defer close(e.ticksDone)
	const resolution = 100 * time.Millisecond
	t := time.NewTicker(resolution)
	defer t.Stop()
	last := make([]time.Time, len(e.workers))
	for {
		select {
		case <-e.stopTicks:
			return
		case now := <-t.C:
			for i, w := range e.workers {
				w.mu.Lock()
				period := time.Duration(w.inst.TickPeriod()) * time.Millisecond
				if period > 0 && w.inst.Failed() == nil && now.Sub(last[i]) >= period {
					last[i] = now
					w.inst.Tick()
				}
				w.mu.Unlock()
			}
		}
	}
}

// Metrics sums every VM's metrics by name, as Envoy's stats store does
// (one counter per name across workers). It does not tick: like Envoy's
// admin, it shows what the VMs reported so far.
func (e *Engine) Metrics() []Metric {
	sum := map[string]*Metric{}
	var order []string
	for _, w := range e.workers {
		w.mu.Lock()
		w.inst.Metrics(func(name string, kind uint32, v uint64) {
			m := sum[name]
			if m == nil {
				m = &Metric{Name: name, Kind: kind}
				sum[name] = m
				order = append(order, name)
			}
			m.Value += v
		})
		w.mu.Unlock()
	}
	e.addRetired(func(r Metric) {
		m := sum[r.Name]
		if m == nil {
			m = &Metric{Name: r.Name, Kind: r.Kind}
			sum[r.Name] = m
			order = append(order, r.Name)
		}
		m.Value += r.Value
	})
	out := make([]Metric, len(order))
	for i, n := range order {
		out[i] = *sum[n]
	}
	return out
}

// Metric is one module metric summed over the VMs.
type Metric struct {
	Name  string
	Kind  uint32 // 0 counter, 1 gauge, 2 histogram
	Value uint64
}

// Counter fires every VM's timer (so the module reports what it counted)
// and returns the sum of the metric name. Tests use it where Envoy would
// wait for the next tick.
func (e *Engine) Counter(name string) (uint64, error) {
	var sum uint64
	for _, w := range e.workers {
		w.mu.Lock()
		if w.inst.Failed() == nil {
			if err := w.inst.Tick(); err != nil {
				w.mu.Unlock()
				return 0, err
			}
		}
		if v, ok := w.inst.Metric(name); ok {
			sum += v
		}
		w.mu.Unlock()
	}
	e.addRetired(func(m Metric) {
		if m.Name == name {
			sum += m.Value
		}
	})
	return sum, nil
}

// Logs returns the module's most recent log lines (at most maxLogLines),
// and the sequence number of the last one.
func (e *Engine) Logs() ([]string, uint64) { return e.logs.snapshot() }

// LogsSince returns the lines logged after sequence number seq.
func (e *Engine) LogsSince(seq uint64) []string { return e.logs.since(seq) }

// Close stops the timers and frees every VM (the Module stays open).
func (e *Engine) Close() {
	if e.ticking {
		e.ticking = false
		close(e.stopTicks)
		<-e.ticksDone
	}
	for _, w := range e.workers {
		w.mu.Lock()
		if w.inst.Failed() == nil {
			w.inst.Shutdown()
		}
		w.inst.Close()
		w.mu.Unlock()
	}
}

func errorLines(logged []wasmhost.LogEntry) []string {
	var out []string
	for _, l := range logged {
		if l.Level >= wasmhost.LogError {
			out = append(out, l.Msg)
		}
	}
	return out
}

func levelName(l uint32) string {
	names := [...]string{"trace", "debug", "info", "warning", "error", "critical"}
	if int(l) < len(names) {
		return names[l]
	}
	return fmt.Sprintf("level %d", l)
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}

// MemoryPages is each VM's linear memory size in 64 KiB pages.
func (e *Engine) MemoryPages() []uint32 {
	out := make([]uint32, len(e.workers))
	for i, w := range e.workers {
		w.mu.Lock()
		out[i] = w.inst.MemoryPages()
		w.mu.Unlock()
	}
	return out
}
