package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// Stats counts requests per "METHOD /path" (query excluded) and the
// statuses answered. The browser tests use it to see what Chromium really
// sent: a cached preflight shows up as no OPTIONS at all.
type Stats struct {
	mu sync.Mutex
	m  map[string]*Count
}

// Count is the tally for one method and path.
type Count struct {
	Requests int            `json:"requests"`
	Statuses map[string]int `json:"statuses"`
}

func NewStats() *Stats { return &Stats{m: map[string]*Count{}} }

// Key is how Stats names a request.
func Key(method, path string) string { return method + " " + path }

// Record counts one request answered with status (0 if none was written).
func (s *Stats) Record(method, path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.m[Key(method, path)]
	if c == nil {
		c = &Count{Statuses: map[string]int{}}
		s.m[Key(method, path)] = c
	}
	c.Requests++
	c.Statuses[strconv.Itoa(status)]++
}

// Requests returns how many requests for method and path were seen.
func (s *Stats) Requests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.m[Key(method, path)]; c != nil {
		return c.Requests
	}
	return 0
}

// Status returns how many requests for method and path got status.
func (s *Stats) Status(method, path string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.m[Key(method, path)]; c != nil {
		return c.Statuses[strconv.Itoa(status)]
	}
	return 0
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() map[string]Count {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Count, len(s.m))
	for k, c := range s.m {
		st := make(map[string]int, len(c.Statuses))
		for code, n := range c.Statuses {
			st[code] = n
		}
		out[k] = Count{Requests: c.Requests, Statuses: st}
	}
	return out
}

// serveAdmin answers /__gateway/stats with the gateway's counters and, when
// the built-in upstream is in use, the upstream's.
func (g *Gateway) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != AdminPrefix+"stats" {
		http.NotFound(w, r)
		return
	}
	body := map[string]any{"gateway": g.Stats.Snapshot()}
	if g.UpstreamStats != nil {
		body["upstream"] = g.UpstreamStats.Snapshot()
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(body)
}
