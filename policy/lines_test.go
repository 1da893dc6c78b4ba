package policy

import (
	"slices"
	"strings"
	"testing"
)

// TestRequestLines: which line of a repeated header counts, and how split
// Access-Control-Request-Headers lines are joined. Both adapters build
// their Request here, so these rows hold for the filter and corshttp alike.
func TestRequestLines(t *testing.T) {
	type line = [2]string
	tests := []struct {
		name  string
		lines []line
		want  Request
	}{
		{"no lines", nil, Request{}},
		{"pseudo-headers and singletons",
			[]line{{":method", "OPTIONS"}, {":authority", "api.example.com"}, {":path", "/x?y"}, {"origin", "https://a.example"},
				{"access-control-request-method", "PUT"}, {"access-control-request-private-network", "true"}, {"sec-fetch-site", "cross-site"}, {"x-other", "1"}},
			Request{Method: "OPTIONS", Authority: "api.example.com", Path: "/x?y", Origin: "https://a.example",
				AccessControlRequestMethod: "PUT", AccessControlRequestPrivateNetwork: "true", SecFetchSite: "cross-site"}},
		{"repeated Origin: first line, flagged", []line{{"origin", "https://a.example"}, {"origin", "https://b.example"}},
			Request{Origin: "https://a.example", MultipleOrigins: true}},
		{"repeated empty Origin is still repeated", []line{{"origin", ""}, {"origin", ""}},
			Request{MultipleOrigins: true}},
		// Issue 16 §1: an empty first line counts, as it does for Envoy's
		// lookup and net/http's Header.Get, so this is not a preflight.
		{"ACRM: the first line counts even when empty", []line{{"access-control-request-method", ""}, {"access-control-request-method", "PUT"}},
			Request{}},
		{"ACRM: the first line counts", []line{{"access-control-request-method", "PUT"}, {"access-control-request-method", "DELETE"}},
			Request{AccessControlRequestMethod: "PUT"}},
		{"Sec-Fetch-Site: the first line counts even when empty", []line{{"sec-fetch-site", ""}, {"sec-fetch-site", "cross-site"}},
			Request{}},
		{"ACRPN: the first line counts", []line{{"access-control-request-private-network", "false"}, {"access-control-request-private-network", "true"}},
			Request{AccessControlRequestPrivateNetwork: "false"}},
		{"ACRH: one line as it is", []line{{"access-control-request-headers", " a , b "}},
			Request{AccessControlRequestHeaders: " a , b "}},
		{"ACRH: split lines are one list", []line{{"access-control-request-headers", "content-type"}, {"x", "y"}, {"access-control-request-headers", "x-a"}},
			Request{AccessControlRequestHeaders: "content-type,x-a"}},
		// Issue 9 §5: a leading empty line is an element, exactly as in
		// the ",x-a" a merging intermediary would forward.
		{"ACRH: leading empty lines are kept", []line{{"access-control-request-headers", ""}, {"access-control-request-headers", ""}, {"access-control-request-headers", "x-a"}},
			Request{AccessControlRequestHeaders: ",,x-a"}},
		{"ACRH: empty lines in the middle are kept", []line{{"access-control-request-headers", "a"}, {"access-control-request-headers", ""}, {"access-control-request-headers", "b"}},
			Request{AccessControlRequestHeaders: "a,,b"}},
		// 2047 + "," + 2048 = 4096 bytes, the bound itself.
		{"ACRH: a join up to the bound is whole", []line{{"access-control-request-headers", strings.Repeat("a", 2047)}, {"access-control-request-headers", strings.Repeat("b", 2048)}},
			Request{AccessControlRequestHeaders: strings.Repeat("a", 2047) + "," + strings.Repeat("b", 2048)}},
		{"ACRH: the line crossing the bound is cut one byte past it", []line{{"access-control-request-headers", strings.Repeat("a", 4000)}, {"access-control-request-headers", strings.Repeat("b", 50000)}, {"access-control-request-headers", "c"}},
			Request{AccessControlRequestHeaders: strings.Repeat("a", 4000) + "," + strings.Repeat("b", 96)}},
		{"ACRH: a long first line is cut when a second follows", []line{{"access-control-request-headers", strings.Repeat("a", 5000)}, {"access-control-request-headers", "b"}},
			Request{AccessControlRequestHeaders: strings.Repeat("a", maxJoinedACRH)}},
		{"ACRH: a single long line is never cut", []line{{"access-control-request-headers", strings.Repeat("a", 5000)}},
			Request{AccessControlRequestHeaders: strings.Repeat("a", 5000)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l RequestLines
			for _, kv := range tc.lines {
				l.Add(kv[0], kv[1])
			}
			if got := l.Request(); got != tc.want {
				t.Errorf("Request():\ngot  %.200q\nwant %.200q", fmtRequest(got), fmtRequest(tc.want))
			}
		})
	}
}

