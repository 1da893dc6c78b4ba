// Package psl answers one question about a domain: is it a public suffix,
// a name under which anyone can register their own site ("com", "co.uk",
// "github.io")? It implements the Public Suffix List algorithm
// (https://github.com/publicsuffix/list/wiki/Format) over a copy of the
// list embedded in the binary.
//
// We ship the list as data instead of importing
// golang.org/x/net/publicsuffix because that package imports
// net/http/cookiejar, which links net/http and crypto/tls into the wasm
// module and makes it import wasi_snapshot_preview1.path_filestat_get,
// which Envoy's wasm host does not provide.
package psl

import (
	_ "embed"
	"strings"
	"sync"

	"golang.org/x/net/idna"
)

// listData is the official list (https://publicsuffix.org/list/), copied
// from Debian's publicsuffix package by `make psl` (version in
// public_suffix_list.version). Both the ICANN and the
// PRIVATE sections are used: a wildcard over "github.io" is as dangerous
// as one over "com".
//
//go:embed public_suffix_list.dat
var listData string

// kind records which rules exist for one domain string; a single domain
// can carry several ("ck" has no rule of its own, "*.ck" a wildcard,
// "www.ck" an exception).
type kind uint8

const (
	normal    kind = 1 << iota // "co.uk": co.uk is a public suffix
	wildcard                   // "*.ck": every label directly under ck is one
	exception                  // "!www.ck": www.ck is not, despite *.ck
)

// table is the parsed list: rule domain (without "*." or "!") to kinds.
type table struct {
	rules map[string]kind
	// skipped holds rule lines the matcher cannot represent (a wildcard
	// that is not the whole leftmost label, or an IDN label that does
	// not convert to punycode). The shipped list has none; a test keeps
	// it that way when `make psl` refreshes the file.
	skipped []string
}

// rules is parsed on first use, not at module start: most configurations
// have no wildcard origin and never pay for it.
var rules = sync.OnceValue(func() *table { return parse(listData) })

// parse reads the list format: one rule per line, read up to the first
// whitespace; lines starting with "//" are comments.
func parse(data string) *table {
	t := &table{rules: make(map[string]kind, strings.Count(data, "\n")*4/5)}
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
		if !isASCII(name) {
			// Rules are written in Unicode; hosts reach us as punycode.
			a, err := idna.Punycode.ToASCII(name)
			if err != nil {
				t.skipped = append(t.skipped, line)
				continue
			}
			name = a
		}
		t.rules[name] |= k
	}
	return t
}

// IsPublicSuffix reports whether domain is itself a public suffix: the
// list's prevailing rule for it yields exactly domain. Unlisted top-level
// names count, by the list's implicit "*" rule ("internal", "localhost"):
// callers that treat some of those specially must check them first.
//
// domain must be lowercase ASCII (punycode for IDNs) without a trailing
// dot; an empty domain or one with an empty label is never a suffix.
func IsPublicSuffix(domain string) bool {
	ps, ok := rules().publicSuffix(domain)
	return ok && ps == domain
}

// publicSuffix returns the public suffix of domain under the list's
// algorithm, and false if domain is empty or has an empty label.
func (t *table) publicSuffix(domain string) (string, bool) {
	if domain == "" || domain[0] == '.' || domain[len(domain)-1] == '.' || strings.Contains(domain, "..") {
		return "", false
	}
	// Walk the suffixes from the whole domain down to its last label.
	// The longest matching rule prevails, so the first match found is
	// kept; but an exception rule prevails over every other rule, so the
	// walk goes on to the end looking for one.
	best := ""
	prev := -1 // start of the label before s, or -1 for the whole domain
	for start := 0; ; {
		s := domain[start:]
		k := t.rules[s]
		if k&exception != 0 {
			// "!www.ck": the suffix is the rule minus its leftmost label.
			return s[strings.IndexByte(s, '.')+1:], true
		}
		if best == "" {
			// A wildcard over s matches one more label than s itself,
			// so it is the longer of the two and is tried first.
			if k&wildcard != 0 && prev >= 0 {
				best = domain[prev:]
			} else if k&normal != 0 {
				best = s
			}
		}
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			if best == "" {
				best = s // the implicit "*" rule: an unlisted TLD
			}
			return best, true
		}
		prev, start = start, start+dot+1
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// RegistrableDomain returns the registrable domain of domain (its public
// suffix plus one label, "eTLD+1": the unit browsers call a site), and
// false when domain is itself a public suffix or is not a valid domain.
// domain follows IsPublicSuffix's rules.
func RegistrableDomain(domain string) (string, bool) {
	ps, ok := rules().publicSuffix(domain)
	if !ok || ps == domain {
		return "", false
	}
	rest := domain[:len(domain)-len(ps)-1]
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + ps, true
}

// RuleBelow reports a rule of the list that lies strictly below domain
// ("s3.amazonaws.com" below "amazonaws.com", or "*.domain" itself), as it
// is written in the list. When there is none, every name under domain has
// the same public suffix as domain, and so the same registrable domain.
// The answer is the shortest such rule, ties broken alphabetically, so it
// is stable across runs.
func RuleBelow(domain string) (string, bool) {
	t := rules()
	best := ""
	consider := func(r string) {
		if best == "" || len(r) < len(best) || len(r) == len(best) && r < best {
			best = r
		}
	}
	if t.rules[domain]&wildcard != 0 {
		consider("*." + domain)
	}
	suffix := "." + domain
	for name, k := range t.rules {
		if !strings.HasSuffix(name, suffix) {
			continue
		}
		switch {
		case k&normal != 0:
			consider(name)
		case k&wildcard != 0:
			consider("*." + name)
		default:
			consider("!" + name)
		}
	}
	return best, best != ""
}
