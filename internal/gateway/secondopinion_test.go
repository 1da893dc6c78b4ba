package gateway

import (
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/corswasm/corswasm/internal/wasmhost"
	"github.com/corswasm/corswasm/internal/wasmhost/wasmtest"
)

// TestSecondOpinion runs the same requests through the gateway's host
// (internal/wasmhost, what corsgateway runs) and through the proxy-wasm
// Go SDK's host emulator (proxytest, which the gateway used before), and
// compares what the module decided: the local reply's status, and every
// CORS header of the answer. Two independent hosts agreeing is evidence
// that neither bends the module's behaviour.
func TestSecondOpinion(t *testing.T) {
	const config = `{"allowOrigins": ["https://app.example.com"], "allowMethods": ["GET", "PUT"], "allowHeaders": ["x-api-key"],
		"exposeHeaders": ["x-request-id"], "allowCredentials": true, "maxAge": 600}`
	base := [][2]string{{":path", "/api/items"}, {":authority", "api.example.com"}, {":scheme", "https"}}
	req := func(method string, extra ...[2]string) [][2]string {
		return append(append([][2]string{{":method", method}}, base...), extra...)
	}
	tests := []struct {
		name    string
		allowed bool // the answer carries Access-Control-Allow-Origin
		headers [][2]string
	}{
		{"preflight allowed", true, req("OPTIONS", [2]string{"origin", "https://app.example.com"}, [2]string{"access-control-request-method", "PUT"}, [2]string{"access-control-request-headers", "x-api-key"})},
		{"preflight, method not allowed", false, req("OPTIONS", [2]string{"origin", "https://app.example.com"}, [2]string{"access-control-request-method", "PATCH"})},
		{"preflight from another origin", false, req("OPTIONS", [2]string{"origin", "https://evil.example"}, [2]string{"access-control-request-method", "GET"})},
		{"GET allowed", true, req("GET", [2]string{"origin", "https://app.example.com"})},
		{"GET from another origin", false, req("GET", [2]string{"origin", "https://evil.example"})},
		{"GET from origin null", false, req("GET", [2]string{"origin", "null"})},
		{"GET with two Origin lines", false, req("GET", [2]string{"origin", "https://app.example.com"}, [2]string{"origin", "https://evil.example"})},
		{"GET without Origin", false, req("GET")},
	}
	wasm := wasmtest.Read(t, wasmhost.CorsWasm)

	// Ours.
	eng, err := NewEngine(corsModule(t), EngineConfig{Concurrency: 1, PluginConfig: []byte(config)})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	w := eng.workers[0]
	ours := func(headers [][2]string) (int, []string) {
		s, _, err := w.requestHeaders(headers)
		if err != nil {
			t.Fatal(err)
		}
		defer w.end(s)
		status, resp := 0, []wasmhost.Header{{":status", "200"}}
		if lr := s.LocalReply; lr != nil {
			status = lr.Status
			resp = append([]wasmhost.Header{{":status", itoa3(lr.Status)}}, lr.Headers...)
		}
		out, err := w.responseHeaders(s, resp, status != 0)
		if err != nil {
			t.Fatal(err)
		}
		return status, corsOnly(out)
	}

	// The SDK's emulator (process-global: one at a time).
	aliased, err := wasmhost.ForProxytest(wasm)
	if err != nil {
		t.Fatal(err)
	}
	vm, err := proxytest.NewWasmVMContext(aliased)
	if err != nil {
		t.Fatal(err)
	}
	defer vm.Close()
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(config)))
	defer reset()
	if host.StartVM() != types.OnVMStartStatusOK || host.StartPlugin() != types.OnPluginStartStatusOK {
		t.Fatal("proxytest: the module did not start")
	}
	theirs := func(headers [][2]string) (int, []string) {
		id := host.InitializeHttpContext()
		defer host.CompleteHttpContext(id)
		host.CallOnRequestHeaders(id, headers, false)
		status, resp := 0, [][2]string{{":status", "200"}}
		if lr := host.GetSentLocalResponse(id); lr != nil {
			status = int(lr.StatusCode)
			resp = append([][2]string{{":status", itoa3(status)}}, cloneList(lr.Headers)...)
		}
		host.CallOnResponseHeaders(id, resp, status != 0)
		return status, corsOnly(cloneList(host.GetCurrentResponseHeaders(id)))
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotStatus, got := ours(tt.headers)
			wantStatus, want := theirs(tt.headers)
			if hasACAO := slices.Contains(got, "access-control-allow-origin: https://app.example.com"); hasACAO != tt.allowed {
				t.Errorf("wasmhost: %q; want Access-Control-Allow-Origin: %v", got, tt.allowed)
			}
			if gotStatus != wantStatus || !slices.Equal(got, want) {
				t.Errorf("wasmhost: local reply %d, %q; proxytest: %d, %q; want the same", gotStatus, got, wantStatus, want)
			}
		})
	}
}

// corsOnly keeps the CORS headers and Vary, sorted, as "name: value".
func corsOnly(list [][2]string) []string {
	var out []string
	for _, kv := range list {
		if strings.HasPrefix(kv[0], "access-control-") || kv[0] == "vary" {
			out = append(out, kv[0]+": "+kv[1])
		}
	}
	slices.Sort(out)
	return out
}

// cloneList copies what proxytest hands back: its strings point into the
// module's linear memory, which the module reuses on its next call.
func cloneList(list [][2]string) [][2]string {
	out := make([][2]string, len(list))
	for i, kv := range list {
		out[i] = [2]string{strings.Clone(kv[0]), strings.Clone(kv[1])}
	}
	return out
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
