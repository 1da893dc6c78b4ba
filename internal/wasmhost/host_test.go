package wasmhost

import (
	"context"
	"testing"
)

func TestNoopModuleThroughCountingHost(t *testing.T) {
	wasm, err := ReadModule(NoopWasm)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	in, ok, err := m.Instantiate(ctx, []byte(`{}`))
	if err != nil || !ok {
		t.Fatalf("Instantiate: ok=%v err=%v; want ok", ok, err)
	}
	in.ResetCalls()
	s, err := in.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	req := []Header{{":method", "GET"}, {":path", "/"}, {"origin", "https://a.example"}}
	if a, err := s.RequestHeaders(req, true); err != nil || a != 0 {
		t.Fatalf("RequestHeaders: action %d err %v; want 0, nil", a, err)
	}
	if a, err := s.ResponseHeaders([]Header{{":status", "200"}}, false); err != nil || a != 0 {
		t.Fatalf("ResponseHeaders: action %d err %v; want 0, nil", a, err)
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
	if got := in.Calls().Total(); got != 0 {
		t.Errorf("noop module crossings per request: got %d (%v); want 0", got, in.Calls())
	}
}
