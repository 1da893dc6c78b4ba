package policy

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/corswasm/corswasm/policy/internal/psl"
)

// With allowCredentials, a regex in allowOriginRegexes is accepted only
// when its structure proves which sites it can match, and they are one
// registrable domain (issue 9 §3). Trying sample origins against it (the
// canary heuristic this replaces) cannot prove anything: the samples
// missed "https://[a-z0-9-]+\.github\.io", which lets anyone with a GitHub
// account read users' data.
//
// The proof works on the regexp/syntax tree, never on sample strings:
//
//  1. Expand alternations and optional parts into at most maxRegexBranches
//     branches: sequences of literal text and "opaque" parts (classes,
//     repetitions, "."), where an opaque part is assumed to match anything.
//     Assuming more than the regex matches can only make the proof refuse
//     more, never accept more.
//  2. In each branch, drop a trailing port (":" then parts that match only
//     digits). What is left must end in literal text, which ends the host:
//     a request Origin is strictly parsed before any regex sees it
//     (origin_request.go), so the host is what lies between "://" and the
//     port, and holds only letters, digits, "-", "_" and ".". Hosts with
//     an empty label ("a..b") get through that parser, but no DNS name
//     has one, so no browser ever holds such an origin: the proof ignores
//     them.
//  3. If the whole host is literal, that host is the branch's only site.
//     Otherwise the literal text after its first "." is a whole-label
//     domain D that every matched host ends in, after at least one label.
//     If no rule of the Public Suffix List lies at or below D, all those
//     hosts share D's registrable domain, and that is the branch's site.
//  4. All branches together must name one site. Loopback hosts
//     (localhost, *.localhost, 127.0.0.0/8, [::1]) count as one.
//
// Anything the proof cannot place (a host that ends in a class, say) is
// refused with a message saying how to write a regex it can place.
const maxRegexBranches = 64

// regexPart is literal text (node == nil) or an opaque node.
type regexPart struct {
	lit  string
	node *syntax.Regexp
}

// credentialRegexProblem returns why the credentialed regex s (already
// known to compile) cannot be accepted, or "" when it matches the origins
// of one site only.
func credentialRegexProblem(s string) string {
	parsed, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		return "not a valid regular expression" // validation reports why
	}
	// A lone unescaped "." is the classic typo ("app.example.com" also
	// matches "appxexample.com"): an error with credentials, not only a
	// lint, whatever the rest of the proof would say.
	if dot := loneDot(parsed); dot != nil {
		msg := `an unescaped "." matches any character`
		if ex, ok := (&regexScan{root: parsed}).example(dot, "x"); ok {
			msg += ", so this also allows " + strconv.Quote(ex)
		}
		return msg + `: with allowCredentials that is a site nobody vetted; escape it ("\\." in json)`
	}
	full := regexp.MustCompile("^(?:" + s + ")$")
	branches, ok := expandRegex(parsed.Simplify())
	if !ok {
		return undecidable("it has more than " + strconv.Itoa(maxRegexBranches) + " alternatives to check; split it")
	}
	sites := map[string]bool{}
	for _, b := range branches {
		site, _, problem := branchSite(b, full)
		if problem != "" {
			return problem
		}
		sites[site] = true
	}
	if len(sites) > 1 {
		list := slices.Sorted(func(yield func(string) bool) {
			for s := range sites {
				if !yield(strconv.Quote(s)) {
					return
				}
			}
		})
		return "matches origins of " + strconv.Itoa(len(sites)) + " different sites (" + strings.Join(list, ", ") +
			"): with allowCredentials a regex must stay within one registrable domain so that what it trusts can be checked; write one regex per site"
	}
	return ""
}

// CredentialRegexDomains returns the literal domains under which a
// credentialed allowOriginRegexes entry can match hosts (one per branch;
// branches that spell out a whole host have none), or nil when the regex
// is refused anyway. The filter proves with its built-in
// Public Suffix List that each is not a public suffix; corsctl checks them
// again against a newer list, as it does for wildcards.
func CredentialRegexDomains(s string) []string {
	if credentialRegexProblem(s) != "" {
		return nil
	}
	parsed, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		return nil
	}
	full := regexp.MustCompile("^(?:" + s + ")$")
	branches, _ := expandRegex(parsed.Simplify())
	var out []string
	for _, b := range branches {
		if _, d, _ := branchSite(b, full); d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func undecidable(why string) string {
	return "cannot tell which sites this matches (" + why + "): with allowCredentials the host must end in an escaped, literal registrable domain, " +
		`as in "https://[a-z0-9-]+\\.example\\.com", optionally followed by a port such as "(:[0-9]+)?"`
}

// loneDot returns a "." (any character) that is not the operand of a
// repetition ("." alone or "?"), or nil.
func loneDot(re *syntax.Regexp) *syntax.Regexp {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return re
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		if op := re.Sub[0].Op; op == syntax.OpAnyChar || op == syntax.OpAnyCharNotNL {
			return nil
		}
	}
	for _, sub := range re.Sub {
		if d := loneDot(sub); d != nil {
			return d
		}
	}
	return nil
}

