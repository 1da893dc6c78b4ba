package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidConfigs: every testdata/invalid/NAME.json fails Compile with
// exactly the text of NAME.err (one line per joined error). These files are
// part of the contract: the schema tests and corsctl reuse them.
func TestInvalidConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.json")
	if err != nil || len(files) < 25 {
		t.Fatalf("testdata/invalid: got %d configs (%v); want at least 25", len(files), err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			wantErr, err := os.ReadFile(strings.TrimSuffix(f, ".json") + ".err")
			if err != nil {
				t.Fatalf("missing .err beside %s: %v", f, err)
			}
			p, err := Compile(data)
			if err == nil {
				t.Fatalf("Compile: got a policy (%d warnings); want error:\n%s", len(p.Warnings()), wantErr)
			}
			if got, want := err.Error(), strings.TrimSuffix(string(wantErr), "\n"); got != want {
				t.Errorf("Compile error:\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestValidConfigs: every testdata/valid config and the demo config compile,
// with exactly the validation-time warnings listed here.
func TestValidConfigs(t *testing.T) {
	wantWarnings := map[string][]string{
		"empty.json":                             {"config: the config is empty: no policy applies, so every request passes untouched; add allowOrigins"},
		"public-suffix-without-credentials.json": {`allowOrigins[0]: "https://*.github.io": a wildcard over a public suffix trusts every site registered under it; without credentials they can only read public responses, but list the origins you trust instead`},
	}
	files, _ := filepath.Glob("testdata/valid/*.json")
	files = append(files, "../examples/config.json")
	if len(files) < 6 {
		t.Fatalf("got %d valid configs; want at least 6", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Compile(data)
			if err != nil {
				t.Fatalf("Compile: got error:\n%v\nwant a policy", err)
			}
			// lint (issue 5) may add its own warnings; the validation-time
			// ones listed above must be among them.
			var got []string
			for _, w := range p.Warnings() {
				got = append(got, w.String())
			}
			for _, w := range wantWarnings[filepath.Base(f)] {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("Warnings: got %q; want it to contain %q", got, w)
				}
			}
		})
	}
}
