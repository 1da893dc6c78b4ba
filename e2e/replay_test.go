// Package e2e replays the shared scenario table (internal/scenarios) over
// real HTTP against a running gateway: Envoy from docker-compose
// (e2e_test.go, build tag e2e) or the local gateway started in-process
// (local_test.go, part of `make test`).
package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/scenarios"
)

// target is the gateway a replay runs against.
type target struct {
	baseURL string // e.g. http://localhost:10000
	// multiHeaderUpstream: the upstream can answer several lines of one
	// response header (the built-in upstream can; for the compose echo
	// service this is not documented, so such scenarios are skipped).
	multiHeaderUpstream bool
	// maxHeaderBytes: requests with larger headers are skipped (Envoy's
	// default max_request_headers_kb is 60 and it answers 431 before any
	// filter runs). 0 means no limit.
	maxHeaderBytes int
	// after runs once per replayed scenario, after the response was
	// checked: the local replay checks the upstream and metric counters.
	after func(t *testing.T, s scenarios.Scenario)
	// before runs before the request is sent.
	before func(s scenarios.Scenario)
}

var client = &http.Client{
	Timeout: 10 * time.Second,
	// A gateway never redirects here; if one does, the redirect itself is
	// the response under test.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// skipReason says why a scenario cannot be replayed over HTTP against tg,
// or "" when it can.
func (tg target) skipReason(s scenarios.Scenario) string {
	size := 0
	for _, kv := range s.Headers {
		if strings.ContainsAny(kv[1], "\r\n\x00") {
			return "a header value with CR, LF or NUL cannot be sent over HTTP/1.1 (clients and servers refuse it)"
		}
		size += len(kv[0]) + len(kv[1]) + 4
	}
	if tg.maxHeaderBytes > 0 && size > tg.maxHeaderBytes {
		return fmt.Sprintf("%d bytes of request headers exceed the gateway's limit (%d): it answers 431 before the filter runs", size, tg.maxHeaderBytes)
	}
	if s.Upstream != nil && !tg.multiHeaderUpstream {
		seen := map[string]bool{}
		for _, kv := range s.Upstream.Headers {
			name := strings.ToLower(kv[0])
			if seen[name] {
				return "needs the upstream to send two " + name + " lines, which the compose echo service cannot be told to do"
			}
			seen[name] = true
		}
	}
	return ""
}

// requestURL is the scenario's path, plus the echo controls that make the
// upstream answer what the scenario says reaches the filter. A response
// from a later filter (s.Upstream.From, e.g. "auth") reaches the CORS
// filter's response callback the same way an upstream response does, so
// the upstream stands in for it.
func requestURL(base string, s scenarios.Scenario) string {
	u := base + s.Path
	if s.Upstream == nil {
		return u
	}
	q := url.Values{}
	if s.Upstream.Status != 0 {
		q.Set("echo_code", fmt.Sprint(s.Upstream.Status))
	}
	for _, kv := range s.Upstream.Headers {
		q.Add("echo_header", kv[0]+":"+kv[1])
	}
	sep := "?"
	if strings.Contains(s.Path, "?") {
		sep = "&"
	}
	return u + sep + q.Encode()
}

// replay sends each scenario and checks the response with the table's own
// Check. Metric, Log and LocalReply are not visible in a response; the
// local replay checks them through tg.after.
func replay(t *testing.T, tg target, list []scenarios.Scenario) {
	t.Helper()
	for _, s := range list {
		t.Run(s.Name, func(t *testing.T) {
			if why := tg.skipReason(s); why != "" {
				t.Skip(why)
			}
			req, err := http.NewRequest(s.Method, requestURL(tg.baseURL, s), nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = s.Authority
			for _, kv := range s.Headers {
				req.Header.Add(kv[0], kv[1])
			}
			if tg.before != nil {
				tg.before(s)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", s.Method, s.Path, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()

			var lines [][2]string
			for name, values := range resp.Header {
				for _, v := range values {
					lines = append(lines, [2]string{strings.ToLower(name), v})
				}
			}
			for _, msg := range s.Check(resp.StatusCode, lines) {
				t.Error(msg)
			}
			if tg.after != nil {
				tg.after(t, s)
			}
		})
	}
}
