package browser

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
	"github.com/corswasm/corswasm/policy"
)

// TestBrowserDifferences measures, in each engine, the behaviours where
// browsers are known or suspected to differ. Every row of the table in
// docs/browsers.md is one of these measurements: the test asserts the
// value measured there for each engine, and `go test -v -run
// TestBrowserDifferences ./e2e/browser/` prints every value it sees
// ("measured: ..."), so the table can be re-derived from one command.
func TestBrowserDifferences(t *testing.T) {
	module := loadModule(t)
	pageL, pagePort := listen(t)
	servePage(t, pageL)
	page := "http://127.0.0.1:" + pagePort

	// A server that is not our module: it answers every request with
	// Access-Control-Allow-Origin: null, to see whether an engine lets a
	// sandboxed (null-origin) document read it.
	nullL, nullPort := listen(t)
	nullSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "null")
		w.Write([]byte("read by a null origin"))
	})}
	go nullSrv.Serve(nullL)
	t.Cleanup(func() { nullSrv.Close() })
	nullServer := "http://localhost:" + nullPort

	// Another server that is not our module: it answers every preflight
	// with Access-Control-Allow-Headers: * (no credentials), to see what an
	// engine does with * when the preflight asks for Authorization. Our
	// module refuses that preflight itself, so it cannot show this.
	starL, starPort := listen(t)
	starRec := &recorder{}
	starSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		starRec.mu.Lock()
		starRec.log = append(starRec.log, seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
		starRec.mu.Unlock()
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", page)
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, PUT")
			h.Set("Access-Control-Allow-Headers", "*")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Write([]byte("ok"))
	})}
	go starSrv.Serve(starL)
	t.Cleanup(func() { starSrv.Close() })
	starServer := "http://localhost:" + starPort

	cfg := differencesConfig(page)
	raw, _ := json.Marshal(cfg)
	if _, err := policy.Compile(raw); err != nil {
		t.Fatalf("measurement config rejected by the policy engine: %v", err)
	}

	forEachEngine(t, func(t *testing.T, b engine) {
		gw, rec, base := recordedGateway(t, module, cfg)
		if err := navigate(b, page+"/"); err != nil {
			t.Fatal(err)
		}
		m := &measuring{t: t, b: b, rec: rec, gw: gw, base: base, page: page, nullServer: nullServer, starServer: starServer, starRec: starRec}
		for _, d := range differences {
			t.Run(d.row, func(t *testing.T) {
				m.t = t
				got := d.measure(m)
				t.Logf("measured: %s | %s | %s", b.name(), d.row, got)
				want, ok := d.want[b.name()]
				if !ok {
					want = d.want["*"]
				}
				if got != want {
					t.Errorf("%s: got %q; want %q (docs/browsers.md)", b.name(), got, want)
				}
			})
		}
	})
}

// differencesConfig has one route per measurement, none with credentials,
// so that `*` is a wildcard and nothing depends on cookies.
func differencesConfig(page string) map[string]any {
	route := func(name string, rules map[string]any) map[string]any {
		r := map[string]any{"name": name, "pathPrefixes": []string{"/" + name + "/"}, "allowOrigins": []string{page}, "unmatchedPreflights": "reject"}
		for k, v := range rules {
			r[k] = v
		}
		return r
	}
	put := []string{"GET", "PUT"}
	return map[string]any{
		"allowOrigins":        []string{page},
		"allowMethods":        put,
		"unmatchedPreflights": "reject",
		"routes": []any{
			route("cache-day", map[string]any{"allowMethods": put, "allowHeaders": []string{"x-api-key"}, "maxAge": 86400}),
			route("cache-2s", map[string]any{"allowMethods": put, "allowHeaders": []string{"x-api-key"}, "maxAge": 2}),
			route("star", map[string]any{"allowMethods": put, "allowHeaders": []string{"*"}}),
			route("star-auth", map[string]any{"allowMethods": put, "allowHeaders": []string{"*", "authorization"}}),
			route("acrh", map[string]any{"allowMethods": put, "allowHeaders": []string{"authorization", "content-type", "x-alpha", "x-mid", "x-zeta"}}),
			route("sandbox", map[string]any{"allowMethods": put, "allowHeaders": []string{"x-api-key"}}),
			route("redirect", map[string]any{"allowMethods": put, "allowHeaders": []string{"x-api-key"}}),
		},
	}
}