func fmtRequest(r Request) string {
	return strings.Join([]string{r.Method, r.Authority, r.Path, r.Origin, map[bool]string{true: "multi"}[r.MultipleOrigins],
		r.AccessControlRequestMethod, r.AccessControlRequestHeaders, r.AccessControlRequestPrivateNetwork, r.SecFetchSite}, "|")
}

// TestRequestLinesDecide: the decisions issue 9 §5 and issue 16 §1 found
// the adapters disagreeing on, decided once here.
func TestRequestLinesDecide(t *testing.T) {
	p := mustCompile(t, `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowHeaders": ["x-a"]}`)
	acrh := func(lines ...string) [][2]string {
		out := [][2]string{{":method", "OPTIONS"}, {"origin", "https://app.example.com"}, {"access-control-request-method", "PUT"}}
		for _, v := range lines {
			out = append(out, [2]string{"access-control-request-headers", v})
		}
		return out
	}
	tests := []struct {
		name   string
		lines  [][2]string
		kind   Kind
		reason Reason
	}{
		{"63 empty lines plus x-a: 64 elements, allowed", acrh(append(slices.Repeat([]string{""}, 63), "x-a")...), Preflight, ReasonAllowed},
		{"100 empty lines plus x-a: 101 elements, refused", acrh(append(slices.Repeat([]string{""}, 100), "x-a")...), Preflight, ReasonHeadersMalformed},
		{"a flood of 20,000 lines: refused", acrh(slices.Repeat([]string{"x-a,x-a,x-a,x-a"}, 20000)...), Preflight, ReasonHeadersMalformed},
		{"ACRM lines \"\" then PUT: an actual request", [][2]string{{":method", "OPTIONS"}, {"origin", "https://app.example.com"},
			{"access-control-request-method", ""}, {"access-control-request-method", "PUT"}}, Actual, ReasonAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l RequestLines
			for _, kv := range tc.lines {
				l.Add(kv[0], kv[1])
			}
			r := l.Request()
			d := p.Evaluate(&r)
			if d.Kind != tc.kind || d.Reason != tc.reason {
				t.Errorf("got kind %v reason %v; want kind %v reason %v", d.Kind, d.Reason, tc.kind, tc.reason)
			}
		})
	}
}

// A flood of split lines costs a bounded join: the buffer grows to
// maxJoinedACRH bytes at most, in two steps, never to the flood's size.
func TestRequestLinesFloodIsBounded(t *testing.T) {
	flood := slices.Repeat([]string{"x-a,x-b,x-c,x-d"}, 20000) // 320 KB of lines
	build := func() Request {
		var l RequestLines
		for _, v := range flood {
			l.Add("access-control-request-headers", v)
		}
		return l.Request()
	}
	if got := build().AccessControlRequestHeaders; len(got) != maxJoinedACRH {
		t.Errorf("joined length: got %d; want %d", len(got), maxJoinedACRH)
	}
	if allocs := testing.AllocsPerRun(20, func() { build() }); allocs > 3 {
		t.Errorf("allocations per join: got %v; want ≤ 3 (two buffers and the string)", allocs)
	}
}

// FuzzRequestLinesJoin: splitting Access-Control-Request-Headers over
// lines never changes the decision: lines decide exactly as their
// comma-join sent as one line would, which is what a merging intermediary
// forwards (RFC 9110 §5.3). Lines are the input split at "\n".
func FuzzRequestLinesJoin(f *testing.F) {
	for _, s := range []string{"content-type\nx-a", "\n\nx-a", strings.Repeat("\n", 100) + "x-a", "a\n\nb", "x-a,\n,x-b", strings.Repeat("x-a\n", 2000)} {
		f.Add(s)
	}
	p := mustCompile(f, `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["PUT"], "allowHeaders": ["x-a", "x-b", "content-type"]}`)
	f.Fuzz(func(t *testing.T, input string) {
		lines := strings.Split(input, "\n")
		var l RequestLines
		l.Add(":method", "OPTIONS")
		l.Add("origin", "https://app.example.com")
		l.Add("access-control-request-method", "PUT")
		for _, v := range lines {
			l.Add("access-control-request-headers", v)
		}
		split := l.Request()
		joined := Request{Method: "OPTIONS", Origin: "https://app.example.com", AccessControlRequestMethod: "PUT",
			AccessControlRequestHeaders: strings.Join(lines, ",")}
		ds, dj := p.Evaluate(&split), p.Evaluate(&joined)
		if ds.Reason != dj.Reason || ds.Detail != dj.Detail {
			t.Fatalf("%d lines: got reason %v detail %q; want %v %q, as for their join on one line", len(lines), ds.Reason, ds.Detail, dj.Reason, dj.Detail)
		}
		if len(split.AccessControlRequestHeaders) > maxJoinedACRH && len(lines) > 1 {
			t.Fatalf("%d lines joined to %d bytes; want at most %d", len(lines), len(split.AccessControlRequestHeaders), maxJoinedACRH)
		}
	})
}