// expandRegex lists the branches of re (step 1), or false when there are
// more than maxRegexBranches.
func expandRegex(re *syntax.Regexp) ([][]regexPart, bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return nil, true
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		// Assertions only narrow what matches: ignoring them is safe.
		return [][]regexPart{nil}, true
	case syntax.OpLiteral:
		lit := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			lit = strings.ToLower(lit)
		}
		return [][]regexPart{{{lit: lit}}}, true
	case syntax.OpCharClass:
		if r, ok := singleRune(re.Rune); ok {
			return [][]regexPart{{{lit: string(r)}}}, true
		}
	case syntax.OpCapture:
		return expandRegex(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := expandRegex(re.Sub[0])
		if !ok || len(sub)+1 > maxRegexBranches {
			return nil, false
		}
		return append([][]regexPart{nil}, sub...), true
	case syntax.OpAlternate:
		var out [][]regexPart
		for _, alt := range re.Sub {
			sub, ok := expandRegex(alt)
			if !ok || len(out)+len(sub) > maxRegexBranches {
				return nil, false
			}
			out = append(out, sub...)
		}
		return out, true
	case syntax.OpConcat:
		out := [][]regexPart{nil}
		for _, part := range re.Sub {
			sub, ok := expandRegex(part)
			if !ok || len(out)*len(sub) > maxRegexBranches {
				return nil, false
			}
			next := make([][]regexPart, 0, len(out)*len(sub))
			for _, head := range out {
				for _, tail := range sub {
					next = append(next, joinParts(head, tail))
				}
			}
			out = next
		}
		return out, true
	}
	// Classes, repetitions, ".": opaque.
	return [][]regexPart{{{node: re}}}, true
}

// singleRune reports whether a character class matches one letter only,
// in either case ("[e]", "[Ee]"): hosts are compared as lowercase sites.
func singleRune(ranges []rune) (rune, bool) {
	var only rune = -1
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		if n += int(ranges[i+1]-ranges[i]) + 1; n > 2 {
			return 0, false
		}
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			l := unicode.ToLower(r)
			if only >= 0 && l != only {
				return 0, false
			}
			only = l
		}
	}
	return only, only >= 0
}

// joinParts concatenates two branches, merging literal text at the seam.
func joinParts(a, b []regexPart) []regexPart {
	out := slices.Clip(slices.Clone(a))
	for _, p := range b {
		if p.node == nil && len(out) > 0 && out[len(out)-1].node == nil {
			out[len(out)-1].lit += p.lit
			continue
		}
		out = append(out, p)
	}
	return out
}

// branchSite applies steps 2 and 3 to one branch.
// domain is the literal domain that every host of the branch ends in
// after at least one more label, for checks against another list; it is
// "" where the branch spells out a whole host, which is one origin's
// site whatever any list says.
func branchSite(parts []regexPart, full *regexp.Regexp) (site, domain, problem string) {
	// Step 2: a trailing port.
	end := len(parts)
	for end > 0 && parts[end-1].node != nil && digitsOnly(parts[end-1].node) {
		end--
	}
	poppedDigits := end < len(parts)
	if end == 0 || parts[end-1].node != nil {
		return "", "", undecidable("the host does not end in literal text")
	}
	lit := parts[end-1].lit
	if trimmed := strings.TrimRight(lit, "0123456789"); strings.HasSuffix(trimmed, ":") {
		lit = trimmed[:len(trimmed)-1]
	} else if poppedDigits {
		return "", "", undecidable("the host does not end in literal text")
	}
	// Step 3: a whole literal host, or the domain after the first dot of
	// the literal that ends the host.
	if i := strings.Index(lit, "://"); i >= 0 {
		site, problem := literalHostSite(lit[i+3:])
		return site, "", problem
	}
	if end == 1 {
		return "", "", undecidable("it has no scheme://")
	}
	// The literal starts a label when what precedes it always ends in "."
	// ("([a-z]+\.)+example\.com"); otherwise its first label may be
	// glued to variable text, and only the labels after its first "."
	// are whole.
	d := lit
	if !labelStartsAt(parts, end-1) {
		dot := strings.IndexByte(lit, '.')
		if dot < 0 {
			return "", "", undecidable("the host's last label is not literal")
		}
		d = lit[dot+1:]
	}
	d = strings.ToLower(d)
	if !validDomain(d) {
		return "", "", undecidable(strconv.Quote(d) + " is not a domain")
	}
	if isLoopbackDomain(d) {
		return "localhost", d, ""
	}
	if psl.IsPublicSuffix(d) {
		msg := "matches a different site for every name registered under the public suffix " + strconv.Quote(d)
		if ex, ok := branchExample(parts, full); ok {
			msg += " (e.g. " + strconv.Quote(ex) + ")"
		}
		return "", d, msg + ": with allowCredentials any of them could read users' data; spell out the hosts you trust, as in " +
			strconv.Quote(`https://yourapp\.`+strings.ReplaceAll(d, ".", `\.`))
	}
	if rule, below := psl.RuleBelow(d); below {
		return "", d, "can match hosts under " + strconv.Quote(rule) + ", a public suffix below " + strconv.Quote(d) +
			", where every name is a different site: with allowCredentials any of them could read users' data; end the regex in a registrable domain you control"
	}
	reg, _ := psl.RegistrableDomain(d)
	return reg, d, ""
}

