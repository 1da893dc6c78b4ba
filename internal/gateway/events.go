package gateway

import "sync"

// Event is one request as the gateway handled it, for the demo page's
// "what the gateway saw" panel.
type Event struct {
	Seq    int    `json:"seq"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Origin string `json:"origin,omitempty"`
	Status int    `json:"status"`
	How    string `json:"how"` // "local reply from the module", "proxied", …
	// CORS holds the Access-Control-* and Vary headers sent back.
	CORS map[string]string `json:"cors"`
}

// eventLog keeps the last few events in memory.
type eventLog struct {
	mu     sync.Mutex
	seq    int
	events []Event
}

const maxEvents = 200

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e.Seq = l.seq
	l.events = append(l.events, e)
	if len(l.events) > maxEvents {
		l.events = append(l.events[:0], l.events[len(l.events)-maxEvents:]...)
	}
}

// since returns the events with Seq > after.
func (l *eventLog) since(after int) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Event{}
	for _, e := range l.events {
		if e.Seq > after {
			out = append(out, e)
		}
	}
	return out
}

// last returns the highest Seq so far.
func (l *eventLog) last() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}
