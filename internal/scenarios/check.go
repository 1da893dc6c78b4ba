package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// Check compares what the client received (status and header lines, names
// in any case) with s.Want and returns one message per difference, each
// reading "got …; want …". LocalReply, Metric and Log are the caller's to
// check: they are not visible in a response.
func (s Scenario) Check(status int, headers [][2]string) []string {
	var errs []string
	if status != s.Want.Status {
		errs = append(errs, fmt.Sprintf("status: got %d; want %d", status, s.Want.Status))
	}
	names := make([]string, 0, len(s.Want.Headers))
	for name := range s.Want.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := s.Want.Headers[name]
		got := Values(headers, name)
		if len(got) != 1 || got[0] != want {
			errs = append(errs, fmt.Sprintf("%s: got %q; want exactly [%q]", name, got, want))
		}
	}
	for _, name := range s.Want.Absent {
		if got := Values(headers, name); len(got) > 0 {
			errs = append(errs, fmt.Sprintf("%s: got %q; want absent", name, got))
		}
	}
	return errs
}

// Values returns every value of name (case-insensitive) in headers.
func Values(headers [][2]string, name string) []string {
	var out []string
	for _, kv := range headers {
		if strings.EqualFold(kv[0], name) {
			out = append(out, kv[1])
		}
	}
	return out
}

// RequestHeaders is the request as proxy-wasm header lines: pseudo-headers
// first, then s.Headers.
func (s Scenario) RequestHeaders() [][2]string {
	out := [][2]string{{":method", s.Method}, {":path", s.Path}, {":authority", s.Authority}, {":scheme", "https"}}
	return append(out, s.Headers...)
}

// UpstreamStatus and UpstreamHeaders describe the response reaching the
// filter when the request is forwarded.
func (s Scenario) UpstreamStatus() int {
	if s.Upstream == nil || s.Upstream.Status == 0 {
		return 200
	}
	return s.Upstream.Status
}

// UpstreamHeaders are the response header lines, ":status" first.
func (s Scenario) UpstreamHeaders() [][2]string {
	out := [][2]string{{":status", fmt.Sprint(s.UpstreamStatus())}}
	if s.Upstream != nil {
		out = append(out, s.Upstream.Headers...)
	}
	return out
}
