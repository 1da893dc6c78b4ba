package policy

import (
	"fmt"
	"strings"
	"testing"
)

// mustCompile compiles a JSON config or fails the test.
func mustCompile(tb testing.TB, config string) *Policy {
	tb.Helper()
	p, err := Compile([]byte(config))
	if err != nil {
		tb.Fatalf("Compile(%s): %v", config, err)
	}
	return p
}

// want is the expected outcome of Evaluate, in a form that reads well in
// a table. Headers are "name: value" in emission order.
type want struct {
	kind      Kind
	action    Action
	status    int
	allowed   bool
	reason    Reason
	detail    string
	route     string
	routePath string
	shadow    bool
	headers   []string
	vary      string
	strip     bool
	preserve  bool
}

func headerLines(d *Decision) []string {
	var out []string
	for _, h := range d.HeaderList() {
		out = append(out, h.Name+": "+h.Value)
	}
	return out
}

// diff compares d with w and lists every mismatch as "field: got …; want …".
func (w want) diff(d *Decision) string {
	var b strings.Builder
	check := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			fmt.Fprintf(&b, "\n\t%s: got %q; want %q", field, fmt.Sprint(got), fmt.Sprint(want))
		}
	}
	check("Kind", d.Kind, w.kind)
	check("Action", d.Action, w.action)
	check("Status", d.Status, w.status)
	check("Allowed", d.Allowed, w.allowed)
	check("Reason", d.Reason, w.reason)
	check("Detail", d.Detail, w.detail)
	check("Route", d.Route, w.route)
	check("RoutePath", d.RoutePath, w.routePath)
	check("Shadow", d.Shadow, w.shadow)
	check("Headers", strings.Join(headerLines(d), " | "), strings.Join(w.headers, " | "))
	check("Vary", d.Vary, w.vary)
	check("StripUpstream", d.StripUpstream, w.strip)
	check("PreserveUpstream", d.PreserveUpstream, w.preserve)
	return b.String()
}

const varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"

func preflight(origin, method, headers string) Request {
	return Request{Method: "OPTIONS", Origin: origin, AccessControlRequestMethod: method, AccessControlRequestHeaders: headers}
}