// measuring is what a measurement works with: one engine on the test page,
// and the gateway (reached by name, through the recorder).
type measuring struct {
	t          *testing.T
	b          engine
	rec        *recorder
	gw         *gateway.Server
	base       string // http://localhost:port, the recorded gateway
	page       string // the test page's origin, shown as "page" in traces
	nullServer string
	starServer string
	starRec    *recorder // what reached starServer
}

// fetch runs one fetch from the test page and reports allowed or blocked.
func (m *measuring) fetch(url, init string) fetchResult {
	m.t.Helper()
	got, err := runSteps(m.b, "", []step{{url, init}})
	if err != nil {
		m.t.Fatalf("fetch %s: %v", url, err)
	}
	return got[0]
}

// options counts the preflights the gateway saw for path.
func (m *measuring) options(path string) int { return len(m.rec.requests("OPTIONS", path)) }

// verdict is "allowed" or "blocked", what JavaScript could observe.
func verdict(r fetchResult) string {
	if r.OK {
		return "allowed"
	}
	return "blocked"
}

// sandboxedFetch runs fetch inside <iframe sandbox="allow-scripts">, whose
// origin is opaque (it serializes as "null"), and returns its verdict.
func (m *measuring) sandboxedFetch(url, init string) string {
	m.t.Helper()
	inner := fmt.Sprintf(`<script>(async () => {
  let r;
  try { const res = await fetch(%q, %s); await res.text(); r = 'allowed'; }
  catch (e) { r = 'blocked'; }
  parent.postMessage(r, '*');
})()</script>`, url, init)
	src, _ := json.Marshal(inner)
	js := `new Promise((resolve) => {
  const f = document.createElement('iframe');
  f.sandbox = 'allow-scripts';
  addEventListener('message', (e) => { if (e.source === f.contentWindow) { f.remove(); resolve(e.data); } });
  f.srcdoc = ` + string(src) + `;
  document.body.appendChild(f);
})`
	got, err := evaluate[string](m.b, js)
	if err != nil {
		m.t.Fatalf("sandboxed fetch %s: %v", url, err)
	}
	return got
}

