package browser

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/gateway"
)

// freeAddr returns a loopback address that was free a moment ago. The demo
// page must know its own origin before the gateway's config is written.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestDemoPage clicks "Run all" on the demo page that `make run` serves,
// with examples/config.json (only its allowOrigins moved to the test's
// port), opened as http://localhost:P, and checks that every button got
// the result the page promises, in every engine. With DEMO_SCREENSHOT=path
// it also saves Chromium's full-page screenshot.
func TestDemoPage(t *testing.T) {
	module := loadModule(t)
	forEachEngine(t, func(t *testing.T, b engine) { runDemoPage(t, b, module) })
}

func runDemoPage(t *testing.T, b engine, module *gateway.Module) {

	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("examples/config.json: %v", err)
	}
	// Opened as http://localhost:P, as the README tells users to; the page
	// then calls the gateway as http://localhost:G.
	demoAddr := freeAddr(t)
	_, demoPort, _ := net.SplitHostPort(demoAddr)
	pageOrigin := "http://localhost:" + demoPort
	cfg["allowOrigins"] = []string{pageOrigin}
	pluginCfg, _ := json.Marshal(cfg)

	s, err := gateway.Start(gateway.Config{
		Compiled: module, PluginConfig: pluginCfg,
		Listen: "127.0.0.1:0", DemoListen: demoAddr, DisallowedListen: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatalf("start gateway: %v", err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(c)
	})

	if err := navigate(b, pageOrigin+"/"); err != nil {
		t.Fatal(err)
	}
	// Click "Run all" and wait (bounded) for the page to mark itself done.
	if _, err := evaluate[bool](b, `(() => { document.getElementById('run-all').click(); return true; })()`); err != nil {
		t.Fatalf("click run-all: %v", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		done, err := evaluate[bool](b, `document.body.dataset.done === 'true'`)
		if err != nil {
			t.Fatalf("poll body[data-done]: %v", err)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("run all demos: body[data-done] not true within 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}

	type result struct {
		ID, Title, Expect, Got, Verdict, Seen string
	}
	results, err := evaluate[[]result](b, `[...document.querySelectorAll('section.demo')].map(el => ({
  ID: el.id, Title: el.querySelector('.title').textContent,
  Expect: el.querySelector('.expect').textContent.replace('expected: ', ''),
  Got: el.dataset.result || '', Verdict: el.querySelector('.verdict').textContent,
  Seen: el.querySelector('.seen').textContent}))`)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 5 {
		t.Fatalf("demo buttons: got %d; want at least the 5 of issue 4", len(results))
	}
	for _, r := range results {
		if r.Got != r.Expect {
			t.Errorf("demo %q: got %s (%q); want %s", r.ID, r.Got, r.Verdict, r.Expect)
		}
		// The "gateway saw" panel must show what was really sent: for an
		// allowed request, this page's exact origin in ACAO.
		if want := "access-control-allow-origin: " + pageOrigin; r.Expect == "allowed" && !strings.Contains(r.Seen, want) {
			t.Errorf("demo %q gateway panel: got %q; want it to contain %q", r.ID, r.Seen, want)
		}
	}

	if c, ok := b.(*chromium); ok && os.Getenv("DEMO_SCREENSHOT") != "" {
		path := os.Getenv("DEMO_SCREENSHOT")
		png, err := c.screenshot()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot written to %s", path)
	}
}
