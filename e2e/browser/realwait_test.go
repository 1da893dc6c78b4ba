package browser

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// waitVar opts in to TestPreflightCacheRealWait: a Go duration, e.g. 610s.
const waitVar = "CORSWASM_BROWSER_WAIT"

// TestPreflightCacheRealWait is the slow, clock-free cross-check of
// TestPreflightCacheCap, and the only cap evidence for Firefox (which does
// not run under libfaketime): each engine caches a preflight answered with
// Max-Age 86400, the test sleeps for $CORSWASM_BROWSER_WAIT of real time,
// and each engine repeats the request. Off by default (it sleeps); run
// with `CORSWASM_BROWSER_WAIT=610s go test -timeout 20m -v -run
// TestPreflightCacheRealWait ./e2e/browser/`.
func TestPreflightCacheRealWait(t *testing.T) {
	v := os.Getenv(waitVar)
	if v == "" {
		t.Skipf("opt-in: set %s=610s to sleep that long between two preflighted PUTs in every engine", waitVar)
	}
	wait, err := time.ParseDuration(v)
	if err != nil || wait <= 0 {
		t.Fatalf("%s=%q: want a Go duration such as 610s", waitVar, v)
	}
	module := loadModule(t)
	pageL, pagePort := listen(t)
	servePage(t, pageL)
	page := "http://127.0.0.1:" + pagePort
	// One gateway for every engine (only one may run per process); each
	// engine has its own path.
	_, rec, base := recordedGateway(t, module, differencesConfig(page))
	var engines []engine
	for _, name := range engineNames {
		if optedOut(name) {
			t.Logf("%s opted out by %s", name, skipVar)
			continue
		}
		b := getEngine(t, name)
		if err := navigate(b, page+"/"); err != nil {
			t.Fatal(err)
		}
		m := &measuring{t: t, b: b, rec: rec, base: base, page: page}
		if r := m.fetch(base+"/cache-day/wait-"+name, putWithKey); !r.OK {
			t.Fatalf("%s: first PUT: got %v; want allowed", name, r)
		}
		engines = append(engines, b)
	}
	t.Logf("sleeping %v", wait)
	time.Sleep(wait)
	for _, b := range engines {
		m := &measuring{t: t, b: b, rec: rec, base: base, page: page}
		path := "/cache-day/wait-" + b.name()
		m.fetch(base+path, putWithKey)
		state := "cached"
		if m.options(path) > 1 {
			state = "OPTIONS"
		}
		t.Logf("measured: %s %s | preflight cache, Max-Age 86400, real wait %v | %s", b.name(), b.version(), wait, state)
		fmt.Fprintf(os.Stderr, "%s: %s after %v\n", b.name(), state, wait)
	}
}
