package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// repoFile reads a file by its path from the repository root (tests run in
// deploy/).
func repoFile(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("read %s: %v", rel, err)
	}
	return b
}

// yamlToJSON converts strictly: a key given twice is an error, because the
// second value would silently override a setting someone reviewed.
func yamlToJSON(doc []byte) ([]byte, error) {
	return yaml.YAMLToJSONStrict(doc)
}

// mutate returns doc with old replaced by new, failing the test unless old
// occurs exactly once, so that a mutation case can never silently test the
// unmodified file.
func mutate(t *testing.T, doc []byte, old, new string) []byte {
	t.Helper()
	if n := strings.Count(string(doc), old); n != 1 {
		t.Fatalf("mutation: %q occurs %d times; want exactly 1", old, n)
	}
	return []byte(strings.Replace(string(doc), old, new, 1))
}

// problemsMatch reports whether the problems are as wanted: none when want
// is "", else at least one containing want.
func problemsMatch(problems []string, want string) bool {
	if want == "" {
		return len(problems) == 0
	}
	for _, p := range problems {
		if strings.Contains(p, want) {
			return true
		}
	}
	return false
}

func checkProblems(t *testing.T, problems []string, want string) {
	t.Helper()
	if problemsMatch(problems, want) {
		return
	}
	if want == "" {
		t.Errorf("got problems:\n  %s\nwant none", strings.Join(problems, "\n  "))
		return
	}
	t.Errorf("got problems:\n  %s\nwant one containing %q", strings.Join(problems, "\n  "), want)
}