// labelStartsAt reports whether every string parts[:i] matches ends in
// "." or "://", so that parts[i] starts a host label.
func labelStartsAt(parts []regexPart, i int) bool {
	for ; i > 0; i-- {
		p := parts[i-1]
		if p.node == nil {
			return strings.HasSuffix(p.lit, ".") || strings.HasSuffix(p.lit, "://")
		}
		if !endsWithDot(p.node) {
			return false
		}
		if !nullable(p.node) {
			return true
		}
		// It may match nothing: then what precedes it decides.
	}
	return false
}

// endsWithDot reports whether every non-empty string re matches ends in ".".
func endsWithDot(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) > 0 && re.Rune[len(re.Rune)-1] == '.'
	case syntax.OpCharClass:
		r, ok := singleRune(re.Rune)
		return ok && r == '.'
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpCapture:
		return endsWithDot(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !endsWithDot(sub) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		// The last part that can be non-empty decides; parts after it
		// that may be empty must end in "." too when they are not.
		for i := len(re.Sub) - 1; i >= 0; i-- {
			if !endsWithDot(re.Sub[i]) {
				return false
			}
			if !nullable(re.Sub[i]) {
				return true
			}
		}
		return true
	}
	return false
}

// nullable reports whether re can match the empty string.
func nullable(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpStar, syntax.OpQuest, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpPlus, syntax.OpCapture:
		return nullable(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min == 0 || nullable(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !nullable(sub) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if nullable(sub) {
				return true
			}
		}
	}
	return false
}

// literalHostSite is the site of a host the regex spells out in full.
func literalHostSite(host string) (string, string) {
	h := strings.ToLower(host)
	switch {
	case strings.HasPrefix(h, "["):
		if h == "[::1]" {
			return "localhost", ""
		}
		return h, ""
	case endsInNumber(h):
		if strings.HasPrefix(h, "127.") {
			return "localhost", ""
		}
		return h, ""
	case !validDomain(h):
		return "", undecidable(strconv.Quote(host) + " is not a host")
	case isLoopbackDomain(h):
		return "localhost", ""
	}
	if reg, ok := psl.RegistrableDomain(h); ok {
		return reg, ""
	}
	return h, "" // a host that is itself a public suffix is its own site
}

func isLoopbackDomain(d string) bool {
	return d == "localhost" || strings.HasSuffix(d, ".localhost")
}

// validDomain: non-empty labels of host bytes (lowercase), as a request
// Origin's host must be to reach a regex.
func validDomain(d string) bool {
	if d == "" {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !hostByte(label[i]) {
				return false
			}
		}
	}
	return true
}

// digitsOnly reports whether every string re matches is ASCII digits.
func digitsOnly(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return strings.Trim(string(re.Rune), "0123456789") == ""
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] < '0' || re.Rune[i+1] > '9' {
				return false
			}
		}
		return true
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpCapture, syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !digitsOnly(sub) {
				return false
			}
		}
		return true
	}
	return false
}

// branchExample builds an origin the branch matches, checked against the
// whole regex and as a valid origin, to show what a refused regex would
// let in: its variable parts as "attacker" where that matches, else as
// the shortest text the lint's generator finds.
func branchExample(parts []regexPart, full *regexp.Regexp) (string, bool) {
	for _, attacker := range []bool{true, false} {
		var b strings.Builder
		for _, p := range parts {
			switch {
			case p.node == nil:
				b.WriteString(p.lit)
			case attacker:
				b.WriteString("attacker")
			default:
				genExample(&b, p.node, nil, "", true)
			}
		}
		ex := b.String()
		if _, err := parseConfigOrigin(ex); err == nil && full.MatchString(ex) {
			return ex, true
		}
	}
	return "", false
}
