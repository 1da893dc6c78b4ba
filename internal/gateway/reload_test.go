package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// writeAtomically replaces path as editors do (write a temporary file,
// rename it over the old one), so the gateway never reads half a file.
func writeAtomically(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool, progress *syncBuffer) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s; the gateway said:\n%s", what, progress)
}

// TestReloadUnderLoad edits the config file while clients keep sending
// requests: no request fails, every request sent after the reload sees the
// new policy, and an invalid file is rejected while the policy it was
// meant to replace keeps serving.
func TestReloadUnderLoad(t *testing.T) {
	const (
		origin   = "https://b.example"
		before   = `{"allowOrigins": ["https://a.example"]}`
		after    = `{"allowOrigins": ["https://a.example", "https://b.example"]}`
		invalid  = `{"allowOrigins": ["https://*.com"], "allowCredentials": "yes"}`
		clients  = 8
		maxPerCl = 5000 // bounds the run even if a wait stalls
	)
	path := filepath.Join(t.TempDir(), "config.json")
	writeAtomically(t, path, before)
	var progress syncBuffer
	srv, err := Start(Config{
		Compiled: corsModule(t), PluginConfig: []byte(before), ConfigPath: path, ReloadInterval: 20 * time.Millisecond,
		Listen: "127.0.0.1:0", Concurrency: 2, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	type result struct {
		start time.Time
		err   error
		code  int
		acao  string
	}
	var (
		mu      sync.Mutex
		results []result
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range maxPerCl {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", srv.GatewayURL+"/api/items", nil)
				req.Header.Set("Origin", origin)
				r := result{start: time.Now()}
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					r.code, r.acao = resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin")
				}
				r.err = err
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	edited := time.Now()
	writeAtomically(t, path, after)
	waitFor(t, "the reload", func() bool { applied, _ := srv.Reloads(); return applied == 1 }, &progress)
	applied := time.Now()
	time.Sleep(200 * time.Millisecond)
	writeAtomically(t, path, invalid)
	waitFor(t, "the rejection", func() bool { _, rejected := srv.Reloads(); return rejected == 1 }, &progress)
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()

	var sawOld, sawNew int
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("request %d: %v; want an answer", i, r.err)
		case r.code != 200:
			t.Errorf("request %d: status %d; want 200", i, r.code)
		case r.start.After(applied) && r.acao != origin:
			t.Errorf("request %d, sent %s after the reload: Access-Control-Allow-Origin %q; want %q", i, r.start.Sub(applied), r.acao, origin)
		case r.start.Before(edited) && r.acao != "":
			t.Errorf("request %d, sent before the edit: Access-Control-Allow-Origin %q; want none", i, r.acao)
		case r.start.After(applied):
			sawNew++
		case r.start.Before(edited):
			sawOld++
		}
	}
	if sawOld == 0 || sawNew == 0 {
		t.Errorf("requests under the old policy: %d, under the new: %d; want some of each", sawOld, sawNew)
	}
	if got := srv.Engine.Config(); string(got) != after {
		t.Errorf("serving config: got %s; want %s (the invalid one rejected)", got, after)
	}
	if got, err := srv.Engine.Counter("corswasm.config_rejected"); err != nil || got != 1 {
		t.Errorf("corswasm.config_rejected: got %d (%v); want 1, as Envoy would count the rejecting plugin", got, err)
	}
	t.Logf("%d requests, %d before the edit, %d after the reload", len(results), sawOld, sawNew)
	t.Logf("gateway said:\n%s", progress.String())
}

// TestReloadKeepsInFlightPolicy: a stream that started under one policy
// ends under it, even if a reload removed its origin meanwhile; the next
// stream gets the new policy.
func TestReloadKeepsInFlightPolicy(t *testing.T) {
	const origin = "https://a.example"
	arrived, release := make(chan struct{}), make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(arrived)
			<-release
		}
		w.WriteHeader(200)
	}))
	defer upstream.Close()
	srv, err := Start(Config{
		Compiled: corsModule(t), PluginConfig: []byte(`{"allowOrigins": ["` + origin + `"]}`),
		Listen: "127.0.0.1:0", Upstream: upstream.URL, Concurrency: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	get := func(path string) (string, error) {
		req, _ := http.NewRequest("GET", srv.GatewayURL+path, nil)
		req.Header.Set("Origin", origin)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			return "", err
		}
		resp.Body.Close()
		return resp.Header.Get("Access-Control-Allow-Origin"), nil
	}
	inFlight := make(chan string, 1)
	go func() {
		acao, err := get("/slow")
		if err != nil {
			acao = fmt.Sprint(err)
		}
		inFlight <- acao
	}()
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the upstream")
	}
	if err := srv.Reload([]byte(`{"allowOrigins": ["https://c.example"]}`)); err != nil {
		t.Fatal(err)
	}
	close(release)
	if got := <-inFlight; got != origin {
		t.Errorf("stream in flight during the reload: Access-Control-Allow-Origin %q; want %q (its policy)", got, origin)
	}
	if got, err := get("/fast"); err != nil || got != "" {
		t.Errorf("stream after the reload: Access-Control-Allow-Origin %q (%v); want none (new policy)", got, err)
	}
}

// syncBuffer is an io.Writer safe to read while the gateway writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
