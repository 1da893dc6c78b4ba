package gateway

import "sync"

// maxLogLines bounds the module log lines the gateway keeps for the demo
// page and tests; older lines are dropped (they were printed already).
const maxLogLines = 1000

// logRing keeps the last max lines, numbered from 1.
type logRing struct {
	mu    sync.Mutex
	max   int
	lines []string
	last  uint64 // sequence number of the newest line
}

func (r *logRing) add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last++
	r.lines = append(r.lines, line)
	if len(r.lines) > r.max {
		// Drop the oldest half at once: amortised O(1) per line.
		r.lines = append(r.lines[:0], r.lines[len(r.lines)-r.max/2:]...)
	}
}

func (r *logRing) snapshot() ([]string, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...), r.last
}

// since returns the lines numbered after seq that are still kept.
func (r *logRing) since(seq uint64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if seq >= r.last {
		return nil
	}
	n := min(int(r.last-seq), len(r.lines))
	return append([]string(nil), r.lines[len(r.lines)-n:]...)
}