// trace renders what reached the gateway under prefix, in order:
// "OPTIONS /a 204, PUT /a 307, ...", with the Origin header when asked.
func (m *measuring) trace(prefix string, withOrigin bool) string {
	var parts []string
	for _, s := range m.rec.under(prefix) {
		p := fmt.Sprintf("%s %s %d", s.Method, s.Path, s.Status)
		if withOrigin {
			p += " (Origin: " + strings.ReplaceAll(originOf(s), m.page, "page") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

func originOf(s seen) string {
	if v, ok := s.Header["Origin"]; ok {
		return strings.Join(v, " | ")
	}
	return "absent"
}

// difference is one row of docs/browsers.md: how to measure it and the
// value measured in each engine ("*" for all engines).
type difference struct {
	row     string
	measure func(m *measuring) string
	want    map[string]string
}

const putWithKey = `{method: 'PUT', headers: {'X-Api-Key': 'k'}}`

var differences = []difference{
	{
		row: "Max-Age 86400: preflights for two identical PUTs",
		measure: func(m *measuring) string {
			m.fetch(m.base+"/cache-day/a", putWithKey)
			r := m.fetch(m.base+"/cache-day/a", putWithKey)
			return fmt.Sprintf("%d OPTIONS, %s", m.options("/cache-day/a"), verdict(r))
		},
		want: map[string]string{"*": "1 OPTIONS, allowed"},
	},
	{
		row: "Max-Age 86400, gateway addressed by IP (127.0.0.1): is the preflight reused, on 3 fresh paths after a navigation?",
		measure: func(m *measuring) string {
			// Every other row calls the gateway by name (localhost). Firefox
			// re-sent these preflights in every run we made, most often for
			// the first paths after a navigation; its preflight cache drops
			// an entry whose host's DNS record looks newer than the entry
			// (CheckDNSCache in nsCORSListenerProxy.cpp), which an IP literal
			// seems to trip. So the row says whether the cache was always
			// used, not how often.
			if err := navigate(m.b, m.page+"/"); err != nil {
				m.t.Fatal(err)
			}
			ip := strings.Replace(m.base, "//localhost:", "//127.0.0.1:", 1)
			resent := 0
			for i := range 3 {
				path := fmt.Sprintf("/cache-day/ip-%d", i)
				m.fetch(ip+path, putWithKey)
				m.fetch(ip+path, putWithKey)
				if m.options(path) > 1 {
					resent++
				}
			}
			m.t.Logf("preflight re-sent on %d of 3 paths", resent)
			if resent == 0 {
				return "always reused"
			}
			return "not always reused"
		},
		want: map[string]string{"*": "always reused", "firefox": "not always reused"},
	},
	{
		row: "Max-Age 2: preflights for PUT, PUT, then PUT 3 s later",
		measure: func(m *measuring) string {
			m.fetch(m.base+"/cache-2s/a", putWithKey)
			m.fetch(m.base+"/cache-2s/a", putWithKey)
			within := m.options("/cache-2s/a")
			time.Sleep(3 * time.Second)
			m.fetch(m.base+"/cache-2s/a", putWithKey)
			return fmt.Sprintf("%d OPTIONS within 2 s, %d after 3 s", within, m.options("/cache-2s/a"))
		},
		want: map[string]string{"*": "1 OPTIONS within 2 s, 2 after 3 s"},
	},
	{
		row: "Access-Control-Allow-Headers: * for X-Anything",
		measure: func(m *measuring) string {
			r := m.fetch(m.base+"/star/custom", `{headers: {'X-Anything': '1'}}`)
			return verdict(r) + ", ACAH sent: " + m.allowHeaders("/star/custom")
		},
		want: map[string]string{"*": "allowed, ACAH sent: *"},
	},
	{
		row: "Access-Control-Allow-Headers: * for Authorization",
		measure: func(m *measuring) string {
			r := m.fetch(m.base+"/star/auth", `{headers: {'Authorization': 'Bearer t'}}`)
			return verdict(r) + ", ACAH sent: " + m.allowHeaders("/star/auth")
		},
		// The module itself refuses the preflight (403, no ACAH), as
		// allowHeaders ["*"] does not cover authorization.
		want: map[string]string{"*": "blocked, ACAH sent: (none, status 403)"},
	},
	{
		row: "Access-Control-Allow-Headers: * (not our module) for Authorization",
		measure: func(m *measuring) string {
			path := "/auth-" + m.b.name()
			r := m.fetch(m.starServer+path, `{headers: {'Authorization': 'Bearer t'}}`)
			var sent []string
			for _, x := range m.starRec.under(path) {
				sent = append(sent, fmt.Sprintf("%s (ACRH %q, Authorization %q)", x.Method, x.Header.Get("Access-Control-Request-Headers"), x.Header.Get("Authorization")))
			}
			return verdict(r) + "; server saw " + strings.Join(sent, ", ")
		},
		// Fetch §4.8 (CORS-preflight fetch) says * never covers
		// Authorization. All three engines measured here still let it:
		// they send the Authorization header and let JavaScript read the
		// answer. Our module is stricter than the browsers: allowHeaders
		// ["*"] refuses a preflight asking for authorization (the row
		// before this one), so a config means the same thing in every
		// browser, today's and the standard's.
		want: map[string]string{"*": `allowed; server saw OPTIONS (ACRH "authorization", Authorization ""), GET (ACRH "", Authorization "Bearer t")`},
	},
	{
		row: "Access-Control-Allow-Headers: *, authorization for Authorization",
		measure: func(m *measuring) string {
			r := m.fetch(m.base+"/star-auth/auth", `{headers: {'Authorization': 'Bearer t'}}`)
			return verdict(r) + ", ACAH sent: " + m.allowHeaders("/star-auth/auth")
		},
		want: map[string]string{"*": "allowed, ACAH sent: *, authorization"},
	},
	{
		row: "Access-Control-Request-Headers for X-Zeta, x-alpha, X-Alpha, Content-Type: application/json, X-Mid, Authorization",
		measure: func(m *measuring) string {
			m.fetch(m.base+"/acrh/a", `{method: 'PUT', headers: (() => {
  const h = new Headers();
  h.append('X-Zeta', '1'); h.append('x-alpha', '2'); h.append('X-Alpha', '3');
  h.append('Content-Type', 'application/json'); h.append('X-Mid', '4'); h.append('Authorization', 'Bearer t');
  return h; })()}`)
			return m.requestHeaders("/acrh/a")
		},
		want: map[string]string{"*": "authorization,content-type,x-alpha,x-mid,x-zeta"},
	},
	{
		row: "Access-Control-Request-Headers with safelisted Accept and Content-Type: text/plain plus X-B",
		measure: func(m *measuring) string {
			m.fetch(m.base+"/acrh/b", `{method: 'PUT', headers: {'Accept': 'text/plain', 'Content-Type': 'text/plain', 'X-B': '1'}}`)
			return m.requestHeaders("/acrh/b")
		},
		want: map[string]string{"*": "x-b"},
	},
	{
		row: "sandboxed iframe: simple GET",
		measure: func(m *measuring) string {
			v := m.sandboxedFetch(m.base+"/sandbox/get", `{}`)
			return v + "; " + m.trace("/sandbox/get", true)
		},
		want: map[string]string{"*": "blocked; GET /sandbox/get 200 (Origin: null)"},
	},
	{
		row: "sandboxed iframe: preflighted PUT",
		measure: func(m *measuring) string {
			v := m.sandboxedFetch(m.base+"/sandbox/put", putWithKey)
			return v + "; " + m.trace("/sandbox/put", true)
		},
		want: map[string]string{"*": "blocked; OPTIONS /sandbox/put 403 (Origin: null)"},
	},
	{
		row: "sandboxed iframe: response with Access-Control-Allow-Origin: null (not our module)",
		measure: func(m *measuring) string {
			return m.sandboxedFetch(m.nullServer+"/", `{}`)
		},
		want: map[string]string{"*": "allowed"},
	},
	{
		row: "preflighted PUT answered 307 to the same origin",
		measure: func(m *measuring) string {
			r := m.fetch(m.base+"/redirect/s-a?"+redirectTo("/redirect/s-b"), putWithKey)
			return verdict(r) + "; " + m.trace("/redirect/s-", true)
		},
		want: map[string]string{"*": "allowed; OPTIONS /redirect/s-a 204 (Origin: page), PUT /redirect/s-a 307 (Origin: page), OPTIONS /redirect/s-b 204 (Origin: page), PUT /redirect/s-b 200 (Origin: page)"},
	},
	{
		row: "preflighted PUT answered 307 to another origin",
		measure: func(m *measuring) string {
			// The same recorded gateway under its IP: another origin.
			target := strings.Replace(m.base, "//localhost:", "//127.0.0.1:", 1) + "/redirect/x-d"
			r := m.fetch(m.base+"/redirect/x-c?"+redirectTo(target), putWithKey)
			return verdict(r) + "; " + m.trace("/redirect/x-", true)
		},
		// Fetch §4.4 (HTTP-redirect fetch) taints the request's origin
		// after a cross-origin redirect, so the redirected request says
		// Origin: null, which our module never allows. Firefox sends its
		// new preflight with the page's origin and only the actual request
		// with null: that PUT reaches the upstream, its answer unreadable.
		want: map[string]string{
			"*":       "blocked; OPTIONS /redirect/x-c 204 (Origin: page), PUT /redirect/x-c 307 (Origin: page), OPTIONS /redirect/x-d 403 (Origin: null)",
			"firefox": "blocked; OPTIONS /redirect/x-c 204 (Origin: page), PUT /redirect/x-c 307 (Origin: page), OPTIONS /redirect/x-d 204 (Origin: page), PUT /redirect/x-d 200 (Origin: null)",
		},
	},
}

// redirectTo makes the demo upstream answer 307 with Location: to.
func redirectTo(to string) string {
	return "echo_code=307&echo_header=" + url.QueryEscape("Location:"+to)
}

// allowHeaders is the Access-Control-Allow-Headers the gateway answered
// the (first) preflight for path with.
func (m *measuring) allowHeaders(path string) string {
	pre := m.rec.requests("OPTIONS", path)
	if len(pre) == 0 {
		return "(no preflight)"
	}
	v, ok := pre[0].Response["Access-Control-Allow-Headers"]
	if !ok {
		return fmt.Sprintf("(none, status %d)", pre[0].Status)
	}
	return strings.Join(v, " | ")
}

// requestHeaders is the Access-Control-Request-Headers of the first
// preflight for path, verbatim; several header lines are joined by " | ".
func (m *measuring) requestHeaders(path string) string {
	pre := m.rec.requests("OPTIONS", path)
	if len(pre) == 0 {
		return "(no preflight)"
	}
	v, ok := pre[0].Header["Access-Control-Request-Headers"]
	if !ok {
		return "(absent)"
	}
	return strings.Join(v, " | ")
}
