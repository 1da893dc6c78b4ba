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
)

// rulesData is the list compiled for lookups, one rule domain per line,
// sorted, in punycode, each followed by a space and its kinds as a digit:
// "ck 2" (a wildcard rule), "www.ck 4" (an exception). It is generated
// from public_suffix_list.dat (the official list, copied from Debian's
// publicsuffix package by `make psl`, version in
// public_suffix_list.version), and TestRulesFileIsCurrent fails when the
// two disagree. Both the ICANN and the PRIVATE sections are used: a
// wildcard over "github.io" is as dangerous as one over "com".
//
// Compiled rather than parsed at start: the parse cost the module a map of
// 10,000 entries (several milliseconds and about 2.5 MB of linear memory
// in wasm) on the first wildcard origin of every VM, the comments half of
// the embedded bytes, and the punycode conversion its IDNA dependency.
//
//go:embed public_suffix_list.rules
var rulesData string

// kind records which rules exist for one domain string; a single domain
// can carry several ("ck" has no rule of its own, "*.ck" a wildcard,
// "www.ck" an exception).
type kind uint8

const (
	normal    kind = 1 << iota // "co.uk": co.uk is a public suffix
	wildcard                   // "*.ck": every label directly under ck is one
	exception                  // "!www.ck": www.ck is not, despite *.ck
)

// listKind is the kinds of rules for name: a binary search over the lines
// of rulesData, allocation-free. Header lines ("// ...") sort before
// every domain.
func listKind(name string) kind {
	lo, hi := 0, len(rulesData) // lines starting in [lo, hi) remain
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := lo + strings.LastIndexByte(rulesData[lo:mid], '\n') + 1
		end := start + strings.IndexByte(rulesData[start:], '\n')
		rule, k, _ := strings.Cut(rulesData[start:end], " ")
		switch c := strings.Compare(rule, name); {
		case c == 0 && len(k) == 1:
			return kind(k[0] - '0')
		case c < 0:
			lo = end + 1
		default:
			hi = start
		}
	}
	return 0
}

// IsPublicSuffix reports whether domain is itself a public suffix: the
// list's prevailing rule for it yields exactly domain. Unlisted top-level
// names count, by the list's implicit "*" rule ("internal", "localhost"):
// callers that treat some of those specially must check them first.
//
// domain must be lowercase ASCII (punycode for IDNs) without a trailing
// dot; an empty domain or one with an empty label is never a suffix.
func IsPublicSuffix(domain string) bool {
	ps, ok := publicSuffix(domain, listKind)
	return ok && ps == domain
}

// publicSuffix returns the public suffix of domain under the list's
// algorithm, given the rules' kinds per domain string, and false if
// domain is empty or has an empty label.
func publicSuffix(domain string, kindOf func(string) kind) (string, bool) {
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
		k := kindOf(s)
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

// RegistrableDomain returns the registrable domain of domain (its public
// suffix plus one label, "eTLD+1": the unit browsers call a site), and
// false when domain is itself a public suffix or is not a valid domain.
// domain follows IsPublicSuffix's rules.
func RegistrableDomain(domain string) (string, bool) {
	ps, ok := publicSuffix(domain, listKind)
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
	best := ""
	consider := func(r string) {
		if best == "" || len(r) < len(best) || len(r) == len(best) && r < best {
			best = r
		}
	}
	if listKind(domain)&wildcard != 0 {
		consider("*." + domain)
	}
	suffix := "." + domain
	for line := range strings.Lines(rulesData) {
		name, digit, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if len(digit) != 1 || !strings.HasSuffix(name, suffix) {
			continue
		}
		k := kind(digit[0] - '0')
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
