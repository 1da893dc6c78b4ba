package main

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/corswasm/corswasm/policy"
)

// The filter refuses "https://*.github.io" with allowCredentials (and warns
// without) because its embedded Public Suffix List says github.io is a
// public suffix: anyone can register a site under it. That list is a copy
// frozen into the wasm module (policy cannot import x/net/publicsuffix,
// which links net/http into it), so suffixes added to the list since are
// unknown to the filter and "https://*.ngrok-free.app" passes its
// validation. corsctl is a native tool: it checks every wildcard origin
// again against x/net/publicsuffix's newer list and reports what the
// filter missed.

// pslRisk is the filter's own wording for the finding (policy/new.go),
// reused so corsctl's findings read like the filter's.
const pslRisk = "a wildcard over a public suffix trusts every site registered under it"

// crossCheckPSL returns, for a config the filter parses, the wildcard
// origins over a public suffix that only x/net/publicsuffix knows: with
// allowCredentials on their policy as errors, without as warnings, both
// rendered like the filter's own (`path: "value": reason; fix`). Origins
// the filter already flags, or rejects for any reason of its own, are left
// to its messages.
func crossCheckPSL(config []byte) (errs []string, warnings []policy.Warning) {
	cfg, err := policy.ParseConfig(config)
	if err != nil {
		return nil, nil // the filter's syntax error says it all
	}
	check := func(prefix string, r *policy.Rules) {
		for i, origin := range r.AllowOrigins {
			if !newerPublicSuffix(origin) {
				continue
			}
			w := policy.Warning{Code: policy.WarnPublicSuffixWildcard, Path: prefix + "allowOrigins[" + strconv.Itoa(i) + "]", Value: origin}
			if r.AllowCredentials {
				w.Message = pslRisk + " (this suffix is newer than the filter's built-in list of " + filterListDate() +
					", so the filter itself would accept it); list the origins you trust instead"
				errs = append(errs, w.String())
				continue
			}
			w.Message = pslRisk + " (this suffix is newer than the filter's built-in list of " + filterListDate() +
				", so the filter itself would not warn); without credentials they can only read public responses, but list the origins you trust instead"
			warnings = append(warnings, w)
		}
		if !r.AllowCredentials {
			return // without credentials the filter accepts any regex, with lints
		}
		// The filter proves a credentialed regex stays within one site
		// with its built-in list; check the domains the proof rested on
		// against the newer one.
		for i, re := range r.AllowOriginRegexes {
			for _, d := range policy.CredentialRegexDomains(re) {
				if !newerSuffixDomain(d) {
					continue
				}
				w := policy.Warning{Code: policy.WarnPublicSuffixWildcard, Path: prefix + "allowOriginRegexes[" + strconv.Itoa(i) + "]", Value: re}
				w.Message = "matches a different site for every name registered under the public suffix " + strconv.Quote(d) +
					" (this suffix is newer than the filter's built-in list of " + filterListDate() +
					", so the filter itself would accept it): with allowCredentials any of them could read users' data; spell out the hosts you trust"
				errs = append(errs, w.String())
				break
			}
		}
	}
	check("", &cfg.Rules)
	for i := range cfg.Routes {
		check("routes["+strconv.Itoa(i)+"].", &cfg.Routes[i].Rules)
	}
	return errs, warnings
}

// newerPublicSuffix reports whether origin is a wildcard
// ("scheme://*.BASE[:port]") whose BASE x/net/publicsuffix lists as a
// public suffix while the filter does not flag it.
func newerPublicSuffix(origin string) bool {
	base, ok := wildcardBase(origin)
	if !ok {
		return false
	}
	// The filter exempts localhost and its subdomains: they are loopback by
	// definition (RFC 6761), not registrable. x/net, by the list's
	// implicit "*" rule, calls "localhost" a public suffix.
	if base == "localhost" || strings.HasSuffix(base, ".localhost") {
		return false
	}
	// PublicSuffix returns BASE itself for a rule of the ICANN section
	// ("co.uk"), of the private section ("ngrok-free.app", icann false)
	// and for an unlisted top-level name ("internal", by the implicit "*"
	// rule). The filter counts all three, so the icann flag is ignored.
	if ps, _ := publicsuffix.PublicSuffix(base); ps != base {
		return false
	}
	return !filterFlags(origin)
}

// newerSuffixDomain reports whether x/net/publicsuffix lists domain d as
// a public suffix (the filter's proof already refused it if its own list
// does).
func newerSuffixDomain(d string) bool {
	if d == "localhost" || strings.HasSuffix(d, ".localhost") {
		return false
	}
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps == d
}

// wildcardBase returns BASE of "scheme://*.BASE[:port]", lowercase ASCII
// (punycode for an internationalized name, as the filter and browsers
// normalize it). Anything else is not a wildcard origin, or one the
// filter rejects on its own (and filterFlags confirms that).
func wildcardBase(origin string) (string, bool) {
	_, rest, ok := strings.Cut(origin, "://")
	if !ok {
		return "", false
	}
	host, ok := strings.CutPrefix(rest, "*.")
	if !ok {
		return "", false
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if host == "" || strings.ContainsAny(host, "/?#@[]*") {
		return "", false
	}
	// Only Unicode or punycode names go through IDNA, as in the filter:
	// its STD3 rules would refuse "_", which plain hosts may contain.
	if strings.Contains(strings.ToLower(host), "xn--") || !isASCII(host) {
		a, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return "", false
		}
		host = a
	}
	return strings.ToLower(host), true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// filterFlags reports whether the filter itself reports origin: it
// rejects it outright, or (as the only entry of a policy without
// credentials) warns about a public suffix. Asking the engine, rather
// than re-implementing its list lookup, keeps corsctl from repeating what
// the filter already says whatever list it embeds.
func filterFlags(origin string) bool {
	probe, err := json.Marshal(policy.Config{Rules: policy.Rules{AllowOrigins: []string{origin}}})
	if err != nil {
		return true
	}
	p, err := policy.Compile(probe)
	if err != nil {
		return true
	}
	for _, w := range p.Warnings() {
		if w.Code == policy.WarnPublicSuffixWildcard && w.Path == "allowOrigins[0]" {
			return true
		}
	}
	return false
}

// listDate finds the list's date in a version such as "Debian
// publicsuffix 20230209.2326-1" (Debian's versions start with the date of
// the upstream list).
var listDate = regexp.MustCompile(`\b(\d{8})(?:\D|$)`)

// filterListDate is the date of the filter's embedded list, "2023-02-09".
func filterListDate() string { return listDateOf(policy.PublicSuffixListVersion()) }

// listDateOf formats the date in a list version as YYYY-MM-DD, or returns
// the version quoted when it holds no date.
func listDateOf(v string) string {
	if m := listDate.FindStringSubmatch(v); m != nil {
		if t, err := time.Parse("20060102", m[1]); err == nil {
			return t.Format(time.DateOnly)
		}
	}
	return strconv.Quote(v)
}
