package wasmhost

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentInstances runs several instances of one Module at once,
// each on its own goroutine (Envoy's VM per worker), and checks that each
// instance's host state (metrics, logs, stream headers) is its own. Run
// with -race: instances must share no unguarded host state.
func TestConcurrentInstances(t *testing.T) {
	wasm, err := ReadModule(CorsWasm)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(ctx)
	const instances, streams = 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, instances)
	// Each instance starts while the previous one is running streams, so
	// that instantiating overlaps with host calls of other instances.
	running := make([]chan struct{}, instances+1)
	for i := range running {
		running[i] = make(chan struct{})
	}
	close(running[0])
	for i := range instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-running[i]
			errs <- runInstance(ctx, m, i, streams, running[i+1])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// runInstance instantiates a VM allowing one origin of its own, sends
// streams requests from it (allowed) and as many from another instance's
// origin (denied), and checks the answers and the VM's own counters. It
// closes running once it is well into its streams.
func runInstance(ctx context.Context, m *Module, i, streams int, running chan struct{}) error {
	var once sync.Once
	defer once.Do(func() { close(running) })
	own := fmt.Sprintf("https://vm%d.example", i)
	other := fmt.Sprintf("https://vm%d.example", i+1)
	var logged int
	in, ok, err := m.Instantiate(ctx, []byte(`{"allowOrigins": ["`+own+`"]}`),
		WithLogLevel(LogTrace), WithLogSink(func(LogEntry) { logged++ }))
	if err != nil || !ok {
		return fmt.Errorf("instance %d: Instantiate: ok=%v err=%v", i, ok, err)
	}
	defer in.Close()
	for n := range 2 * streams {
		if n == streams/2 {
			once.Do(func() { close(running) })
		}
		origin := own
		if n%2 == 1 {
			origin = other
		}
		s, err := in.NewStream()
		if err != nil {
			return err
		}
		if _, err := s.RequestHeaders([]Header{{":method", "GET"}, {":path", "/"}, {":authority", "api"}, {":scheme", "https"}, {"origin", origin}}, true); err != nil {
			return err
		}
		if _, err := s.ResponseHeaders([]Header{{":status", "200"}}, false); err != nil {
			return err
		}
		got := Get(s.Response, "access-control-allow-origin")
		if allowed := origin == own; allowed != (len(got) == 1 && got[0] == own) {
			return fmt.Errorf("instance %d, origin %s: access-control-allow-origin got %q; want it only for %s", i, origin, got, own)
		}
		if err := s.End(); err != nil {
			return err
		}
	}
	if err := in.Tick(); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		want uint64
	}{{"corswasm.actual_allowed", uint64(streams)}, {"corswasm.actual_denied", uint64(streams)}} {
		if got, _ := in.Metric(c.name); got != c.want {
			return fmt.Errorf("instance %d: %s got %d; want %d (its own streams only)", i, c.name, got, c.want)
		}
	}
	if logged == 0 || len(in.Logs) != 0 {
		return fmt.Errorf("instance %d: log lines to its sink %d, kept in Logs %d; want some, 0", i, logged, len(in.Logs))
	}
	return nil
}
