package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// engine is everything a scenario needs from a browser: open a page and
// run JavaScript in it. Each engine is driven by its own protocol
// (Chromium: CDP through chromedp; Firefox: WebDriver BiDi; WebKit: W3C
// WebDriver over HTTP), and that difference stays behind this interface,
// so every scenario is written once and runs in all three.
type engine interface {
	// name is the engine as the docs name it: chromium, firefox, webkit.
	name() string
	// version is the browser's own version string, for docs/browsers.md.
	version() string
	// navigate loads url in the one tab and waits for its load event.
	navigate(ctx context.Context, url string) error
	// eval evaluates a JavaScript expression in the page, awaits it if it
	// is a promise, and decodes its JSON serialization into out.
	eval(ctx context.Context, js string, out any) error
	// close ends the browser process and everything it started.
	close() error
}

// engineNames is every engine `make test` must run, in order.
var engineNames = []string{"chromium", "firefox", "webkit"}

// skipVar opts engines out by name ("webkit", "firefox,webkit", "all").
// Without it a missing or broken engine fails the run (issue 12): nothing
// is skipped silently, and every opt-out is printed (here and by `make test`).
const skipVar = "CORSWASM_SKIP_BROWSERS"

func optedOut(name string) bool {
	for _, s := range strings.Split(os.Getenv(skipVar), ",") {
		s = strings.TrimSpace(strings.ToLower(s))
		if s == name || s == "all" {
			return true
		}
	}
	return false
}

// starters start one engine, with env added to the browser's environment
// (the clock test preloads libfaketime that way). Each returns a clear
// error naming the command that failed.
var starters = map[string]func(env []string) (engine, error){
	"chromium": startChromium,
	"firefox":  startFirefox,
	"webkit":   startWebKit,
}

// running holds one browser process per engine for the whole test binary:
// started on first use, closed by TestMain.
var running struct {
	mu   sync.Mutex
	eng  map[string]engine
	errs map[string]error
}

// getEngine returns the engine's shared browser, starting it on first
// use. An opted-out engine skips the test (saying so); a failure to start
// fails it.
func getEngine(t *testing.T, name string) engine {
	t.Helper()
	if optedOut(name) {
		t.Skipf("%s opted out by %s=%q", name, skipVar, os.Getenv(skipVar))
	}
	running.mu.Lock()
	defer running.mu.Unlock()
	if running.eng == nil {
		running.eng, running.errs = map[string]engine{}, map[string]error{}
	}
	if e, ok := running.eng[name]; ok {
		return e
	}
	if err, ok := running.errs[name]; ok {
		t.Fatalf("%s: %v (set %s=%s to opt out)", name, err, skipVar, name)
	}
	e, err := starters[name](nil)
	if err != nil {
		running.errs[name] = err
		t.Fatalf("%s: %v (set %s=%s to opt out)", name, err, skipVar, name)
	}
	running.eng[name] = e
	return e
}

func TestMain(m *testing.M) {
	if v := os.Getenv(skipVar); v != "" {
		fmt.Fprintf(os.Stderr, "e2e/browser: %s=%q: these engines are NOT tested\n", skipVar, v)
	}
	code := m.Run()
	running.mu.Lock()
	for name, e := range running.eng {
		if err := e.close(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e/browser: close %s: %v\n", name, err)
		}
	}
	running.mu.Unlock()
	os.Exit(code)
}

// forEachEngine runs fn as one subtest per engine, in order.
func forEachEngine(t *testing.T, fn func(t *testing.T, b engine)) {
	for _, name := range engineNames {
		t.Run(name, func(t *testing.T) {
			b := getEngine(t, name)
			t.Logf("%s %s", b.name(), b.version())
			fn(t, b)
		})
	}
}

// asyncJSON wraps an expression so that every engine returns the same
// thing: a string holding the JSON of the awaited value. Each protocol
// serializes objects its own way; a string crosses all three unchanged.
func asyncJSON(js string) string {
	return "(async () => JSON.stringify(await (" + js + ")))()"
}

// decodeJSONString decodes what asyncJSON returned into out. An undefined
// result arrives as "" or null and decodes as JSON null.
func decodeJSONString(s *string, out any) error {
	if s == nil || *s == "" {
		return json.Unmarshal([]byte("null"), out)
	}
	if err := json.Unmarshal([]byte(*s), out); err != nil {
		return fmt.Errorf("decode script result %.200q: %w", *s, err)
	}
	return nil
}

// evaluate runs an async JavaScript expression in the current page of b
// and waits (at most 20 s) for its promise.
func evaluate[T any](b engine, js string) (T, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out T
	err := b.eval(ctx, js, &out)
	return out, err
}

func navigate(b engine, url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return b.navigate(ctx, url)
}

// freePort returns a loopback port that was free a moment ago, for a
// driver that must be told its port on the command line.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port, nil
}

// lookPath finds the first of names on PATH (or as an absolute path).
func lookPath(env string, names ...string) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("none of %s found (set $%s)", strings.Join(names, ", "), env)
}

// tail keeps the last n bytes of a process's output for error messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
	n   int
}

func (w *tail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if len(w.buf) > w.n {
		w.buf = slices.Clone(w.buf[len(w.buf)-w.n:])
	}
	return len(p), nil
}

func (w *tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.TrimSpace(string(w.buf))
}

// startError says which command failed to give us a browser, and what it
// printed: docs/browsers.md and the issue want the exact command and error.
type startError struct {
	cmd    string
	err    error
	output string
}

func (e *startError) Error() string {
	s := fmt.Sprintf("start `%s`: %v", e.cmd, e.err)
	if e.output != "" {
		s += "; its output ends: " + e.output
	}
	return s
}

func (e *startError) Unwrap() error { return e.err }
