package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// Why the gateway advises rather than adapts: the demo exists to show the
// user's own configuration at work before they deploy it. Serving a policy
// quietly widened to wherever the demo runs would show a policy that is
// not theirs (and teach that the origin list does not matter). So when the
// configuration does not allow the demo page's origin, the gateway says so,
// on the terminal and on the page, with the exact change to make: add the
// origin, or move the demo back to a port the configuration allows.

// demoProbePath is a path the demo page calls (demo.js).
const demoProbePath = "/api/hello"

// Allows asks the module, in a throw-away VM configured with config,
// whether a GET from origin to path gets Access-Control-Allow-Origin.
// The serving VMs never see the probe, so their counters stay untouched.
func (e *Engine) Allows(config []byte, origin, path string) (bool, error) {
	w := &worker{mute: true}
	inst, ok, err := e.module.wm.Instantiate(context.Background(), config, e.vmOptions(w, nil)...)
	if err != nil {
		return false, err
	}
	defer inst.Close()
	if !ok {
		return false, &ConfigError{}
	}
	s, err := inst.NewStream()
	if err != nil {
		return false, err
	}
	u, _ := url.Parse(origin)
	req := []wasmhost.Header{{":method", "GET"}, {":path", path}, {":authority", u.Host}, {":scheme", "http"}, {"origin", origin}}
	if _, err := s.RequestHeaders(req, true); err != nil {
		return false, err
	}
	var resp []wasmhost.Header
	if s.LocalReply != nil {
		resp, _, err = s.LocalReplyPass()
	} else {
		_, err = s.ResponseHeaders([]wasmhost.Header{{":status", "200"}, {"content-type", "application/json"}}, false)
		resp = s.Response
	}
	if err != nil {
		return false, err
	}
	acao := wasmhost.Get(resp, "access-control-allow-origin")
	return len(acao) == 1 && (acao[0] == origin || acao[0] == "*"), nil
}

// checkDemo tells the user, on the terminal and on the demo page, when
// config does not allow the demo page's origin, and exactly what to change.
func (s *Server) checkDemo(config []byte) {
	if s.demo == nil {
		return
	}
	origin := s.demo.Origin
	ok, err := s.Engine.Allows(config, origin, demoProbePath)
	if err != nil || ok {
		s.demo.advice.Store(nil)
		return
	}
	file := "the plugin configuration"
	if s.cfg.ConfigPath != "" {
		file = s.cfg.ConfigPath
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The demo page runs at %s, an origin %s does not allow, so every \"allowed\" demo would show BLOCKED.\n", origin, file)
	fmt.Fprintf(&b, "Either add %q to \"allowOrigins\" in %s", origin, file)
	if s.cfg.ConfigPath != "" {
		b.WriteString(" (the gateway reloads it: no restart)")
	}
	if p := allowedLocalhostPort(config); p != "" {
		fmt.Fprintf(&b, ",\nor run the demo where the configuration expects it: -demo 127.0.0.1:%s (make run: DEMO=127.0.0.1:%s)", p, p)
	}
	b.WriteString(".")
	advice := b.String()
	s.demo.advice.Store(&advice)
	fmt.Fprintf(s.progress, "\nNOTE: %s\n\n", strings.ReplaceAll(advice, "\n", "\n      "))
}

// allowedLocalhostPort returns the port of the first http://localhost:P
// origin in the configuration's top-level allowOrigins, if any.
func allowedLocalhostPort(config []byte) string {
	var c struct {
		AllowOrigins []string `json:"allowOrigins"`
	}
	if json.Unmarshal(config, &c) != nil {
		return ""
	}
	for _, o := range c.AllowOrigins {
		if p, ok := strings.CutPrefix(o, "http://localhost:"); ok && p != "" && !strings.ContainsAny(p, "/*") {
			return p
		}
	}
	return ""
}
