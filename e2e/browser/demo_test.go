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

	"github.com/chromedp/chromedp"

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
// port), opened as http://localhost:P, and checks that every button got the result the page promises.
// With DEMO_SCREENSHOT=path it also saves a full-page screenshot.
func TestDemoPage(t *testing.T) {
	ctx := newBrowser(t) // first: without a browser there is nothing to compile for
	module := loadModule(t)

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

	if err := navigate(ctx, pageOrigin+"/"); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(runCtx,
		chromedp.Click(chromedp.ID("run-all")),
		chromedp.WaitReady(chromedp.CSS(`body[data-done="true"]`)),
	); err != nil {
		t.Fatalf("run all demos: %v", err)
	}

	type result struct {
		ID, Title, Expect, Got, Verdict, Seen string
	}
	results, err := evaluate[[]result](ctx, `[...document.querySelectorAll('section.demo')].map(el => ({
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

	if path := os.Getenv("DEMO_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot written to %s", path)
	}
}
