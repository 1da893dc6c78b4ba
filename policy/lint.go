package policy

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"
)

// lint reports settings that are legal but risky (see Warning). New calls
// it once the config has validated, and appends its findings to the
// policy's Warnings.
//
// Owned by the corsctl work (issue 5): broad regexes, "*" where a list
// would do, maxAge above browser caps, private network access, shadowed
// routes. Validation-time warnings (public-suffix wildcards without
// credentials) are emitted by New itself.
func lint(cfg *Config) []Warning {
	var ws []Warning
	lintRules(&ws, "", &cfg.Rules)
	for i := range cfg.Routes {
		lintRules(&ws, routePath(i)+".", &cfg.Routes[i].Rules)
	}
	ws = append(ws, lintRoutes(cfg)...)
	return ws
}

// Browser caps on Access-Control-Max-Age, measured in docs/browsers.md
// (TestPreflightCacheCap, over a controlled clock): Chromium 156 reuses a
// preflight at 7190 s and not at 7210 s (its kMaxPreflightCacheTimeout is
// two hours), WebKitGTK 2.50 at 590 s and not at 610 s.
const (
	chromiumMaxAge = 7200 * time.Second
	webkitMaxAge   = 600 * time.Second
)

func lintRules(ws *[]Warning, prefix string, r *Rules) {
	lintStarOrigin(ws, prefix, r)
	lintMethods(ws, prefix, r.AllowMethods)
	for i, re := range r.AllowOriginRegexes {
		for _, f := range lintOriginRegex(re) {
			*ws = append(*ws, Warning{
				Code:    WarnBroadOriginRegex,
				Path:    prefix + "allowOriginRegexes[" + strconv.Itoa(i) + "]",
				Value:   re,
				Message: f,
			})
		}
	}
	if r.MaxAge != nil && r.MaxAge.Duration > chromiumMaxAge {
		*ws = append(*ws, Warning{
			Code:  WarnMaxAgeOverBrowserCap,
			Path:  prefix + "maxAge",
			Value: strconv.FormatInt(int64(r.MaxAge.Duration/time.Second), 10),
			Message: "browsers cap preflight caching (chromium at 7200 s, webkit at " +
				strconv.Itoa(int(webkitMaxAge/time.Second)) +
				" s, measured in docs/browsers.md), so the extra time is ignored: use 7200 or less",
		})
	}
	if r.AllowPrivateNetwork {
		*ws = append(*ws, Warning{
			Code:  WarnPrivateNetwork,
			Path:  prefix + "allowPrivateNetwork",
			Value: "true",
			Message: "this lets public websites reach a private-network service through private network access preflights, " +
				"which chromium has replaced with the local network access permission prompt (the user decides, not this header): " +
				"remove it unless older chromium clients still need it",
		})
	}
}

// lintStarOrigin flags "*" where a list would do: next to other origins
// (the list is there, and dead), or with crossOriginProtection (every
// origin is trusted, so the protection rejects nothing). "*" alone is the
// right setting for a public API and is not flagged.
func lintStarOrigin(ws *[]Warning, prefix string, r *Rules) {
	star := slices.Index(r.AllowOrigins, "*")
	if star < 0 {
		return
	}
	if len(r.AllowOrigins) > 1 || len(r.AllowOriginRegexes) > 0 {
		*ws = append(*ws, Warning{Code: WarnStarWithOtherOrigins, Path: prefix + "allowOrigins[" + strconv.Itoa(star) + "]", Value: "*",
			Message: `"*" allows every origin, so the other allowOrigins and allowOriginRegexes have no effect: remove "*" to allow only the listed origins`})
	}
	if r.CrossOriginProtection {
		*ws = append(*ws, Warning{Code: WarnStarWithCrossOriginProtection, Path: prefix + "crossOriginProtection", Value: "true",
			Message: `allowOrigins "*" trusts every origin, so cross-origin protection rejects nothing: list the origins that may send writes instead of "*"`})
	}
}

// lintRoutes reports routes that can never apply because an earlier route
// matches every request they would match (first match wins). Routes with
// identical selectors, or none, are validation errors already.
func lintRoutes(cfg *Config) []Warning {
	var ws []Warning
	for j := range cfg.Routes {
		for i := 0; i < j; i++ {
			if routeCovers(&cfg.Routes[i], &cfg.Routes[j]) {
				ws = append(ws, Warning{
					Code:  WarnShadowedRoute,
					Path:  routePath(j),
					Value: cfg.Routes[j].Name,
					Message: "never applies: " + routeLabel(cfg, i) + " comes first and matches every request this route matches " +
						"(first match wins): move this route above it or narrow " + routePath(i) + "'s hosts, pathPrefixes or routeNames",
				})
				break
			}
		}
	}
	return ws
}

