package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path"
)

// DemoUpstream is the built-in backend the local gateway fronts when no
// -upstream is given. It knows nothing about CORS on purpose: every CORS
// header the browser sees comes from the module. What it answers depends
// on the last path segment, so the same behaviours are reachable under
// any route prefix (/api/login, /star/login, …):
//
//	login    sets the cookie demo_session (for the credentials demo)
//	me       reports the demo_session cookie it received
//	private  answers 401, like an auth filter or backend would
//	anything else echoes the request as JSON
//
// Every answer carries x-request-id (exposed by the example config) and
// x-internal-secret (never exposed, so cross-origin JavaScript reads null).
// With ?upstream_acao=<value> it also sets its own
// Access-Control-Allow-Origin, to show the gateway overriding it.
type DemoUpstream struct {
	// Stats counts what reached the upstream: a preflight answered by the
	// module never shows up here.
	Stats *Stats
}

func NewDemoUpstream() *DemoUpstream { return &DemoUpstream{Stats: NewStats()} }

// SessionCookie is the cookie the login endpoint sets.
const SessionCookie = "demo_session"

func (u *DemoUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status := http.StatusOK
	defer func() { u.Stats.Record(r.Method, r.URL.Path, status) }()

	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", randomID())
	h.Set("X-Internal-Secret", "do-not-leak-"+randomID())
	if v := r.URL.Query().Get("upstream_acao"); v != "" {
		h.Set("Access-Control-Allow-Origin", v)
		h.Set("Access-Control-Allow-Credentials", "true")
	}

	reply := map[string]any{
		"upstream": "corswasm demo upstream",
		"method":   r.Method,
		"path":     r.URL.RequestURI(),
		"origin":   r.Header.Get("Origin"),
	}
	if len(body) > 0 {
		reply["body"] = string(body)
	}
	switch path.Base(r.URL.Path) {
	case "login":
		v := randomID()
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		reply["set_cookie"] = SessionCookie + "=" + v
	case "me":
		if c, err := r.Cookie(SessionCookie); err == nil {
			reply["cookie"] = c.Value
		} else {
			reply["cookie"] = nil
		}
	case "private":
		status = http.StatusUnauthorized
		h.Set("WWW-Authenticate", `Bearer realm="demo"`)
		reply["error"] = "missing or invalid credentials"
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		// A preflight that got past the module: answer it without CORS
		// headers, as a CORS-unaware backend does, so the browser fails it.
		reply["note"] = "this preflight reached the upstream"
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(reply)
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
