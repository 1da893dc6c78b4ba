package filter

import (
	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// Counters, defined at every configure (defining is idempotent in Envoy,
// and a host that restarts its metric store gets them again). Envoy shows
// them with its "wasmcustom." prefix, e.g.
// wasmcustom.corswasm.preflight_allowed.
type metric int

const (
	preflightAllowed metric = iota
	preflightDenied
	actualAllowed
	actualDenied
	copRejected
	noOrigin
	configRejected
	numMetrics
)

var metricNames = [numMetrics]string{
	preflightAllowed: "corswasm.preflight_allowed",
	preflightDenied:  "corswasm.preflight_denied",
	actualAllowed:    "corswasm.actual_allowed",
	actualDenied:     "corswasm.actual_denied",
	copRejected:      "corswasm.cross_origin_protection_rejected",
	noOrigin:         "corswasm.no_origin",
	configRejected:   "corswasm.config_rejected",
}

var (
	metricIDs     [numMetrics]uint32
	metricDefined [numMetrics]bool
)

// tickMillis is how often each root context reports its counts to the
// host. Counters in Envoy's stats (admin /stats, /stats/prometheus) lag the
// traffic by at most this much; stats sinks are flushed every 5 s by
// default (bootstrap stats_flush_interval), so they rarely see it.
const tickMillis = 1000

// defineMetrics (re)defines every counter; one that fails to define is
// not incremented.
func defineMetrics() {
	for m, name := range metricNames {
		id, st := abi.DefineCounter(name)
		metricIDs[m], metricDefined[m] = id, st == abi.StatusOK
	}
}

// countNow increments a counter in the host at once: one host call. Only
// for rare events off the request path (a rejected configuration, whose
// plugin may never tick).
func countNow(m metric, n int64) {
	if metricDefined[m] {
		abi.IncrementCounter(metricIDs[m], n)
	}
}

// counts are one root context's increments not yet reported to the host.
// Requests add to them in guest memory (no host call); the root context's
// timer (proxy_on_tick) and its end (proxy_on_done) report them. Why: each
// proxy_increment_metric is a wasm boundary crossing, and a crossing per
// request is what the per-request budgets are about.
type counts struct {
	pending [numMetrics]int64
	// closed: the root context has ended and will not tick again; a stream
	// that outlives it reports its count at once.
	closed bool
}

func (c *counts) add(m metric) {
	if c.closed {
		countNow(m, 1)
		return
	}
	c.pending[m]++
}

// flush reports every non-zero count (one proxy_increment_metric each) and
// zeroes it. Nothing to report: no host call.
func (c *counts) flush() {
	for m, n := range c.pending {
		if n != 0 {
			countNow(metric(m), n)
			c.pending[m] = 0
		}
	}
}

// metricFor is the one counter a decision increments. Shadow decisions
// count like enforced ones: shadow mode exists to measure what enforcing
// would do.
func metricFor(d *policy.Decision) metric {
	switch {
	case d.Reason == policy.ReasonCrossOriginProtection:
		return copRejected
	case d.Kind == policy.NotCORS:
		return noOrigin
	case d.Kind == policy.Preflight && d.Allowed:
		return preflightAllowed
	case d.Kind == policy.Preflight:
		return preflightDenied
	case d.Allowed:
		return actualAllowed
	default:
		return actualDenied
	}
}

// TickMillis is tickMillis for the module's tests: the period the filter
// asks the host's timer for.
const TickMillis = tickMillis

// MetricNames are the names of every counter the filter defines.
func MetricNames() []string { return metricNames[:] }
