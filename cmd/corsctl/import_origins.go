package main

import (
	"regexp"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// carried is what one source origin entry becomes in corswasm.
type carried struct {
	origins []string // allowOrigins entries
	regexes []string // allowOriginRegexes entries
	// everyOrigin: the entry let every origin in ("*", ".*", an empty
	// prefix). convertPolicy decides what to do with credentials.
	everyOrigin bool
}

// matches is the source's own comparison of an Origin value with m
// (Envoy's StringMatcher, rs/cors's lowercased pattern).
func (m *oldMatcher) matches(origin string) bool {
	v, s := m.value, origin
	if m.kind == matchStar {
		v, s = strings.ToLower(v), strings.ToLower(s)
		if v == "*" {
			return true
		}
		pre, suf, _ := strings.Cut(v, "*")
		if !strings.Contains(v, "*") {
			return s == v
		}
		return len(s) >= len(pre)+len(suf) && strings.HasPrefix(s, pre) && strings.HasSuffix(s, suf)
	}
	if m.ignoreCase && m.kind != matchRegex {
		v, s = strings.ToLower(v), strings.ToLower(s)
	}
	switch m.kind {
	case matchExact:
		return s == v
	case matchPrefix:
		return strings.HasPrefix(s, v)
	case matchSuffix:
		return strings.HasSuffix(s, v)
	case matchContains:
		return strings.Contains(s, v)
	case matchRegex:
		// Envoy's safe_regex must match the whole string (RE2 FullMatch).
		re, err := regexp.Compile("^(?:" + v + ")$")
		return err == nil && re.MatchString(s)
	}
	return false
}

// allowsEveryOrigin: Envoy's CORS filter tests each matcher against the
// literal "*" as well as the Origin, so any matcher that matches "*"
// (exact "*", an empty prefix, the regex ".*") allows every origin.
func (m *oldMatcher) allowsEveryOrigin() bool {
	if m.kind == matchStar {
		return m.value == "*"
	}
	return m.matches("*")
}

// validOrigin reports whether corswasm accepts s as an allowOrigins entry
// (without credentials; credential rules are checked on the whole policy).
func validOrigin(s string) error {
	_, err := policy.New(policy.Config{Rules: policy.Rules{AllowOrigins: []string{s}}})
	return err
}

func reasonOf(err error) string {
	msg := firstLine(err.Error())
	// Drop the probe's own "allowOrigins[0]: \"…\": " prefix.
	if i := strings.Index(msg, `": `); i >= 0 {
		return msg[i+3:]
	}
	return msg
}

// convertOrigin carries one source entry over, recording in a what it
// allowed that it probably did not mean and what replaced it.
func convertOrigin(m *oldMatcher, eng engine, creds bool, a *audit) carried {
	if m.allowsEveryOrigin() {
		what := "allows every origin"
		switch {
		case m.kind == matchRegex:
			what = "the regex matches every origin"
		case m.kind == matchPrefix || m.kind == matchSuffix || m.kind == matchContains:
			what = "an empty or \"*\" " + m.kind.String() + " matches every origin (Envoy also tests each matcher against the literal \"*\")"
		case m.deprecatedField:
			what = "allowOrigin used as a wildcard: \"*\" lets every site read the responses"
		}
		if !creds { // with credentials convertPolicy reports it, once
			a.add(sevNote, m.path, m.value, what, `carried over as "*"`)
		}
		return carried{origins: []string{"*"}, everyOrigin: true}
	}
	if eng == engineEnvoy && m.kind != matchRegex && !m.ignoreCase && strings.ToLower(m.value) != m.value {
		a.add(sevNote, m.path, m.value, "browsers send scheme and host in lowercase and the source compared case-sensitively, so the uppercase part never matched",
			"carried over; corswasm compares the lowercase form, so it matches now")
	}
	switch m.kind {
	case matchExact:
		return convertExact(m, eng, a)
	case matchPrefix:
		return convertPrefix(m, a)
	case matchSuffix:
		return convertSuffix(m, a)
	case matchContains:
		return convertContains(m, a)
	case matchRegex:
		return convertRegex(m, a)
	case matchStar:
		return convertPattern(m, a)
	}
	return carried{}
}

func convertExact(m *oldMatcher, eng engine, a *audit) carried {
	v := m.value
	if strings.Contains(v, "*") && eng == engineEnvoy {
		a.add(sevTODO, m.path, v, "allowOrigin used as a wildcard: the source compares origins exactly, so this never matched any origin",
			"not carried over; if subdomains were meant, add "+wildcardGuess(v)+" to allowOrigins")
		return carried{}
	}
	if strings.EqualFold(v, "null") {
		a.add(sevHole, m.path, v, "sandboxed iframes and file: and data: documents all send the origin null, so any site could use it",
			"removed")
		return carried{}
	}
	if err := validOrigin(v); err != nil {
		a.add(sevNote, m.path, v, "never matched an origin a browser sends ("+reasonOf(err)+")", "removed")
		return carried{}
	}
	return carried{origins: []string{v}}
}

// wildcardGuess turns "*.example.com" or "https://*.example.com" into the
// corswasm wildcard origin an operator most likely meant.
func wildcardGuess(v string) string {
	if !strings.Contains(v, "://") {
		v = "https://" + v
	}
	return `"` + v + `"`
}

// loopbackOrigin: plaintext and any port are harmless there.
func loopbackOrigin(o string) bool {
	host := o[strings.Index(o, "://")+3:]
	if c := strings.LastIndexByte(host, ':'); c >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:c]
	}
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasPrefix(host, "127.") || host == "[::1]"
}

