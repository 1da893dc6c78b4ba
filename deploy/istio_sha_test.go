package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/internal/wasmimage"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// updateSHA is the command that brings deploy/istio/wasmplugin.yaml's
// spec.sha256 up to date with the module; every failure below names it.
const updateSHA = "run `make wasmplugin-sha` to update it"

// checkSHA256 checks that the WasmPlugin pins the image whose digest is
// want, the image of the module (wasmimage.Digest): spec.sha256
// is the digest Istio's agent compares with the pulled image's manifest
// digest (istio/istio pkg/wasm/cache.go: for oci:// the checksum is the
// image digest that imagefetcher.go's PrepareFetch returns), and a url
// pinned @sha256: must name the same image, as the WasmPlugin API requires.
func checkSHA256(doc []byte, want v1.Hash) []string {
	js, err := yamlToJSON(doc)
	if err != nil {
		return []string{"wasmplugin.yaml: " + err.Error()}
	}
	var obj struct {
		Spec struct {
			URL    string `json:"url"`
			SHA256 string `json:"sha256"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(js, &obj); err != nil {
		return []string{"wasmplugin.yaml: " + err.Error()}
	}
	var problems []string
	if obj.Spec.SHA256 != want.Hex {
		problems = append(problems, fmt.Sprintf(
			"deploy/istio/wasmplugin.yaml: spec.sha256: got %q; want %s, the image digest of the current build/cors.wasm (the module changed): %s",
			obj.Spec.SHA256, want.Hex, updateSHA))
	}
	if _, pinned, ok := strings.Cut(obj.Spec.URL, "@sha256:"); ok && pinned != want.Hex {
		problems = append(problems, fmt.Sprintf(
			"deploy/istio/wasmplugin.yaml: spec.url: pinned to sha256:%s; want sha256:%s (or a tag, with spec.sha256 pinning the image)",
			pinned, want.Hex))
	}
	return problems
}

func TestIstioWasmPluginPinsCurrentBuild(t *testing.T) {
	module, err := os.ReadFile(filepath.Join("..", "build", "cors.wasm"))
	if err != nil {
		t.Fatalf("%v: run `make wasm` first", err)
	}
	shipped := repoFile(t, "deploy/istio/wasmplugin.yaml")
	current, err := wasmimage.Digest(module)
	if err != nil {
		t.Fatalf("build/cors.wasm: %v", err)
	}
	// Another build's digest; any other digest will do.
	other, _, err := v1.SHA256(strings.NewReader("another build"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		doc    func(t *testing.T) []byte
		digest v1.Hash
		want   string
	}{
		{"shipped wasmplugin.yaml, current build", func(*testing.T) []byte { return shipped }, current, ""},
		{"module changed since the last update", func(*testing.T) []byte { return shipped }, other, updateSHA},
		{"sha256 emptied", func(t *testing.T) []byte {
			return mutateLine(t, shipped, "  sha256: ", "  sha256: \"\"")
		}, current, `spec.sha256: got ""`},
		{"url pinned to another image", func(t *testing.T) []byte {
			return mutate(t, shipped, "url: oci://registry.example.com/corswasm/cors:v0.1.0\n", "url: oci://registry.example.com/corswasm/cors@sha256:"+strings.Repeat("0", 64)+"\n")
		}, current, "spec.url: pinned to sha256:000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, checkSHA256(tt.doc(t), tt.digest), tt.want)
		})
	}
}

// mutateLine replaces the one line of doc that starts with prefix by
// line (or removes it when line is ""), failing the test unless exactly one
// line starts with prefix.
func mutateLine(t *testing.T, doc []byte, prefix, line string) []byte {
	t.Helper()
	lines := strings.SplitAfter(string(doc), "\n")
	at := -1
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			if at >= 0 {
				t.Fatalf("mutation: more than one line starts with %q", prefix)
			}
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("mutation: no line starts with %q", prefix)
	}
	if line == "" {
		lines[at] = ""
	} else {
		lines[at] = line + "\n"
	}
	return []byte(strings.Join(lines, ""))
}
