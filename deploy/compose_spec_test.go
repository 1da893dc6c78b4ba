package deploy

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose parses a Compose file with compose-go, the library Docker
// Compose v2 itself parses with: the same schema validation, interpolation
// and consistency checks as `docker compose config -q`, without needing
// Docker or the old docker-compose binary on the machine. Paths are left
// as written, and no environment is read, so the result does not depend on
// who runs the test.
func loadCompose(doc []byte) (*types.Project, error) {
	dir, err := filepath.Abs(filepath.Join("..", "e2e"))
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "docker-compose.yaml"), Content: doc}},
		Environment: types.Mapping{},
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("corswasm-e2e", true)
		o.ResolvePaths = false
	})
}

func TestComposeFileValid(t *testing.T) {
	compose := repoFile(t, "e2e/docker-compose.yaml")
	tests := []struct {
		name    string
		compose []byte
		want    string // "" for valid, else part of compose-go's error
	}{
		{"shipped compose file", compose, ""},
		{"misspelt service key", mutate(t, compose, "    depends_on:\n", "    depends_onn:\n"), "depends_onn"},
		{"port that is not a port", mutate(t, compose, `"127.0.0.1:10000:10000"`, `"127.0.0.1:ten:10000"`), "ten"},
		{"depends on a missing service", mutate(t, compose, "      - echo\n", "      - ech\n"), `undefined service "ech"`},
		{"volume type unknown", mutate(t, compose, "      - type: bind\n        source: ../build/cors.wasm", "      - type: bnid\n        source: ../build/cors.wasm"), "volumes.0.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := loadCompose(tt.compose)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got error %v; want the file to load", err)
			case tt.want == "":
				if len(p.Services) != 2 {
					t.Errorf("got %d services; want 2 (envoy, echo)", len(p.Services))
				}
			case err == nil:
				t.Fatalf("got no error; want compose-go to reject the file with %q", tt.want)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("got error %v; want one mentioning %q", err, tt.want)
			}
		})
	}
}
