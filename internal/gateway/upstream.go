package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
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
//
// Like the echo service of e2e/docker-compose.yaml (ealen/echo-server), it
// takes ?echo_code=401 (the status) and ?echo_header=Name:value (a
// response header; repeat it for more lines), which override the above.
// That is how the e2e replay and the demo make it answer, e.g., its own
// Access-Control-Allow-Origin: * for the gateway to override.
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
	status = applyEchoControls(r.URL.Query(), h, status)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(reply)
}

// applyEchoControls applies echo_header (each name's lines replace the
// handler's) and echo_code (200-599) and returns the status.
func applyEchoControls(q url.Values, h http.Header, status int) int {
	replaced := map[string]bool{}
	for _, line := range q["echo_header"] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			continue
		}
		name = http.CanonicalHeaderKey(strings.TrimSpace(name))
		if !replaced[name] {
			h.Del(name)
			replaced[name] = true
		}
		h.Add(name, strings.TrimSpace(value))
	}
	if code, err := strconv.Atoi(q.Get("echo_code")); err == nil && code >= 200 && code <= 599 {
		status = code
	}
	return status
}

func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
