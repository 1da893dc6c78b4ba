package filter

import (
	"strings"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

// localReplyHeaders are the headers of a local reply: the decision's, plus
// Vary when the answer depends on request headers.
func localReplyHeaders(d policy.Decision) []abi.Header {
	h := replyHeaders[:0]
	for _, x := range d.HeaderList() {
		h = append(h, abi.Header{Name: x.Name, Value: x.Value})
	}
	if d.Vary != "" {
		h = append(h, abi.Header{Name: "vary", Value: d.Vary})
	}
	return h
}

var replyHeaders = make([]abi.Header, 0, policy.MaxHeaders+1)

// localReplyDetails is Envoy's response code detail for our local replies
// (shown as %RESPONSE_CODE_DETAILS% in access logs; no spaces allowed).
func localReplyDetails(d policy.Decision) string {
	switch {
	case d.Reason == policy.ReasonCrossOriginProtection:
		return "corswasm_cross_origin_protection"
	case d.Allowed:
		return "corswasm_preflight"
	default:
		return "corswasm_preflight_denied"
	}
}

const accessControlPrefix = "access-control-"

// apply decorates a forwarded response with decision d. Every header is
// replaced, never added, so the response carries exactly one value each.
// The response header lines are read in one call: they tell whether the
// upstream answered CORS itself ("preserve"), which of its
// Access-Control-* headers to strip ("override"), and every Vary line
// (a single-value read would see only the first of several).
func apply(d *policy.Decision) {
	if d.NumHeaders == 0 && d.Vary == "" && !d.StripUpstream {
		return
	}
	pairs, st := abi.GetHeaders(abi.ResponseHeaders)
	if st != abi.StatusOK {
		return
	}
	if d.PreserveUpstream && has(pairs, "access-control-allow-origin") {
		return // upstreamCors "preserve": the upstream's CORS answer stands
	}
	if d.StripUpstream {
		strip(pairs, d)
	}
	for _, h := range d.HeaderList() {
		abi.ReplaceHeader(abi.ResponseHeaders, h.Name, h.Value)
	}
	if merged, changed := policy.MergeVary(varyOf(pairs), d.Vary); changed {
		replaceAll(pairs, "vary", merged)
	}
}

// replaceAll sets name to value as one line even if the response had
// several: Envoy's replace drops the extra lines itself, hosts that
// replace only the first line (the SDK's emulator) need them removed.
func replaceAll(pairs abi.Pairs, name, value string) {
	if n := lines(pairs, name); n > 1 {
		for range n {
			abi.RemoveHeader(abi.ResponseHeaders, name)
		}
	}
	abi.ReplaceHeader(abi.ResponseHeaders, name, value)
}

// strip removes every Access-Control-* header the upstream sent that the
// decision does not set itself (those are replaced). A name the upstream
// repeated is removed once per line: Envoy removes all lines at the first
// call, hosts that remove one line at a time (the SDK's emulator) end with
// none too.
func strip(pairs abi.Pairs, d *policy.Decision) {
	for k := range pairs.All() {
		if !strings.HasPrefix(k, accessControlPrefix) {
			continue
		}
		if sets(d, k) && lines(pairs, k) == 1 {
			continue
		}
		abi.RemoveHeader(abi.ResponseHeaders, k)
	}
}

func sets(d *policy.Decision, name string) bool {
	for _, h := range d.HeaderList() {
		if h.Name == name {
			return true
		}
	}
	return false
}

func has(pairs abi.Pairs, name string) bool { return lines(pairs, name) > 0 }

func lines(pairs abi.Pairs, name string) int {
	n := 0
	for k := range pairs.All() {
		if k == name {
			n++
		}
	}
	return n
}

// varyOf is the response's Vary; several lines are one list.
func varyOf(pairs abi.Pairs) string {
	if lines(pairs, "vary") <= 1 {
		for k, v := range pairs.All() {
			if k == "vary" {
				return v
			}
		}
		return ""
	}
	var b strings.Builder
	for k, v := range pairs.All() {
		if k == "vary" {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v)
		}
	}
	return b.String()
}
