package policy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestPublicSuffixListVersion: the exported version is the line `make psl`
// wrote next to the embedded list, and keeps the form corsctl reads the
// list's date from.
func TestPublicSuffixListVersion(t *testing.T) {
	file, err := os.ReadFile("internal/psl/public_suffix_list.version")
	if err != nil {
		t.Fatal(err)
	}
	got := PublicSuffixListVersion()
	if want := strings.TrimSpace(string(file)); got != want {
		t.Errorf("PublicSuffixListVersion() = %q; want %q", got, want)
	}
	if !regexp.MustCompile(`^Debian publicsuffix \d{8}\S*$`).MatchString(got) {
		t.Errorf("PublicSuffixListVersion() = %q; want \"Debian publicsuffix YYYYMMDD…\" (the Makefile's psl target writes that)", got)
	}
}
