package psl

import (
	"flag"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

// The official list, as `make psl` copies it, and its reading by the
// straightforward parser the compiled rulesData replaced. The tests
// check rulesData against it, and the algorithm and x/net against it.

var listData = func() string {
	b, err := os.ReadFile("public_suffix_list.dat")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

var update = flag.Bool("update", false, "rewrite public_suffix_list.rules from public_suffix_list.dat (make psl)")

// table is the parsed list: rule domain (without "*." or "!") to kinds.
type table struct {
	rules map[string]kind
	// skipped holds rule lines the matcher cannot represent (a wildcard
	// that is not the whole leftmost label, or an IDN label that does
	// not convert to punycode).
	skipped []string
}

func (t *table) kind(name string) kind { return t.rules[name] }

func (t *table) publicSuffix(domain string) (string, bool) { return publicSuffix(domain, t.kind) }

// parse reads the list format: one rule per line, read up to the first
// whitespace; lines starting with "//" are comments.
func parse(data string) *table {
	t := &table{rules: map[string]kind{}}
	for line := range strings.Lines(data) {
		if i := strings.IndexAny(line, " \t\r\n"); i >= 0 {
			line = line[:i]
		}
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		k, name := normal, line
		switch {
		case strings.HasPrefix(name, "!"):
			k, name = exception, name[1:]
		case strings.HasPrefix(name, "*."):
			k, name = wildcard, name[2:]
		}
		if name == "" || strings.Contains(name, "*") {
			t.skipped = append(t.skipped, line)
			continue
		}
		// Rules are written in Unicode; hosts reach us as punycode.
		a, err := idna.Punycode.ToASCII(name)
		if err != nil {
			t.skipped = append(t.skipped, line)
			continue
		}
		t.rules[a] |= k
	}
	return t
}

// compile writes t in rulesData's format, with a header naming its source.
func compile(t *table) string {
	var b strings.Builder
	b.WriteString("// Compiled from public_suffix_list.dat (Mozilla Public License 2.0, https://publicsuffix.org/list/)\n")
	b.WriteString("// by `make psl`; do not edit. One rule domain per line in punycode, then its kinds: 1 normal, 2 wildcard, 4 exception.\n")
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range t.rules {
			if !yield(n) {
				return
			}
		}
	}) {
		b.WriteString(name + " " + strconv.Itoa(int(t.rules[name])) + "\n")
	}
	return b.String()
}

// TestRulesFileIsCurrent: the embedded rules are the shipped list's
// (`go test -run TestRulesFileIsCurrent -update` rewrites them).
func TestRulesFileIsCurrent(t *testing.T) {
	want := compile(parse(listData))
	if *update {
		if err := os.WriteFile("public_suffix_list.rules", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if rulesData != want {
		t.Errorf("public_suffix_list.rules: got %d bytes; want %d bytes compiled from public_suffix_list.dat (run make psl)", len(rulesData), len(want))
	}
}

// TestListKindMatchesParse: the binary search finds every rule with its
// kinds, and nothing for names that are not rules (next to each one in
// sort order, and the header).
func TestListKindMatchesParse(t *testing.T) {
	tab := parse(listData)
	for name, k := range tab.rules {
		if got := listKind(name); got != k {
			t.Errorf("listKind(%q): got %d; want %d", name, got, k)
		}
		for _, other := range []string{name + "a", name[:len(name)-1], "0" + name, name + ".", "a." + name} {
			if got := listKind(other); got != tab.rules[other] {
				t.Errorf("listKind(%q): got %d; want %d", other, got, tab.rules[other])
			}
		}
	}
	for _, name := range []string{"", "//", "/", "zzzzzzzzzz", "0"} {
		if got := listKind(name); got != tab.rules[name] {
			t.Errorf("listKind(%q): got %d; want %d", name, got, tab.rules[name])
		}
	}
}
