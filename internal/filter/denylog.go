package filter

import (
	"strconv"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// logDenial logs why a request was denied:
//
//	origin "https://evil.example" not allowed by route "api"
//
// Every value taken from the request is quoted (strconv.Quote), so a CR
// or LF in a header cannot forge a log line, and cut to maxLogged bytes so
// a flood cannot flood the log. Denials log at debug level; in shadow mode
// they log at info ("shadow: ..."), as seeing them is the point of shadow
// mode.
func logDenial(d *policy.Decision, r *policy.Request) {
	if d.Kind == policy.NotCORS && d.Reason != policy.ReasonCrossOriginProtection || d.Allowed {
		return
	}
	level := abi.LogDebug
	if d.Shadow {
		level = abi.LogInfo
	}
	if !logs(level) {
		return // the host would drop the line: neither format nor send it
	}
	b := logBuf[:0]
	if d.Shadow {
		b = append(b, "shadow: "...)
	}
	b = appendDenial(b, d, r)
	abi.LogBytes(level, b)
	logBuf = b[:0]
}

// hostLogLevel is the lowest level the host logs, read with
// proxy_get_log_level at every configure and every tick (not per request:
// a crossing per request to learn a setting that rarely changes would cost
// more than it saves). Envoy's default is info, so by default no denial
// line is built or sent; "envoy --component-log-level wasm:debug" (or the
// admin /logging endpoint, seen within a tick) turns them on. Until the
// first read, and on a host that cannot say, everything is logged.
var hostLogLevel = abi.LogTrace

// readLogLevel asks the host for its log level (one host call).
func readLogLevel() { hostLogLevel, _ = abi.GetLogLevel() }

// logs reports whether the host keeps a line at level.
func logs(level abi.LogLevel) bool { return level >= hostLogLevel }

// logBuf is reused by every denial log line (kept at the size the longest
// line needed).
var logBuf = make([]byte, 0, 512)

// quoted holds the quoted Origin while a line is built. Its capacity is
// the longest quoteCut can produce, so it never grows: strconv.Quote
// writes a byte that is not valid UTF-8 (or a control byte) as \xNN, four
// bytes for one, plus the two quotes and the truncation mark.
var quoted = make([]byte, 0, maxQuoted)

const (
	maxLogged      = 128
	truncationMark = "(truncated)"
	maxQuoted      = 4*maxLogged + 2 + len(truncationMark)
)

func appendDenial(b []byte, d *policy.Decision, r *policy.Request) []byte {
	o := quoteCut(quoted[:0], r.Origin)
	quoted = o[:0]
	switch d.Reason {
	case policy.ReasonOriginNotAllowed:
		b = append(b, "origin "...)
		b = append(b, o...)
		b = append(b, " not allowed"...)
	case policy.ReasonOriginMalformed:
		if r.MultipleOrigins {
			b = append(b, "repeated Origin header not allowed"...)
		} else {
			b = append(b, "malformed origin "...)
			b = append(b, o...)
			b = append(b, " not allowed"...)
		}
	case policy.ReasonMethodNotAllowed:
		b = append(b, "preflight method "...)
		b = quoteCut(b, d.Detail)
		b = append(b, " from origin "...)
		b = append(b, o...)
		b = append(b, " not allowed"...)
	case policy.ReasonHeaderNotAllowed:
		b = append(b, "preflight header "...)
		b = quoteCut(b, d.Detail)
		b = append(b, " from origin "...)
		b = append(b, o...)
		b = append(b, " not allowed"...)
	case policy.ReasonHeadersMalformed:
		b = append(b, "preflight Access-Control-Request-Headers from origin "...)
		b = append(b, o...)
		b = append(b, " malformed or too long"...)
		return appendRoute(b, d)
	case policy.ReasonPrivateNetworkNotAllowed:
		b = append(b, "private network access from origin "...)
		b = append(b, o...)
		b = append(b, " not allowed"...)
	case policy.ReasonCrossOriginProtection:
		b = append(b, "cross-origin "...)
		b = quoteCut(b, r.Method)
		b = append(b, " request from origin "...)
		b = append(b, o...)
		b = append(b, " (sec-fetch-site "...)
		b = quoteCut(b, r.SecFetchSite)
		b = append(b, ") rejected by cross-origin protection"...)
		return appendRoute(b, d)
	default:
		b = append(b, "origin "...)
		b = append(b, o...)
		b = append(b, ": no CORS policy applies"...)
		return b
	}
	b = append(b, " by route "...)
	return strconv.AppendQuote(b, routeName(d))
}

func appendRoute(b []byte, d *policy.Decision) []byte {
	b = append(b, " (route "...)
	b = strconv.AppendQuote(b, routeName(d))
	return append(b, ')')
}

func routeName(d *policy.Decision) string {
	if d.Route == "" {
		return "default"
	}
	return d.Route
}

// quoteCut appends s quoted, cut to maxLogged bytes.
func quoteCut(b []byte, s string) []byte {
	if len(s) <= maxLogged {
		return strconv.AppendQuote(b, s)
	}
	b = strconv.AppendQuote(b, s[:maxLogged])
	return append(b, truncationMark...)
}

// logLocalReplyFailed logs, at error level, a local reply the host
// refused (the request is forwarded instead):
//
//	corswasm: local reply corswasm_preflight (204) failed with status 2; request forwarded, the response gets the decision's headers
func logLocalReplyFailed(d *policy.Decision, st abi.Status) {
	if !logs(abi.LogError) {
		return
	}
	b := append(logBuf[:0], "corswasm: local reply "...)
	b = append(b, localReplyDetails(*d)...)
	b = append(b, " ("...)
	b = strconv.AppendInt(b, int64(d.Status), 10)
	b = append(b, ") failed with status "...)
	b = strconv.AppendUint(b, uint64(st), 10)
	b = append(b, "; request forwarded, the response gets the decision's headers"...)
	if d.Reason == policy.ReasonCrossOriginProtection {
		b = append(b, " (the cross-origin write reached the upstream)"...)
	}
	abi.LogBytes(abi.LogError, b)
	logBuf = b[:0]
}