func routePath(i int) string { return "routes[" + strconv.Itoa(i) + "]" }

func routeLabel(cfg *Config, i int) string {
	if n := cfg.Routes[i].Name; n != "" {
		return routePath(i) + " (" + strconv.Quote(n) + ")"
	}
	return routePath(i)
}

// routeCovers reports whether every request matching b also matches a: each
// selector of a is empty (matches anything) or covers every entry of b's.
func routeCovers(a, b *Route) bool {
	return selectorCovers(a.Hosts, b.Hosts, hostCovers) &&
		selectorCovers(a.PathPrefixes, b.PathPrefixes, strings.HasPrefix) &&
		selectorCovers(a.RouteNames, b.RouteNames, func(x, y string) bool { return x == y })
}

// selectorCovers: a nil selector matches every request; otherwise every
// value of later must be matched by some value of earlier. covers(l, e)
// reports whether later value l is matched by earlier value e.
func selectorCovers(earlier, later []string, covers func(l, e string) bool) bool {
	if len(earlier) == 0 {
		return true
	}
	if len(later) == 0 {
		return false
	}
	for _, l := range later {
		found := false
		for _, e := range earlier {
			if covers(l, e) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// hostCovers reports whether host pattern earlier matches every host that
// later matches. "*.example.com" matches one or more labels before
// example.com, so it covers "a.example.com" and "*.a.example.com" but not
// "example.com".
//
// Both are compared in the form the policy matches, lowercase punycode:
// "*.bücher.example" covers "api.xn--bcher-kva.example" (issue 16).
func hostCovers(later, earlier string) bool {
	later, earlier = lintHost(later), lintHost(earlier)
	if later == earlier {
		return true
	}
	if suffix, ok := strings.CutPrefix(earlier, "*"); ok && strings.HasPrefix(suffix, ".") {
		return len(later) > len(suffix) && strings.HasSuffix(later, suffix)
	}
	return false
}

// lintOriginRegex finds the classic over-broad origin regexes: an
// unescaped "." in the host (any character, so "api.example.com" also
// matches "apixexample.com") and ".*" or ".+" in the host (crosses label
// boundaries, so "example\.com.*" also matches
// "example.com.attacker.net"). The regex is matched against the whole
// origin, so only the host part is inspected: after "://" and before a
// ":" port or "/". A regex without "://" is treated as all host.
func lintOriginRegex(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil // reported by validation
	}
	s := regexScan{root: re}
	if !strings.Contains(literalText(re), "://") {
		s.part = partHost
	}
	s.walk(re)
	return s.findings
}

const (
	partScheme = iota
	partHost
	partRest
)

type regexScan struct {
	root     *syntax.Regexp
	part     int
	tail     string // last literal runes seen, to spot "://"
	findings []string
}

func (s *regexScan) walk(re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			s.literal(r)
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		if s.part == partHost {
			s.dot(re)
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		sub := re.Sub[0]
		if sub.Op == syntax.OpAnyChar || sub.Op == syntax.OpAnyCharNotNL {
			if s.part == partHost {
				s.dotStar(re)
			}
			return
		}
		s.walk(sub)
	default:
		for _, sub := range re.Sub {
			s.walk(sub)
		}
	}
}

func (s *regexScan) literal(r rune) {
	s.tail += string(r)
	if len(s.tail) > 3 {
		s.tail = s.tail[len(s.tail)-3:]
	}
	switch {
	case s.part == partScheme && s.tail == "://":
		s.part = partHost
	case s.part == partHost && (r == ':' || r == '/'):
		s.part = partRest
	}
}

// dot reports a lone unescaped "." in the host.
func (s *regexScan) dot(node *syntax.Regexp) {
	msg := `an unescaped "." matches any character`
	if next, last := s.literalAfter(node); last && isTLD(next) {
		msg = `the unescaped "." before "` + next + `" matches any character`
	}
	if ex, ok := s.example(node, "x"); ok {
		msg += ", so this also allows " + strconv.Quote(ex)
	}
	s.findings = append(s.findings, msg+`: escape it ("\\." in json)`)
}

// dotStar reports ".*", ".+" or ".{n,m}" in the host.
func (s *regexScan) dotStar(node *syntax.Regexp) {
	op := ".*"
	if node.Op == syntax.OpPlus {
		op = ".+"
	} else if node.Op == syntax.OpRepeat {
		op = "." + "{" + strconv.Itoa(node.Min) + ",...}"
	}
	next, endsHost := s.literalAfter(node)
	if strings.HasPrefix(next, ".") {
		msg := strconv.Quote(op) + " matches any run of characters, dots included, so it allows any subdomain at any depth"
		if ex, ok := s.example(node, "attacker.tenant"); ok {
			msg += " (e.g. " + strconv.Quote(ex) + ")"
		}
		// The wildcard origin is suggested only when the literal after
		// ".*" is the whole rest of the host (in "\.example.com" an
		// unescaped dot follows "example") and validation accepts it as
		// an allowOrigins entry (not a wildcard over a public suffix).
		if wild := s.scheme() + "://*" + next; endsHost && validOriginEntry(wild) {
			s.findings = append(s.findings, msg+`: list "`+wild+`" in allowOrigins (whole labels only) or match one label with [a-z0-9-]+`)
		} else {
			s.findings = append(s.findings, msg+`: match one label with [a-z0-9-]+ instead`)
		}
		return
	}
	subst := "attacker-"
	if next == "" || strings.HasPrefix(next, ":") || strings.HasPrefix(next, "/") {
		subst = ".attacker.net"
	}
	msg := strconv.Quote(op) + " in the host matches any characters, dots included, so it crosses label boundaries"
	if ex, ok := s.example(node, subst); ok {
		msg += " and also allows " + strconv.Quote(ex)
	}
	s.findings = append(s.findings, msg+": match whole labels instead, e.g. ([a-z0-9-]+\\.)+ before a literal domain")
}

// scheme guesses the scheme the regex is written for, for suggestions.
func (s *regexScan) scheme() string {
	if before, _, ok := strings.Cut(literalText(s.root), "://"); ok && before != "" {
		return before
	}
	return "https"
}

// literalAfter returns the literal text that immediately follows node in
// the regex ("" when something other than a literal, or nothing, follows),
// cut at a ":" or "/", and whether that literal ends the host.
func (s *regexScan) literalAfter(node *syntax.Regexp) (text string, endsHost bool) {
	var seq []*syntax.Regexp
	flattenAround(s.root, node, &seq)
	i := slices.Index(seq, node)
	if i < 0 {
		return "", false
	}
	// Join the run of literals that follows: "(.*\.)?example\.com" has
	// "." and "example.com" as separate nodes.
	j := i + 1
	for ; j < len(seq) && seq[j].Op == syntax.OpLiteral; j++ {
		text += string(seq[j].Rune)
	}
	if k := strings.IndexAny(text, ":/"); k >= 0 {
		return text[:k], true
	}
	if j >= len(seq) {
		return text, text != ""
	}
	switch seq[j].Op {
	case syntax.OpEndText, syntax.OpEndLine, syntax.OpQuest:
		return text, text != ""
	}
	return text, false
}

// flattenAround lists the regex's nodes in match order, opening
// concatenations and captures, and opening whichever other node holds
// target so that target's neighbours are its real successors.
func flattenAround(re, target *syntax.Regexp, out *[]*syntax.Regexp) {
	switch {
	case re == target:
		*out = append(*out, re)
	case re.Op == syntax.OpConcat || re.Op == syntax.OpCapture:
		for _, sub := range re.Sub {
			flattenAround(sub, target, out)
		}
	case contains(re, target):
		for _, sub := range re.Sub {
			if contains(sub, target) {
				flattenAround(sub, target, out)
				return
			}
		}
	default:
		*out = append(*out, re)
	}
}

// isTLD reports whether a literal looks like the final label of a host
// ("com", "co.uk" is not final): letters only.
func isTLD(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

// example builds a short origin the regex matches with node replaced by
// subst, to show what an over-broad pattern lets in. It returns false when
// the generated string does not actually match, rather than guessing.
//
// The example must also be an origin someone could list in allowOrigins
// (".examplexcom" is not a host: a browser never sends it), so repeats
// other than node are tried with no iteration, then with one.
func (s *regexScan) example(node *syntax.Regexp, subst string) (string, bool) {
	full, err := regexp.Compile(`^(?:` + s.root.String() + `)$`)
	if err != nil {
		return "", false
	}
	for _, once := range []bool{false, true} {
		var b strings.Builder
		genExample(&b, s.root, node, subst, once)
		ex := b.String()
		if _, err := parseConfigOrigin(ex); err == nil && full.MatchString(ex) {
			return ex, true
		}
	}
	return "", false
}

// validOriginEntry reports whether s passes validation as the only
// allowOrigins entry, with credentials (the strictest case), without an
// error or a warning: a suggested fix must itself be accepted.
func validOriginEntry(s string) bool {
	v := &validator{}
	v.origins(&rules{}, &Rules{AllowOrigins: []string{s}, AllowCredentials: true}, "")
	return len(v.errs) == 0 && len(v.warnings) == 0
}

func genExample(b *strings.Builder, re, target *syntax.Regexp, subst string, once bool) {
	if re == target {
		b.WriteString(subst)
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('.') // what the author meant, most often
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			genExample(b, sub, target, subst, once)
		}
	case syntax.OpAlternate:
		pick := re.Sub[0]
		for _, sub := range re.Sub {
			if contains(sub, target) {
				pick = sub
				break
			}
		}
		genExample(b, pick, target, subst, once)
	case syntax.OpCapture, syntax.OpPlus:
		genExample(b, re.Sub[0], target, subst, once)
	case syntax.OpStar, syntax.OpQuest:
		if once || contains(re.Sub[0], target) {
			genExample(b, re.Sub[0], target, subst, once)
		}
	case syntax.OpRepeat:
		n := re.Min
		if n == 0 && (once || contains(re.Sub[0], target)) {
			n = 1
		}
		for range n {
			genExample(b, re.Sub[0], target, subst, once)
		}
	}
}

// pickRune prefers a lowercase letter, then a digit, then the first rune
// of a character class given as [lo, hi] pairs.
func pickRune(ranges []rune) rune {
	for _, want := range [][2]rune{{'a', 'z'}, {'0', '9'}} {
		for i := 0; i+1 < len(ranges); i += 2 {
			lo, hi := max(ranges[i], want[0]), min(ranges[i+1], want[1])
			if lo <= hi {
				return lo
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}

func contains(re, target *syntax.Regexp) bool {
	if re == target {
		return true
	}
	for _, sub := range re.Sub {
		if contains(sub, target) {
			return true
		}
	}
	return false
}

// literalText concatenates every literal in the regex, in order.
func literalText(re *syntax.Regexp) string {
	if re.Op == syntax.OpLiteral {
		return string(re.Rune)
	}
	var b strings.Builder
	for _, sub := range re.Sub {
		b.WriteString(literalText(sub))
	}
	return b.String()
}

// fetchNormalizedMethods are the methods fetch uppercases before sending
// (Fetch "normalize a method"): a script's "delete" goes out as "DELETE".
var fetchNormalizedMethods = [...]string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}

// lintMethods flags allowMethods entries that are not uppercase. Methods
// are compared case-sensitively (browsers send them verbatim, except the
// six fetch normalises), so "delete" never matches the "DELETE" a browser
// sends, and "patch" matches only scripts that spell it in lowercase.
func lintMethods(ws *[]Warning, prefix string, methods []string) {
	for i, m := range methods {
		upper := strings.ToUpper(m)
		if m == "*" || m == upper || forbiddenMethod(m) {
			continue
		}
		msg := "browsers send methods verbatim and they are compared case-sensitively, so " + strconv.Quote(m) +
			" allows only scripts that spell it that way, not fetch(url, {method: " + strconv.Quote(upper) + "}): write " +
			strconv.Quote(upper) + ", and keep " + strconv.Quote(m) + " only if such scripts exist"
		if slices.Contains(fetchNormalizedMethods[:], upper) {
			msg = "fetch uppercases " + strconv.Quote(m) + " to " + strconv.Quote(upper) +
				" before sending it, so this entry never matches: write " + strconv.Quote(upper)
		}
		*ws = append(*ws, Warning{Code: WarnMethodCase, Path: prefix + "allowMethods[" + strconv.Itoa(i) + "]", Value: m, Message: msg})
	}
}

// lintHost is a route's host pattern as the policy matches it: lowercase,
// Unicode labels in punycode (normalizeDomain, UTS #46). A "*." prefix
// is kept. A pattern that does not normalise is compared as written,
// lowercased: validation reports it already.
func lintHost(h string) string {
	wild, rest := "", h
	if r, ok := strings.CutPrefix(h, "*."); ok {
		wild, rest = "*.", r
	}
	if a, err := normalizeDomain(rest); err == nil {
		return wild + a
	}
	return strings.ToLower(h)
}
