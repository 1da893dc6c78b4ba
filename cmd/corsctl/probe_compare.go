package main

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// comparedHeaders are the response headers probe checks, in report order.
var comparedHeaders = []string{
	"access-control-allow-origin",
	"access-control-allow-credentials",
	"access-control-allow-methods",
	"access-control-allow-headers",
	"access-control-expose-headers",
	"access-control-max-age",
}

// expectation is the engine's prediction of what reaches the client.
type expectation struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
	// Status is the local reply's status when the filter answers itself
	// (preflights, cross-origin-protection rejections); 0 when the
	// request goes upstream, whose status the policy cannot predict.
	Status int `json:"status,omitempty"`
	// Headers are the CORS headers the filter leaves on the response
	// (lowercase names); a compared header missing here must be absent.
	Headers map[string]string `json:"headers"`
	Vary    string            `json:"vary,omitempty"` // names that must be in Vary
	Shadow  bool              `json:"shadow,omitempty"`
}

// predict turns the engine's decision into what the client must see.
// In shadow mode the filter changes nothing on the wire, so nothing is
// predicted but the absence of its headers.
func predict(d *policy.Decision) expectation {
	e := expectation{Allowed: d.Allowed, Reason: d.Reason.String(), Headers: map[string]string{}, Shadow: d.Shadow}
	if d.Shadow {
		return e
	}
	for _, h := range d.HeaderList() {
		if slices.Contains(comparedHeaders, h.Name) {
			e.Headers[h.Name] = h.Value
		}
	}
	e.Vary = d.Vary
	if d.Action == policy.Respond {
		e.Status = d.Status
	}
	return e
}

// observation is what came back.
type observation struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"` // compared headers present (lines joined with ", "), plus vary
	Error   string            `json:"error,omitempty"`
	// otherCORS: Access-Control-* headers outside comparedHeaders (e.g.
	// -allow-private-network), which also betray an upstream's answer.
	otherCORS bool
}

func observe(status int, h http.Header) observation {
	o := observation{Status: status, Headers: map[string]string{}}
	for name, lines := range h {
		lower := strings.ToLower(name)
		if slices.Contains(comparedHeaders, lower) || lower == "vary" {
			o.Headers[lower] = strings.Join(lines, ", ")
		} else if strings.HasPrefix(lower, "access-control-") {
			o.otherCORS = true
		}
	}
	return o
}

// mismatch is one header (or the status) that differs from the prediction.
type mismatch struct {
	Field     string `json:"field"` // a lowercase header name, or "status"
	Predicted string `json:"predicted"`
	Observed  string `json:"observed"`
	Cause     string `json:"cause"` // a key of causes
}

// compare checks an observation against the prediction, header by
// header, and assigns each difference its likely cause.
func compare(r *probeRequest, o *observation) []mismatch {
	e := &r.Predicted
	var ms []mismatch
	for _, name := range comparedHeaders {
		want, wantOK := e.Headers[name]
		got, gotOK := o.Headers[name]
		if wantOK == gotOK && (!wantOK || sameValue(name, want, got)) {
			continue
		}
		ms = append(ms, mismatch{Field: name, Predicted: orAbsent(want, wantOK), Observed: orAbsent(got, gotOK)})
	}
	if missing := missingVary(e.Vary, o.Headers["vary"]); missing != "" {
		got, ok := o.Headers["vary"]
		ms = append(ms, mismatch{Field: "vary", Predicted: "includes " + missing, Observed: orAbsent(got, ok)})
	}
	if e.Status != 0 && e.Status/100 != o.Status/100 {
		ms = append(ms, mismatch{Field: "status", Predicted: strconv.Itoa(e.Status/100) + "xx (" + strconv.Itoa(e.Status) + ")", Observed: strconv.Itoa(o.Status)})
	}
	if len(ms) == 0 {
		return nil
	}
	whole := wholeResponseCause(r, o)
	for i := range ms {
		ms[i].Cause = whole
		if whole == "" {
			ms[i].Cause = fieldCause(&ms[i], e, o)
		}
	}
	return ms
}

// wholeResponseCause recognizes a response that, as a whole, never went
// through the CORS filter: an auth filter's rejection, or someone else's
// reflection of a refused origin. "" when the differences are separate.
func wholeResponseCause(r *probeRequest, o *observation) string {
	e := &r.Predicted
	// A 401/403 without a single CORS header, nor the Vary the filter
	// merges into everything it answers or decorates, where the filter
	// would have set either: another filter replied before ours ran.
	// Preflights never carry credentials (Fetch "CORS-preflight
	// request"), so an auth filter in front rejects every one of them
	// (istio/istio#16171). A 403 the filter itself would send (a refused
	// preflight) is not this cause, nor one that carries the filter's
	// Vary: that is a CORS filter's own refusal, under another config.
	noVary := e.Vary == "" || missingVary(e.Vary, o.Headers["vary"]) != ""
	if (o.Status == 401 || o.Status == 403) && o.Status != e.Status && !anyCORS(o) && noVary && (len(e.Headers) > 0 || e.Vary != "") {
		return "filter-order"
	}
	got, ok := o.Headers["access-control-allow-origin"]
	refused := e.Reason == policy.ReasonOriginNotAllowed.String() || e.Reason == policy.ReasonOriginMalformed.String()
	if r.Origin != "" && ok && got == r.Origin && refused && e.Headers["access-control-allow-origin"] != got {
		return "reflection"
	}
	return ""
}

