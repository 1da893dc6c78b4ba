//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/scenarios"
)

// TestReplayRunningGateway replays the scenario table against a gateway
// that is already running, e.g. Envoy from e2e/docker-compose.yaml:
//
//	make wasm
//	docker compose -f e2e/docker-compose.yaml up -d
//	E2E_GATEWAY_URL=http://localhost:10000 go test -tags e2e ./e2e/
//
// A running gateway has one configuration, so only the scenarios written
// for it are replayed: those whose Config is the same JSON value as
// E2E_GATEWAY_CONFIG (default examples/config.json, which envoy.yaml
// embeds; deploy/envoy_test.go keeps the two equal) and whose RouteName is
// "" or E2E_GATEWAY_ROUTE_NAME (default "api", the route in envoy.yaml).
// The test fails when that leaves nothing to replay, rather than pass
// vacuously. Scenarios that cannot be expressed on the wire, or need the
// echo service to send two lines of one header, are skipped with the
// reason.
func TestReplayRunningGateway(t *testing.T) {
	base := strings.TrimRight(os.Getenv("E2E_GATEWAY_URL"), "/")
	if base == "" {
		t.Fatal("E2E_GATEWAY_URL is not set: start a gateway (see e2e/docker-compose.yaml) and set it, e.g. E2E_GATEWAY_URL=http://localhost:10000")
	}
	cfgPath := os.Getenv("E2E_GATEWAY_CONFIG")
	var cfg []byte
	if cfgPath == "" {
		cfgPath = "examples/config.json"
		cfg = readRepoFile(t, cfgPath)
	} else if b, err := os.ReadFile(cfgPath); err != nil {
		t.Fatal(err)
	} else {
		cfg = b
	}
	routeName := os.Getenv("E2E_GATEWAY_ROUTE_NAME")
	if routeName == "" {
		routeName = "api"
	}

	var list []scenarios.Scenario
	for _, s := range scenarios.All() {
		if sameJSON(t, cfg, []byte(s.Config)) && (s.RouteName == "" || s.RouteName == routeName) {
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		t.Fatalf("no scenario in internal/scenarios is written for the gateway's config %s: nothing to replay", cfgPath)
	}
	t.Logf("replaying %d scenarios written for %s against %s", len(list), cfgPath, base)
	replay(t, target{baseURL: base, maxHeaderBytes: 60 * 1024}, list)
}

// sameJSON compares two JSON documents as values (formatting and key
// order do not matter).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("gateway config: %v", err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
