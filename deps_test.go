package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The module's size and start time are mostly what it links (issue 10):
// encoding/json and reflect-driven decoding were a third of it. These
// packages must not come back into the wasm build.
var forbiddenDeps = []string{
	"encoding/json", // policy reads its config with its own strict reader (policy/jsonscan.go)
	"net/http",      // links crypto/tls and imports WASI functions Envoy lacks (policy/internal/psl)
	"net",
	"crypto/tls",
	"golang.org/x/net/publicsuffix", // imports net/http/cookiejar
}

// fmtImporters are the only packages allowed to import fmt or os: x/net/idna
// (policy's UTS #46 conversion of internationalized hosts) and the x/text
// packages under it, and fmt itself. Our own code builds its messages
// with strconv and strings. When IDNA is done without them, this list
// empties and fmt, os and reflect leave the module.
var fmtImporters = []string{
	"fmt",
	"golang.org/x/net/idna",
	"golang.org/x/text/unicode/bidi",
	"golang.org/x/text/unicode/norm",
}

// TestWasmDeps lists the packages the module links (go list -deps for
// GOOS=wasip1 GOARCH=wasm) and fails when a forbidden one is among them,
// or when a package outside fmtImporters imports fmt or os.
func TestWasmDeps(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, ".")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg, imports := fields[0], fields[1:]
		deps[pkg] = true
		for _, imp := range imports {
			if (imp == "fmt" || imp == "os") && !slices.Contains(fmtImporters, pkg) {
				t.Errorf("%s imports %s: got it in the wasm build; want messages built with strconv/strings (see fmtImporters)", pkg, imp)
			}
		}
	}
	if !deps["github.com/corswasm/corswasm/policy"] {
		t.Fatalf("go list: got no policy package in %d deps; want the module's dependency list", len(deps))
	}
	for _, p := range forbiddenDeps {
		if deps[p] {
			t.Errorf("wasm build: got %s among the dependencies; want it gone (issue 10: size and start time)", p)
		}
	}
}