func fieldCause(m *mismatch, e *expectation, o *observation) string {
	_, answered := o.Headers["access-control-allow-origin"]
	switch {
	case m.Field == "vary":
		return "vary"
	case m.Field == "access-control-max-age" && answered && lowerMaxAge(e.Headers[m.Field], m.Observed):
		// Only on a preflight that was otherwise answered: a refused one
		// lacks Max-Age for another reason.
		return "max-age"
	case m.Field == "status":
		return "status"
	case m.Predicted == absent && o.Headers["access-control-allow-origin"] != e.Headers["access-control-allow-origin"]:
		// Headers the policy never sends, on a response whose
		// Allow-Origin is not the filter's either: someone else answered.
		// (With the filter's Allow-Origin, extra headers rather mean that
		// another config is deployed: "differs".)
		return "upstream"
	}
	return "differs"
}

// lowerMaxAge: the observed Max-Age caches preflights for less time than
// the policy's (absent means about 5 s, Fetch "CORS-preflight cache").
func lowerMaxAge(want, got string) bool {
	w, err := strconv.Atoi(want)
	if err != nil {
		return false
	}
	if got == absent {
		return w > 5
	}
	g, err := strconv.Atoi(strings.TrimSpace(got))
	return err == nil && g < w
}

func anyCORS(o *observation) bool {
	if o.otherCORS {
		return true
	}
	for _, name := range comparedHeaders {
		if _, ok := o.Headers[name]; ok {
			return true
		}
	}
	return false
}

const absent = "(absent)"

func orAbsent(v string, ok bool) string {
	if !ok {
		return absent
	}
	return v
}

// sameValue compares list-valued headers as sets (order and whitespace
// are not significant to browsers; header names are case-insensitive,
// methods are not) and the others byte for byte.
func sameValue(name, want, got string) bool {
	switch name {
	case "access-control-allow-methods":
		return sameList(want, got, false)
	case "access-control-allow-headers", "access-control-expose-headers":
		return sameList(want, got, true)
	case "access-control-max-age":
		return strings.TrimSpace(got) == want
	}
	return got == want
}

func sameList(a, b string, fold bool) bool {
	return slices.Equal(listItems(a, fold), listItems(b, fold))
}

func listItems(v string, fold bool) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if fold {
				s = strings.ToLower(s)
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// missingVary returns the names of want (comma-separated) that got lacks,
// joined with ", "; "Vary: *" already varies on everything.
func missingVary(want, got string) string {
	if want == "" || varyContains(got, "*") {
		return ""
	}
	var missing []string
	for _, name := range strings.Split(want, ",") {
		if name = strings.TrimSpace(name); name != "" && !varyContains(got, name) {
			missing = append(missing, name)
		}
	}
	return strings.Join(missing, ", ")
}

func varyContains(v, name string) bool {
	for _, s := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return true
		}
	}
	return false
}

// cause is a likely reason for a group of mismatches, and its fix.
type cause struct {
	Key   string `json:"cause"`
	Title string `json:"title"`
	Fix   string `json:"fix"`
}

// causes, in report order: the most serious first.
var causes = []cause{
	{"reflection", "Access-Control-Allow-Origin reflects an origin the policy refuses",
		"the request did not go through the corswasm filter, or something after it answers CORS itself: put the filter in this listener's HTTP filter chain and make sure a route covering this path selects the policy; keep upstreamCors \"override\" so a backend that echoes Origin is overruled; or the deployed policy allows more than this file (corsctl validate the deployed config and compare)"},
	{"filter-order", "an auth filter answers before the CORS filter (401/403 without CORS headers)",
		"move the corswasm filter before authentication filters (jwt_authn, ext_authz, rbac, oauth2) in the HTTP filter chain: preflights never carry credentials, and a rejection without CORS headers reaches JavaScript only as an opaque network error"},
	{"upstream", "CORS headers the policy does not send are present",
		"an upstream or another filter sets Access-Control-* headers: with upstreamCors \"override\" the filter strips them, so either the filter is not in this chain or upstreamCors is \"preserve\"; remove the backend's CORS handling or set upstreamCors \"override\""},
	{"vary", "Vary lacks what the answer depends on (cache risk)",
		"a cache may serve one origin's answer to another (Fetch §3.2.5): find what drops or overwrites Vary (a proxy, CDN rule or backend setting Vary after the filter) and keep the names the filter merges; if a CDN caches this path, make it key on Origin"},
	{"max-age", "Access-Control-Max-Age is lower than the policy's",
		"a proxy or CDN in front rewrote or removed Access-Control-Max-Age, so browsers repeat preflights more often: remove that header rule"},
	{"status", "the status class differs from the filter's local reply",
		"something in front of the filter answers these requests itself (a gateway's own CORS or OPTIONS handling): disable it for this route, or run corsctl explain on the request to see what the filter would answer"},
	{"differs", "CORS headers differ from the policy's prediction",
		"the deployment does not enforce this file: check that the deployed plugin configuration is this one (corsctl validate the deployed envoy.yaml or WasmPlugin) and that nothing in front rewrites Access-Control-* headers"},
}
