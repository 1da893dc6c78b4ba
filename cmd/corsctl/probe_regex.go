package main

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// regexSamples returns up to n distinct strings that an allowOriginRegexes
// entry matches, for probe to send as allowed origins. The engine anchors
// every entry ("^(?:re)$"), and so does this. Each sample takes a
// different branch of alternations and different characters of classes;
// optional parts are left out and repetitions made once, which keeps
// hosts short and well-formed ("https://.example.com" would be refused as
// malformed, not as an origin the regex allows). The caller still asks
// the engine whether each sample is allowed: a sample is a guess.
func regexSamples(expr string, n int) []string {
	anchored := "^(?:" + expr + ")$"
	re, err := syntax.Parse(anchored, syntax.Perl)
	if err != nil {
		return nil
	}
	check, err := regexp.Compile(anchored)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	var out []string
	for v := 0; v < n*2 && len(out) < n; v++ {
		var b strings.Builder
		if !sample(re, &b, v, 0) {
			continue
		}
		// Anchors or \b inside the expression can make a guess miss.
		if s := b.String(); check.MatchString(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// sample writes one string matching re; variant picks alternatives and
// class members. depth bounds the recursion on hostile input.
func sample(re *syntax.Regexp, b *strings.Builder, variant, depth int) bool {
	if depth > 100 || b.Len() > 512 {
		return false
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
		}
		return true
	case syntax.OpCharClass:
		r, ok := classMember(re.Rune, variant)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte("abc"[variant%3])
		return true
	case syntax.OpCapture:
		return sample(re.Sub[0], b, variant, depth+1)
	case syntax.OpQuest:
		return true // leave optional parts out
	case syntax.OpStar, syntax.OpPlus:
		return sample(re.Sub[0], b, variant, depth+1)
	case syntax.OpRepeat:
		if re.Max == 0 {
			return true
		}
		if re.Min > 64 {
			return false // too long to be a host part anyway
		}
		for range max(re.Min, 1) {
			if !sample(re.Sub[0], b, variant, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !sample(s, b, variant, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return sample(re.Sub[variant%len(re.Sub)], b, variant/len(re.Sub), depth+1)
	}
	return false
}

// classMember picks a character of a class (pairs of inclusive ranges),
// preferring lowercase letters and digits, which keep hosts valid.
func classMember(ranges []rune, variant int) (rune, bool) {
	var good []rune
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && len(good) < 8; r++ {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				good = append(good, r)
			}
		}
	}
	if len(good) > 0 {
		return good[variant%len(good)], true
	}
	if len(ranges) >= 2 && ranges[0] < unicode.MaxASCII {
		return ranges[0], true
	}
	return 0, false
}
