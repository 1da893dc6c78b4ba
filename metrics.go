package main

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

// defineMetrics (re)defines every counter; one that fails to define is
// not incremented.
func defineMetrics() {
	for m, name := range metricNames {
		id, st := abi.DefineCounter(name)
		metricIDs[m], metricDefined[m] = id, st == abi.StatusOK
	}
}

func count(m metric) {
	if metricDefined[m] {
		abi.IncrementCounter(metricIDs[m], 1)
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
