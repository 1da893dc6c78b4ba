package browser

import (
	"context"
	"os"
	"os/exec"
	"strings"

	"github.com/chromedp/chromedp"
)

// chromium is Debian's Chromium driven by chromedp over the DevTools
// protocol.
type chromium struct {
	ctx          context.Context // the browser's tab; lives until close
	cancel       func()
	versionLabel string
}

// startChromium starts one headless Chromium with a fresh profile. QUIC is
// off so every request is plain HTTP/1.1 to loopback.
func startChromium(env []string) (engine, error) {
	path, err := lookPath("CHROMIUM", "chromium", "/usr/bin/chromium", "chromium-browser")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "corswasm-chromium-")
	if err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1200, 900),
	}
	if len(env) > 0 {
		opts = append(opts, chromedp.Env(env...))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	c := &chromium{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc(); os.RemoveAll(dir) }}
	// Start the browser now, so a broken install fails here and clearly.
	// No timeout on this first run: the browser lives as long as its context.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		c.cancel()
		return nil, &startError{cmd: path + " --headless (chromedp)", err: err}
	}
	if out, err := exec.Command(path, "--version").Output(); err == nil {
		c.versionLabel = strings.TrimSpace(string(out))
	}
	return c, nil
}

func (c *chromium) name() string    { return "chromium" }
func (c *chromium) version() string { return c.versionLabel }

func (c *chromium) navigate(ctx context.Context, url string) error {
	ctx, cancel := merge(c.ctx, ctx)
	defer cancel()
	return chromedp.Do(ctx, chromedp.Navigate(url))
}

func (c *chromium) eval(ctx context.Context, js string, out any) error {
	ctx, cancel := merge(c.ctx, ctx)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](asyncJSON(js), chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	return decodeJSONString(s, out)
}

// screenshot is Chromium-only: the demo test saves one on request.
func (c *chromium) screenshot() ([]byte, error) {
	return chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
}

func (c *chromium) close() error {
	c.cancel()
	return nil
}

// merge gives the browser's context the deadline of a call's context:
// chromedp needs its own context (it names the tab), the caller brings
// the timeout.
func merge(browser, call context.Context) (context.Context, context.CancelFunc) {
	if d, ok := call.Deadline(); ok {
		return context.WithDeadline(browser, d)
	}
	return context.WithCancel(browser)
}
