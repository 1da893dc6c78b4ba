package gateway

import (
	"embed"
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
)

// The demo page is plain HTML and JavaScript, embedded so that `go run`
// needs no files besides the module and the config.
//
//go:embed demo
var demoFiles embed.FS

// DemoPage serves the demo: index.html, demo.js, frame.html (the page
// the "disallowed origin" iframe loads), config.js (ports) and events
// (what the gateway saw, same-origin so the page can read it).
type DemoPage struct {
	GatewayPort    string
	DisallowedPort string // "" when there is no disallowed-origin server
	Events         *eventLog
	// Origin is the page's origin as the banner tells users to open it.
	Origin string
	// advice, when set, is shown on the page: what to change in the
	// configuration so that it allows Origin.
	advice atomic.Pointer[string]
}

func (p *DemoPage) Handler() http.Handler {
	mux := http.NewServeMux()
	files := http.FileServerFS(demoFiles)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/demo/"
		files.ServeHTTP(w, r)
	})
	for _, name := range []string{"demo.js", "frame.html", "style.css"} {
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) {
			r.URL.Path = "/demo/" + name
			files.ServeHTTP(w, r)
		})
	}
	mux.HandleFunc("GET /config.js", func(w http.ResponseWriter, r *http.Request) {
		advice := ""
		if a := p.advice.Load(); a != nil {
			advice = *a
		}
		b, _ := json.Marshal(map[string]string{"gatewayPort": p.GatewayPort, "disallowedPort": p.DisallowedPort, "advice": advice})
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Cache-Control", "no-store")
		w.Write([]byte("window.DEMO = " + string(b) + ";\n"))
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"last": p.Events.last(), "events": p.Events.since(after)})
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
