package gateway

import (
	"strconv"
	"strings"
	"sync"
)

// Stats counts requests and the statuses answered, per route and per
// path. The browser tests use the per-path counts to see what Chromium
// really sent (a cached preflight shows up as no OPTIONS at all).
//
// Memory is bounded: a path is counted under its own key only while fewer
// than maxPathKeys keys exist; later new paths are counted under
// "METHOD (other paths)". Route keys ("GET /api/*": the method and the
// path's first segment, the prefix a route usually matches on) are capped
// the same way. Before the cap, a crawler or a scanner requesting unique
// paths grew the stats of a long-running gateway by about 36 bytes per
// request.
type Stats struct {
	mu     sync.Mutex
	paths  map[statKey]*Count
	routes map[statKey]*Count
	total  Count
}

// statKey is a struct, not the "METHOD /path" string, so that counting a
// request allocates nothing once its key exists.
type statKey struct{ method, path string }

// maxPathKeys bounds each of the two tables.
const maxPathKeys = 1000

// Count is the tally for one key.
type Count struct {
	Requests int            `json:"requests"`
	Statuses map[string]int `json:"statuses"`
}

func NewStats() *Stats {
	return &Stats{paths: map[statKey]*Count{}, routes: map[statKey]*Count{}, total: Count{Statuses: map[string]int{}}}
}

// Key is how Stats names a request.
func Key(method, path string) string { return method + " " + path }

// RouteOf is the route key of a path: its first segment, e.g. "/api/*"
// for /api/items/42, "/" for /.
func RouteOf(path string) string {
	if k := routeKey(path); k != "/" && strings.HasSuffix(k, "/") {
		return k + "*"
	}
	return routeKey(path)
}

// routeKey is RouteOf without the "*": a substring of path, so that
// counting allocates nothing.
func routeKey(path string) string {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return "(other)"
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return path[:i+2]
	}
	return path
}

// Record counts one request answered with status (0 if none was written).
func (s *Stats) Record(method, path string, status int) {
	code := statusText(status)
	s.mu.Lock()
	defer s.mu.Unlock()
	bump(s.paths, method, path, "(other paths)", code)
	bump(s.routes, method, routeKey(path), "(other routes)", code)
	s.total.Requests++
	s.total.Statuses[code]++
}

func bump(m map[statKey]*Count, method, key, overflow, code string) {
	k := statKey{method, key}
	c := m[k]
	if c == nil {
		if len(m) >= maxPathKeys {
			k = statKey{method, overflow}
			c = m[k]
		}
		if c == nil {
			c = &Count{Statuses: map[string]int{}}
			m[k] = c
		}
	}
	c.Requests++
	c.Statuses[code]++
}

// statusText avoids an allocation for the usual codes.
func statusText(status int) string {
	switch status {
	case 200:
		return "200"
	case 204:
		return "204"
	case 403:
		return "403"
	}
	return strconv.Itoa(status)
}

// Requests returns how many requests for method and path were seen.
func (s *Stats) Requests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.paths[statKey{method, path}]; c != nil {
		return c.Requests
	}
	return 0
}

// Status returns how many requests for method and path got status.
func (s *Stats) Status(method, path string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.paths[statKey{method, path}]; c != nil {
		return c.Statuses[strconv.Itoa(status)]
	}
	return 0
}

// Total is every request counted, with its statuses.
func (s *Stats) Total() Count {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyCount(&s.total)
}

// Snapshot copies the per-path counters.
func (s *Stats) Snapshot() map[string]Count { return s.copy(s.paths) }

// Routes copies the per-route counters, keyed "METHOD /segment/*".
func (s *Stats) Routes() map[string]Count {
	out := map[string]Count{}
	for k, c := range s.copy(s.routes) {
		method, key, _ := strings.Cut(k, " ")
		out[Key(method, RouteOf(key))] = c
	}
	return out
}

func (s *Stats) copy(m map[statKey]*Count) map[string]Count {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Count, len(m))
	for k, c := range m {
		out[Key(k.method, k.path)] = copyCount(c)
	}
	return out
}

func copyCount(c *Count) Count {
	st := make(map[string]int, len(c.Statuses))
	for code, n := range c.Statuses {
		st[code] = n
	}
	return Count{Requests: c.Requests, Statuses: st}
}
