package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// webkit is WebKitGTK (the engine family Safari belongs to): Debian's
// webkit2gtk-driver provides WebKitWebDriver, a W3C WebDriver server that
// drives WebKitGTK's MiniBrowser. MiniBrowser needs an X display; without
// $DISPLAY we start our own Xvfb.
type webkit struct {
	xvfb         *exec.Cmd
	driver       *exec.Cmd
	out          *tail
	base         string // http://127.0.0.1:port/session/<id>
	versionLabel string
}

// miniBrowser finds WebKitGTK's MiniBrowser ($WEBKIT_BROWSER overrides).
func miniBrowser() (string, error) {
	if p := os.Getenv("WEBKIT_BROWSER"); p != "" {
		return p, nil
	}
	m, _ := filepath.Glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser")
	if len(m) == 0 {
		return "", errors.New("MiniBrowser not found under /usr/lib/*/webkit2gtk-4.*/ (apt-get install webkit2gtk-driver; or set $WEBKIT_BROWSER)")
	}
	return m[len(m)-1], nil
}

func startWebKit(extra []string) (engine, error) {
	driver, err := lookPath("WEBKIT_WEBDRIVER", "WebKitWebDriver")
	if err != nil {
		return nil, err
	}
	browser, err := miniBrowser()
	if err != nil {
		return nil, err
	}
	w := &webkit{out: &tail{n: 4096}}
	fail := func(cmd string, err error) (engine, error) {
		w.close()
		return nil, &startError{cmd: cmd, err: err, output: w.out.String()}
	}
	env := os.Environ()
	if os.Getenv("DISPLAY") == "" {
		display, err := w.startXvfb()
		if err != nil {
			return fail("Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp", err)
		}
		env = append(env, "DISPLAY="+display)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	w.driver = exec.Command(driver, "--port="+port)
	w.driver.Env = append(env, extra...)
	w.driver.Stdout, w.driver.Stderr = w.out, w.out
	cmdline := driver + " --port=" + port
	if err := w.driver.Start(); err != nil {
		return fail(cmdline, err)
	}
	root := "http://127.0.0.1:" + port
	// The driver listens a moment after it starts.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var status struct {
			Ready bool `json:"ready"`
		}
		if err := w.request(context.Background(), http.MethodGet, root+"/status", nil, &status); err == nil && status.Ready {
			break
		} else if time.Now().After(deadline) {
			return fail(cmdline, fmt.Errorf("not ready within 15 s: %v", err))
		}
		time.Sleep(100 * time.Millisecond)
	}
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"webkitgtk:browserOptions": map[string]any{"binary": browser, "args": []string{"--automation"}},
	}}}
	var sess struct {
		SessionID    string `json:"sessionId"`
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := w.request(ctx, http.MethodPost, root+"/session", caps, &sess); err != nil {
		return fail(cmdline+"; POST /session {webkitgtk:browserOptions: {binary: "+browser+", args: [--automation]}}", err)
	}
	w.base = root + "/session/" + sess.SessionID
	w.versionLabel = "WebKitGTK " + sess.Capabilities.BrowserVersion + " (" + sess.Capabilities.BrowserName + ")"
	return w, nil
}

// startXvfb starts Xvfb on a display it picks itself (-displayfd) and
// returns ":N".
func (w *webkit) startXvfb() (string, error) {
	xvfb, err := lookPath("XVFB", "Xvfb")
	if err != nil {
		return "", err
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return "", err
	}
	defer r.Close()
	w.xvfb = exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	w.xvfb.ExtraFiles = []*os.File{wr} // fd 3
	w.xvfb.Stdout, w.xvfb.Stderr = w.out, w.out
	err = w.xvfb.Start()
	wr.Close()
	if err != nil {
		return "", err
	}
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 64))
		got <- strings.TrimSpace(string(b))
	}()
	select {
	case n := <-got:
		if n == "" {
			return "", errors.New("Xvfb exited without naming a display")
		}
		return ":" + n, nil
	case <-time.After(15 * time.Second):
		return "", errors.New("Xvfb named no display within 15 s")
	}
}

// request makes one WebDriver call and decodes its "value" into out. A
// WebDriver error comes back as {"value": {"error", "message"}}.
func (w *webkit) request(ctx context.Context, method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: HTTP %d: %.300q", method, url, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		json.Unmarshal(env.Value, &e)
		return fmt.Errorf("%s %s: HTTP %d: %s: %s", method, url, resp.StatusCode, e.Error, e.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Value, out)
}

func (w *webkit) name() string    { return "webkit" }
func (w *webkit) version() string { return w.versionLabel }

func (w *webkit) navigate(ctx context.Context, url string) error {
	return w.request(ctx, http.MethodPost, w.base+"/url", map[string]any{"url": url}, nil)
}

// eval uses Execute Script, which awaits a returned promise (WebDriver
// §13.2.1).
func (w *webkit) eval(ctx context.Context, js string, out any) error {
	var s *string
	err := w.request(ctx, http.MethodPost, w.base+"/execute/sync", map[string]any{"script": "return " + asyncJSON(js), "args": []any{}}, &s)
	if err != nil {
		return err
	}
	return decodeJSONString(s, out)
}

// close deletes the session (MiniBrowser exits), then stops the driver and
// Xvfb, each waited for at most 10 s.
func (w *webkit) close() error {
	if w.base != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		w.request(ctx, http.MethodDelete, w.base, nil, nil)
		cancel()
	}
	for _, c := range []*exec.Cmd{w.driver, w.xvfb} {
		stop(c)
	}
	return nil
}

// stop sends SIGTERM to a process we started, then SIGKILL after 10 s.
func stop(c *exec.Cmd) {
	if c == nil || c.Process == nil {
		return
	}
	exited := make(chan struct{})
	go func() { c.Wait(); close(exited) }()
	c.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		c.Process.Kill()
		<-exited
	}
}