func convertPrefix(m *oldMatcher, a *audit) carried {
	v := m.value
	base := strings.TrimSuffix(v, ":")
	if !strings.Contains(base, "*") && validOrigin(base) == nil && !strings.Contains(base[strings.Index(base, "://")+3:], ":") {
		holes := `"` + base + `.evil.example"`
		out := []string{base}
		action := "replaced by the exact origin " + `"` + base + `"`
		if v != base || loopbackOrigin(base) {
			// "http://localhost:" means any port; keep that.
			out = []string{base, base + ":*"}
			if v != base {
				out = []string{base + ":*"}
			}
			action = "replaced by " + quoteList(out)
		} else {
			holes += " and every port (e.g. " + `"` + base + `:8443")`
		}
		if v == base {
			a.add(sevHole, m.path, v, "a prefix match also allowed "+holes, action)
		} else {
			a.add(sevNote, m.path, v, "a prefix ending in \":\" allowed every port of "+`"`+base+`"`, action)
		}
		return carried{origins: out}
	}
	a.add(sevTODO, m.path, v, "a prefix match allows every origin that starts with it (e.g. "+`"`+v+`evil.example")`,
		"not carried over; list the origins it was meant for in allowOrigins")
	return carried{}
}

func convertSuffix(m *oldMatcher, a *audit) carried {
	v := m.value
	if i := strings.Index(v, "://"); i >= 0 {
		// Nothing but the origin itself ends in "scheme://host" (a "*"
		// there was literal for the source, a wildcard for corswasm).
		if !strings.Contains(v, "*") && validOrigin(v) == nil {
			a.add(sevNote, m.path, v, "a suffix match with a scheme only ever matched this origin", `replaced by the exact origin "`+v+`"`)
			return carried{origins: []string{v}}
		}
	}
	domain := strings.TrimPrefix(v, ".")
	var out []string
	if domain != v {
		out = []string{"https://*." + domain}
	} else {
		out = []string{"https://" + domain, "https://*." + domain}
	}
	for _, o := range out {
		if err := validOrigin(o); err != nil || strings.Contains(domain, "/") {
			a.add(sevTODO, m.path, v, "a suffix match allows every origin, of any scheme, that ends in it", "not carried over; list the origins it was meant for")
			return carried{}
		}
	}
	what := `a suffix match also allowed plaintext "http://x.` + domain + `"`
	if domain == v {
		what = `a suffix match also allowed "https://evil` + domain + `" and plaintext "http://x.` + domain + `"`
	}
	a.add(sevHole, m.path, v, what, "replaced by "+quoteList(out))
	return carried{origins: out}
}

func convertContains(m *oldMatcher, a *audit) carried {
	if !strings.Contains(m.value, "*") && validOrigin(m.value) == nil {
		a.add(sevHole, m.path, m.value, `a substring match also allowed "`+m.value+`.evil.example"`, `replaced by the exact origin "`+m.value+`"`)
		return carried{origins: []string{m.value}}
	}
	a.add(sevTODO, m.path, m.value, `a substring match allows every origin containing it (e.g. "https://`+strings.Trim(m.value, ".:/")+`.evil.example")`,
		"not carried over; list the origins it was meant for")
	return carried{}
}

// convertPattern handles an rs/cors origin with one "*" (any run of
// bytes, dots and colons included).
func convertPattern(m *oldMatcher, a *audit) carried {
	v := strings.ToLower(m.value)
	pre, suf, ok := strings.Cut(v, "*")
	if !ok {
		plain := *m
		plain.value = v
		return convertExact(&plain, engineRSCors, a)
	}
	switch {
	case strings.HasSuffix(pre, "://") && strings.HasPrefix(suf, ".") && validOrigin(pre+"*"+suf) == nil:
		// "https://*.example.com": rs/cors also matched "https://.example.com"
		// which no browser sends; corswasm's wildcard means the same.
		return carried{origins: []string{pre + "*" + suf}}
	case suf == "" && strings.HasSuffix(pre, ":") && validOrigin(pre+"*") == nil:
		return carried{origins: []string{pre + "*"}}
	case strings.HasSuffix(pre, "://") && validOrigin(pre+suf) == nil && validOrigin(pre+"*."+suf) == nil:
		out := []string{pre + suf, pre + "*." + suf}
		a.add(sevHole, m.path, m.value, `"*" stands for any characters, so it also allowed "`+pre+"evil"+suf+`"`, "replaced by "+quoteList(out))
		return carried{origins: out}
	}
	a.add(sevTODO, m.path, m.value, `"*" stands for any characters, dots and colons included (e.g. "`+pre+"evil.example/"+suf+`")`,
		"not carried over; list the origins, or use one whole-label wildcard like \"https://*.example.com\"")
	return carried{}
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = `"` + s + `"`
	}
	return strings.Join(q, " and ")
}
