package scenarios

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The table itself must be well-formed: unique names, valid JSON configs,
// requests expressible over HTTP, expectations that can fail.
func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All() {
		if seen[s.Name] {
			t.Errorf("%q: duplicate scenario name", s.Name)
		}
		seen[s.Name] = true
		if !json.Valid([]byte(s.Config)) {
			t.Errorf("%q: config is not valid JSON", s.Name)
		}
		if s.Method == "" || s.Path == "" || s.Path[0] != '/' || s.Authority == "" {
			t.Errorf("%q: request needs a method, an absolute path and an authority", s.Name)
		}
		if s.Want.Status == 0 || s.Want.Metric == "" {
			t.Errorf("%q: want needs a status and a metric", s.Name)
		}
		if s.Want.LocalReply && s.Upstream != nil && s.Upstream.From == "" {
			t.Errorf("%q: a local reply never sees an upstream response", s.Name)
		}
	}
}

func TestCheckReportsDifferences(t *testing.T) {
	s := Scenario{Want: Want{Status: 204, Headers: map[string]string{ACAO: "https://a.example"}, Absent: []string{ACAC}}}
	tests := []struct {
		name    string
		status  int
		headers [][2]string
		errs    int
	}{
		{"match", 204, [][2]string{{"Access-Control-Allow-Origin", "https://a.example"}}, 0},
		{"wrong status", 200, [][2]string{{ACAO, "https://a.example"}}, 1},
		{"duplicate value", 204, [][2]string{{ACAO, "https://a.example"}, {ACAO, "https://a.example"}}, 1},
		{"missing and unwanted", 204, [][2]string{{ACAC, "true"}}, 2},
	}
	for _, tt := range tests {
		if got := s.Check(tt.status, tt.headers); len(got) != tt.errs {
			t.Errorf("%s: got %d errors %q; want %d", tt.name, len(got), got, tt.errs)
		}
	}
}

// ConfigExample must be exactly examples/config.json (as JSON values:
// formatting and key order aside), the config Envoy runs in envoy.yaml and
// docker-compose: otherwise the e2e replay against Envoy finds no scenario
// written for it.
func TestConfigExampleIsTheExampleFile(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "config.json")
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal([]byte(ConfigExample), &got); err != nil {
		t.Fatalf("ConfigExample: %v", err)
	}
	if err := json.Unmarshal(file, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ConfigExample: got %s; want the JSON of %s: %s", ConfigExample, path, file)
	}
	n := 0
	for _, s := range All() {
		if s.Config == ConfigExample {
			n++
		}
	}
	if n < 6 {
		t.Errorf("scenarios with ConfigExample: got %d; want ≥ 6 (the e2e replay against Envoy runs only these)", n)
	}
}
