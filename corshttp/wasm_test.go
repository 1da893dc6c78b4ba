package corshttp_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNotInWasmBuild keeps this package (and its net/http) out of the
// proxy-wasm module: the filter's packages must never import it.
func TestNotInWasmBuild(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", "github.com/corswasm/corswasm")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "github.com/corswasm/corswasm/corshttp" {
			t.Fatalf("wasm build dependencies: got %s; want it absent (net/http doubles the module)", pkg)
		}
	}
}
