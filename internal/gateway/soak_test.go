package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corswasm/corswasm/internal/wasmhost"
)

// rssKiB is this process's resident set (client, gateway and upstream
// all live in it).
func rssKiB(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	t.Fatal("VmRSS not found")
	return 0
}

// TestGatewaySoak sends CORSWASM_GATEWAY_SOAK requests (1,000,000 for
// docs/local-gateway.md) through the gateway with build/cors.wasm at 32 connections:
// preflights, allowed and refused origins, and a new path every request
// (what grew the old per-path stats without bound). It samples RSS 20
// times; after the warm-up (the first quarter), RSS must stay flat: no
// sample above the first post-warm-up sample by more than 10 % + 8 MiB.
func TestGatewaySoak(t *testing.T) {
	v := os.Getenv("CORSWASM_GATEWAY_SOAK")
	if v == "" {
		t.Skip("soak: set CORSWASM_GATEWAY_SOAK=<requests> to run it")
	}
	total, err := strconv.Atoi(v)
	if err != nil || total < 1000 {
		t.Fatalf("CORSWASM_GATEWAY_SOAK=%q: want a number >= 1000", v)
	}
	srv := startGatewayFor(t, wasmhost.CorsWasm, loadUpstream(t))

	const samples = 20
	var sent, done, failed atomic.Int64
	var firstErr atomic.Value
	client := newLoadClient(t, loadConns)
	var wg sync.WaitGroup
	for range loadConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := sent.Add(1)
				if i > int64(total) {
					return
				}
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/items/%d", srv.GatewayURL, i), nil)
				want := 200
				switch i % 4 {
				case 0:
					req.Header.Set("Origin", "https://app.example.com")
				case 1:
					req.Header.Set("Origin", "https://evil.example")
				case 2:
					req.Method, want = "OPTIONS", 204
					req.Header.Set("Origin", "https://app.example.com")
					req.Header.Set("Access-Control-Request-Method", "GET")
				}
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						err = fmt.Errorf("%s: status %d; want %d", req.Method, resp.StatusCode, want)
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
				done.Add(1)
			}
		}()
	}
	type sample struct {
		requests int64
		rss      int
		pages    []uint32
	}
	var got []sample
	start := time.Now()
	for next := int64(total / samples); len(got) < samples; next += int64(total / samples) {
		for done.Load() < next && done.Load() < int64(total) {
			time.Sleep(20 * time.Millisecond)
		}
		got = append(got, sample{done.Load(), rssKiB(t), srv.Engine.MemoryPages()})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if f := failed.Load(); f > 0 {
		t.Errorf("%d of %d requests failed, first: %v", f, total, firstErr.Load())
	}
	warm := got[samples/4]
	for _, s := range got {
		t.Logf("after %8d requests: RSS %7d KiB, VM pages %v", s.requests, s.rss, s.pages)
	}
	t.Logf("%d requests in %s (%.0f req/s); stats keys: %d paths, %d routes", total, elapsed.Round(time.Second),
		float64(total)/elapsed.Seconds(), len(srv.Gateway.Stats.Snapshot()), len(srv.Gateway.Stats.Routes()))
	limit := warm.rss + warm.rss/10 + 8<<10
	for _, s := range got[samples/4:] {
		if s.rss > limit {
			t.Errorf("RSS after %d requests: got %d KiB; want <= %d KiB (flat after warm-up at %d KiB)", s.requests, s.rss, limit, warm.rss)
		}
	}
}
