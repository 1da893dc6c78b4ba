package main

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// Regex origins (Envoy safe_regex, Istio regex): RE2 full matches, carried
// over when they mean what they seem to. The probes here build a sample the
// regex matches and look for lookalikes around it.

// convertRegex carries an RE2 pattern over when it means what it seems
// to: origins that differ from a sample it matches only in a dot (an
// unescaped "." matches any character) are refused, and fixed by escaping
// such dots when that is unambiguous.
func convertRegex(m *oldMatcher, a *audit) carried {
	v := m.value
	if _, err := regexp.Compile("^(?:" + v + ")$"); err != nil {
		a.add(sevTODO, m.path, v, "not a regular expression Go's RE2 accepts ("+firstLine(err.Error())+")", "not carried over; rewrite it")
		return carried{}
	}
	sample, ok := regexSample(v)
	if !ok {
		return carried{regexes: []string{v}}
	}
	if hole := dotHole(m, sample); hole != "" {
		fixed, err := escapeLoneDots(v)
		if err == nil && fixed != v {
			fm := oldMatcher{kind: matchRegex, value: fixed}
			if fm.matches(sample) && !fm.matches(hole) {
				what := `an unescaped "." matches any character, so it also allowed "` + hole + `"`
				if w := regexAsWildcard(fixed); w != "" {
					a.add(sevHole, m.path, v, what, `replaced by the wildcard origin "`+w+`" (dots escaped, whole labels)`)
					return carried{origins: []string{w}}
				}
				a.add(sevHole, m.path, v, what, `replaced by "`+fixed+`" (dots escaped)`)
				return carried{regexes: []string{fixed}}
			}
		}
		a.add(sevTODO, m.path, v, `an unescaped "." matches any character, so it also allows "`+hole+`"`, "not carried over; escape the dots (\\.)")
		return carried{}
	}
	if tail := sample + ".evil.example"; m.matches(tail) {
		a.add(sevTODO, m.path, v, `also matches "`+tail+`": the host is not closed off`, "not carried over; end the host part explicitly")
		return carried{}
	}
	if w := regexAsWildcard(v); w != "" {
		a.add(sevNote, m.path, v, "a regex for every subdomain", `carried over as the wildcard origin "`+w+`", which allows the same origins`)
		return carried{origins: []string{w}}
	}
	return carried{regexes: []string{v}}
}

// subdomainRegex recognizes "scheme://.*\.example\.com" (or .+): every
// subdomain at any depth, which is exactly what corswasm's
// "scheme://*.example.com" allows among origins browsers send.
var subdomainRegex = regexp.MustCompile(`^\^?(https?)://(?:\.\*|\.\+|\(\.\*\)|\(\.\+\))\\\.((?:[a-z0-9-]+\\\.)*[a-z0-9-]+)\$?$`)

// regexAsWildcard returns the wildcard origin a subdomain regex means, or "".
func regexAsWildcard(expr string) string {
	m := subdomainRegex.FindStringSubmatch(expr)
	if m == nil {
		return ""
	}
	w := m[1] + "://*." + strings.ReplaceAll(m[2], `\.`, ".")
	if validOrigin(w) != nil {
		return ""
	}
	return w
}

// dotHole returns an origin the regex matches that differs from sample
// by one "." replaced with a letter, or "".
func dotHole(m *oldMatcher, sample string) string {
	start := strings.Index(sample, "://") + 3
	for i := start; i < len(sample); i++ {
		if sample[i] != '.' {
			continue
		}
		probe := sample[:i] + "x" + sample[i+1:]
		if m.matches(probe) {
			return probe
		}
	}
	return ""
}

// regexSample builds a short string the regex matches, preferring
// lowercase letters, so holes can be probed around it.
func regexSample(expr string) (string, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !sampleOf(re.Simplify(), &b, 0) {
		return "", false
	}
	s := b.String()
	full := regexp.MustCompile("^(?:" + expr + ")$")
	if !full.MatchString(s) || !strings.Contains(s, "://") {
		return "", false
	}
	return s, true
}

func sampleOf(re *syntax.Regexp, b *strings.Builder, depth int) bool {
	if depth > 50 {
		return false
	}
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return false
		}
		r := re.Rune[0]
		if classHas(re, 'a') {
			r = 'a'
		}
		b.WriteRune(r)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		// A lone "." most likely stands for a literal dot; writing one
		// lets dotHole probe it.
		b.WriteByte('.')
	case syntax.OpCapture:
		return sampleOf(re.Sub[0], b, depth+1)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !sampleOf(s, b, depth+1) {
				return false
			}
		}
	case syntax.OpAlternate:
		return sampleOf(re.Sub[0], b, depth+1)
	case syntax.OpPlus, syntax.OpStar:
		// A run of anything or of letters: a label ("app"), so the
		// sample reads like a real origin.
		if sub := re.Sub[0]; sub.Op == syntax.OpAnyChar || sub.Op == syntax.OpAnyCharNotNL || (sub.Op == syntax.OpCharClass && classHas(sub, 'a')) {
			b.WriteString("app")
			return true
		}
		if re.Op == syntax.OpStar {
			return true
		}
		return sampleOf(re.Sub[0], b, depth+1)
	case syntax.OpRepeat:
		for range max(re.Min, 0) {
			if !sampleOf(re.Sub[0], b, depth+1) {
				return false
			}
		}
	case syntax.OpQuest, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
	default:
		return false
	}
	return true
}

func classHas(re *syntax.Regexp, c rune) bool {
	for i := 0; i+1 < len(re.Rune); i += 2 {
		if re.Rune[i] <= c && c <= re.Rune[i+1] {
			return true
		}
	}
	return false
}

// escapeLoneDots rewrites, in the operator's own text, every "." that
// stands alone (not escaped, not in a [class], not followed by a
// quantifier, so not a deliberate "any run of characters") as "\.".
func escapeLoneDots(expr string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			b.WriteByte(c)
			b.WriteByte(expr[i+1])
			i++
			continue
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '.' && !inClass && (i+1 == len(expr) || !strings.ContainsRune("*+?{", rune(expr[i+1]))):
			b.WriteString(`\.`)
			continue
		}
		b.WriteByte(c)
	}
	if _, err := syntax.Parse(b.String(), syntax.Perl); err != nil {
		return "", err
	}
	return b.String(), nil
}
