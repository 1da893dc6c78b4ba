package scenarios

import (
	"encoding/json"
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
