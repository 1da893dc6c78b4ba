package main

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/scenarios"
	"github.com/corswasm/corswasm/internal/wasmhost"
)

// A configure while a stream is in flight: the stream keeps the decision
// it took under the old policy, the next stream gets the new one, and an
// invalid update leaves the running policy in place.
func TestReconfigureMidStream(t *testing.T) {
	in := instantiate(t, corsModule(t), `{"allowOrigins": ["https://a.example"]}`)
	req := [][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "api.example.com"}, {"origin", "https://a.example"}}
	acao := func(s *wasmhost.Stream) []string {
		t.Helper()
		if _, err := s.ResponseHeaders([][2]string{{":status", "200"}}, false); err != nil {
			t.Fatal(err)
		}
		return wasmhost.Get(s.Response, scenarios.ACAO)
	}
	old, _ := in.NewStream()
	if _, err := old.RequestHeaders(req, true); err != nil {
		t.Fatal(err)
	}
	if ok, err := in.Configure([]byte(`{"allowOrigins": ["https://b.example"]}`)); !ok || err != nil {
		t.Fatalf("reconfigure: ok=%v err=%v; want ok", ok, err)
	}
	if got := acao(old); !slices.Equal(got, []string{"https://a.example"}) {
		t.Errorf("stream started before the update: ACAO got %q; want [https://a.example]", got)
	}
	old.End()

	next, _ := in.NewStream()
	next.RequestHeaders(req, true)
	if got := acao(next); len(got) != 0 {
		t.Errorf("stream started after the update: ACAO got %q; want none", got)
	}
	next.End()

	if ok, err := in.Configure([]byte(`{"allowOrigins": ["*"], "allowCredentials": true}`)); ok || err != nil {
		t.Fatalf("invalid update: ok=%v err=%v; want rejected", ok, err)
	}
	last, _ := in.NewStream()
	last.RequestHeaders([][2]string{{":method", "GET"}, {":path", "/"}, {":authority", "x"}, {"origin", "https://b.example"}}, true)
	if got := acao(last); !slices.Equal(got, []string{"https://b.example"}) {
		t.Errorf("after a rejected update: ACAO got %q; want the previous policy's [https://b.example]", got)
	}
	last.End()
	if v, _ := in.Metric("corswasm.config_rejected"); v != 1 {
		t.Errorf("corswasm.config_rejected: got %d; want 1", v)
	}
}

// Hostile and garbage request headers get an answer, never a trap: random
// bytes in every header the filter reads, repeated and oversized lines,
// under every policy shape in the table.
func TestGarbageHeadersNeverTrap(t *testing.T) {
	m := corsModule(t)
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"origin", ":method", ":path", ":authority", "access-control-request-method",
		"access-control-request-headers", "access-control-request-private-network", "sec-fetch-site", "vary"}
	garbage := func() string {
		switch rng.IntN(6) {
		case 0:
			return ""
		case 1:
			return strings.Repeat(",", rng.IntN(70000))
		case 2:
			return "https://" + strings.Repeat("a.", rng.IntN(5000)) + "example"
		case 3:
			return "OPTIONS"
		}
		b := make([]byte, rng.IntN(400))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return string(b)
	}
	configs := []string{scenarios.ConfigCredentials, scenarios.ConfigRoutes, scenarios.ConfigCOP, scenarios.ConfigStar, scenarios.ConfigPNA}
	for _, cfg := range configs {
		// Debug: the denial lines quote the garbage too.
		in := instantiate(t, m, cfg, wasmhost.WithLogLevel(wasmhost.LogDebug))
		in.Properties["route_name"] = "partner_api"
		for i := range 300 {
			var req [][2]string
			for range 1 + rng.IntN(12) {
				req = append(req, [2]string{names[rng.IntN(len(names))], garbage()})
			}
			s, err := in.NewStream()
			if err != nil {
				t.Fatalf("config %.30q request %d: create: %v", cfg, i, err)
			}
			if _, err := s.RequestHeaders(req, true); err != nil {
				t.Fatalf("config %.30q request %d %.200q: trap in request headers: %v", cfg, i, req, err)
			}
			resp := [][2]string{{":status", "200"}, {"vary", garbage()}, {scenarios.ACAO, garbage()}}
			if s.LocalReply != nil {
				_, _, err = s.LocalReplyPass()
			} else {
				_, err = s.ResponseHeaders(resp, false)
			}
			if err != nil {
				t.Fatalf("config %.30q request %d: trap in response headers: %v", cfg, i, err)
			}
			for _, v := range wasmhost.Get(append(s.Response, localHeaders(s)...), scenarios.ACAO) {
				if strings.ContainsAny(v, "\r\n\x00") {
					t.Fatalf("request %d: ACAO %q carries CR, LF or NUL", i, v)
				}
			}
			if err := s.End(); err != nil {
				t.Fatalf("end: %v", err)
			}
		}
	}
}

func localHeaders(s *wasmhost.Stream) [][2]string {
	if s.LocalReply == nil {
		return nil
	}
	return s.LocalReply.Headers
}

// The GC hazard of proxy_on_memory_allocate: a buffer handed to the host
// is referenced only by the host until the hostcall returns. Here the host
// asks for many large buffers in a row (the Go allocator and GC run in
// between, inside the guest) and fills each with its own pattern; none
// may be reused while the callback is still running. A binding that
// returned an unpinned make([]byte) fails this test.
func TestAllocatedMemoryStaysValidUnderGCPressure(t *testing.T) {
	m := corsModule(t)
	in := instantiate(t, m, scenarios.ConfigCredentials)
	mod := in.Module()
	restricted := m.RestrictedWASICalls()
	type buf struct{ addr, size uint32 }
	var bufs []buf
	for i := range 600 {
		size := uint32(8<<10 + i*97%40000)
		addr, err := in.Allocate(size)
		if err != nil {
			t.Fatalf("allocate %d: %v", i, err)
		}
		if !mod.Memory().Write(addr, slices.Repeat([]byte{byte(i)}, int(size))) {
			t.Fatalf("allocate %d: %d bytes at %#x are outside linear memory", i, size, addr)
		}
		bufs = append(bufs, buf{addr, size})
	}
	for i, b := range bufs {
		got, _ := mod.Memory().Read(b.addr, b.size)
		for j, c := range got {
			if c != byte(i) {
				t.Fatalf("buffer %d (%d bytes at %#x) overwritten at byte %d: got %#x; want %#x", i, b.size, b.addr, j, c, byte(i))
			}
		}
	}
	// The GC ran inside the allocator: it must not have needed WASI calls
	// that Envoy refuses there.
	if got := m.RestrictedWASICalls() - restricted; got != 0 {
		t.Errorf("WASI calls inside proxy_on_memory_allocate that Envoy refuses: got %d; want 0", got)
	}
	// The buffers are released at the next callback: requests still work.
	s, _ := in.NewStream()
	if _, err := s.RequestHeaders([][2]string{{":method", "GET"}, {"origin", "https://app.example.com"}}, true); err != nil {
		t.Fatal(err)
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
}
