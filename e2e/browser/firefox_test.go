package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// firefox is Debian's firefox-esr driven over WebDriver BiDi, which it
// speaks natively: no geckodriver, one WebSocket to the browser.
type firefox struct {
	cmd          *exec.Cmd
	out          *tail
	dir          string
	conn         *websocket.Conn
	bidiCtx      string // the browsing context (tab) every command targets
	versionLabel string

	mu      sync.Mutex
	nextID  int
	pending map[int]chan bidiReply
	readErr error
	done    chan struct{}
}

// firefoxPrefs keep a test profile off the network: everything that is not
// loopback goes to a dead proxy (the discard port), and the features that
// would phone home are off. Loopback never uses a proxy in Firefox
// (network.proxy.allow_hijacking_localhost is false).
const firefoxPrefs = `
user_pref("network.proxy.type", 1);
user_pref("network.proxy.http", "127.0.0.1");
user_pref("network.proxy.http_port", 9);
user_pref("network.proxy.ssl", "127.0.0.1");
user_pref("network.proxy.ssl_port", 9);
user_pref("network.proxy.allow_hijacking_localhost", false);
user_pref("network.trr.mode", 5);
user_pref("network.dnsCacheExpiration", 86400);
user_pref("network.dnsCacheExpirationGracePeriod", 86400);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("app.update.disabledForTesting", true);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("browser.shell.checkDefaultBrowser", false);
`

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)\r?\n`)

// startFirefox starts one headless firefox-esr with a fresh profile and
// opens a BiDi session on it.
func startFirefox(env []string) (engine, error) {
	path, err := lookPath("FIREFOX", "firefox-esr", "firefox")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "corswasm-firefox-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "user.js"), []byte(firefoxPrefs), 0o644); err != nil {
		return nil, err
	}
	args := []string{"--headless", "--no-remote", "--profile", dir, "--remote-debugging-port=0", "about:blank"}
	f := &firefox{out: &tail{n: 4096}, dir: dir, pending: map[int]chan bidiReply{}, done: make(chan struct{})}
	cmdline := path + " " + strings.Join(args, " ")
	fail := func(err error) (engine, error) {
		f.close()
		return nil, &startError{cmd: cmdline, err: err, output: f.out.String()}
	}
	f.cmd = exec.Command(path, args...)
	f.cmd.Env = append(append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1"), env...)
	// Firefox prints where BiDi listens (port 0 picks a free one).
	found := make(chan string, 1)
	f.cmd.Stdout = f.out
	f.cmd.Stderr = &watch{w: f.out, re: bidiListening, found: found}
	if err := f.cmd.Start(); err != nil {
		return fail(err)
	}
	var wsURL string
	select {
	case wsURL = <-found:
	case <-time.After(30 * time.Second):
		return fail(errors.New("no \"WebDriver BiDi listening on\" line within 30 s"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f.conn, _, err = websocket.Dial(ctx, wsURL+"/session", nil)
	if err != nil {
		return fail(err)
	}
	f.conn.SetReadLimit(16 << 20)
	go f.readLoop()

	var sess struct {
		Capabilities struct {
			BrowserName    string `json:"browserName"`
			BrowserVersion string `json:"browserVersion"`
		} `json:"capabilities"`
	}
	if err := f.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}, &sess); err != nil {
		return fail(err)
	}
	f.versionLabel = "Firefox " + sess.Capabilities.BrowserVersion
	var tree struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err := f.call(ctx, "browsingContext.getTree", map[string]any{"maxDepth": 0}, &tree); err != nil {
		return fail(err)
	}
	if len(tree.Contexts) == 0 {
		return fail(errors.New("browsingContext.getTree: no top-level context"))
	}
	f.bidiCtx = tree.Contexts[0].Context
	return f, nil
}

// bidiReply is a command's answer: a result, or an error and its message.
type bidiReply struct {
	ID      *int            `json:"id"`
	Type    string          `json:"type"` // "success", "error" or "event"
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// readLoop hands each reply to the call waiting for its id and drops
// events (no scenario subscribes to any).
func (f *firefox) readLoop() {
	defer close(f.done)
	for {
		_, data, err := f.conn.Read(context.Background())
		if err != nil {
			f.mu.Lock()
			f.readErr = err
			f.mu.Unlock()
			return
		}
		var r bidiReply
		if json.Unmarshal(data, &r) != nil || r.ID == nil {
			continue
		}
		f.mu.Lock()
		ch := f.pending[*r.ID]
		delete(f.pending, *r.ID)
		f.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// call sends one BiDi command and decodes its result into out.
func (f *firefox) call(ctx context.Context, method string, params any, out any) error {
	f.mu.Lock()
	if f.readErr != nil {
		f.mu.Unlock()
		return fmt.Errorf("bidi %s: connection closed: %w", method, f.readErr)
	}
	f.nextID++
	id := f.nextID
	ch := make(chan bidiReply, 1)
	f.pending[id] = ch
	f.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	if err := f.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return fmt.Errorf("bidi %s: %w", method, err)
	}
	select {
	case r := <-ch:
		if r.Type == "error" {
			return fmt.Errorf("bidi %s: %s: %s", method, r.Error, r.Message)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(r.Result, out)
	case <-f.done:
		return fmt.Errorf("bidi %s: connection closed: %v", method, f.readErr)
	case <-ctx.Done():
		f.mu.Lock()
		delete(f.pending, id)
		f.mu.Unlock()
		return fmt.Errorf("bidi %s: %w", method, ctx.Err())
	}
}

func (f *firefox) name() string    { return "firefox" }
func (f *firefox) version() string { return f.versionLabel }

func (f *firefox) navigate(ctx context.Context, url string) error {
	return f.call(ctx, "browsingContext.navigate", map[string]any{"context": f.bidiCtx, "url": url, "wait": "complete"}, nil)
}

func (f *firefox) eval(ctx context.Context, js string, out any) error {
	var r struct {
		Type   string `json:"type"` // "success" or "exception"
		Result struct {
			Type  string  `json:"type"`
			Value *string `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := f.call(ctx, "script.evaluate", map[string]any{
		"expression":   asyncJSON(js),
		"target":       map[string]any{"context": f.bidiCtx},
		"awaitPromise": true,
	}, &r)
	if err != nil {
		return err
	}
	if r.Type != "success" {
		return fmt.Errorf("script threw: %s", r.ExceptionDetails.Text)
	}
	return decodeJSONString(r.Result.Value, out)
}

// close ends the session (Firefox then exits), waits at most 10 s, and
// kills what is left.
func (f *firefox) close() error {
	if f.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		f.call(ctx, "browser.close", map[string]any{}, nil)
		cancel()
		f.conn.Close(websocket.StatusNormalClosure, "")
	}
	if f.cmd != nil && f.cmd.Process != nil {
		exited := make(chan struct{})
		go func() { f.cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			f.cmd.Process.Kill()
			<-exited
		}
	}
	os.RemoveAll(f.dir)
	return nil
}

// watch copies a process's output to w and sends the first submatch of
// re that appears in it.
type watch struct {
	w     io.Writer
	re    *regexp.Regexp
	found chan<- string
	mu    sync.Mutex
	seen  []byte
	sent  bool
}

func (w *watch) Write(p []byte) (int, error) {
	w.w.Write(p)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.sent && len(w.seen) < 1<<16 {
		w.seen = append(w.seen, p...)
		if m := w.re.FindSubmatch(w.seen); m != nil {
			w.sent = true
			w.found <- string(m[1])
		}
	}
	return len(p), nil
}
