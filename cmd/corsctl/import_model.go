package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rs/cors"
)

// This file holds what `corsctl import` reads a source into: one oldPolicy
// per place the source applied CORS (an Istio http route, an Envoy route
// or virtual host, an rs/cors Options), in the source's own vocabulary,
// plus the findings of the audit. The readers (import_istio.go,
// import_envoy.go, import_rscors.go) fill it; import_convert.go turns it
// into a corswasm policy; import_old.go answers requests the way the old
// setup did, for --explain-diff.

// engine says whose documented semantics the old policy had.
type engine uint8

const (
	engineEnvoy  engine = iota // Envoy's CORS filter (also what Istio programs)
	engineRSCors               // github.com/rs/cors, run for real by the diff
)

// matchKind is how a source compared the Origin header with one entry.
type matchKind uint8

const (
	matchExact    matchKind = iota // byte-equal (Envoy exact, Istio exact and allowOrigin)
	matchPrefix                    // strings.HasPrefix
	matchSuffix                    // strings.HasSuffix
	matchRegex                     // RE2 full match (Envoy safe_regex, Istio regex)
	matchContains                  // substring
	matchStar                      // rs/cors: "*" (every origin) or one "*" standing for any run of bytes
)

var matchKindNames = [...]string{"exact", "prefix", "suffix", "regex", "contains", "pattern"}

func (k matchKind) String() string { return matchKindNames[k] }

// oldMatcher is one allowed-origin entry of the source.
type oldMatcher struct {
	path       string // source path, e.g. "spec.http[2].corsPolicy.allowOrigins[1]"
	kind       matchKind
	value      string
	ignoreCase bool
	// deprecatedField: Istio's allowOrigin (a plain list the docs describe
	// with "*" as a wildcard) rather than allowOrigins.
	deprecatedField bool
}

// oldPolicy is the CORS behaviour the source gave one set of requests.
type oldPolicy struct {
	where  string // the source location that selects these requests, for messages
	name   string // proposed corswasm route name ("" for the top-level policy)
	engine engine
	// top: the policy applies to every request (rs/cors, an Envoy virtual
	// host for "*"), so it becomes the top-level policy if it comes last.
	top bool

	// Selectors, as far as corswasm can express what the source matched on.
	hosts, pathPrefixes, routeNames []string
	// sample request target the source certainly routed here, for the diff.
	sampleHost, samplePath, sampleRouteName string

	origins     []oldMatcher
	originsPath string // the field holding the origins, for messages about all of them

	// Envoy-shaped settings: lists as the source wrote them.
	allowMethods, allowHeaders, exposeHeaders []string
	methodsPath, headersPath, exposePath      string
	maxAge                                    string // seconds as Envoy sends it; "" = none
	maxAgePath                                string
	credentials                               bool
	credentialsPath                           string
	privateNetwork                            bool
	forwardUnmatched                          bool // Envoy forwards preflights from origins it does not allow
	// enabled/shadow: Envoy's filter_enabled and shadow_enabled as a
	// yes/no; a fraction that is neither 0 nor 100 % is a TODO.
	enabled, shadow bool
	// filterMissing: the HTTP connection manager had no CORS filter, so
	// the policy was configured but never ran.
	filterMissing bool

	// rscors is the Options themselves, which the diff runs through
	// rs/cors's handler.
	rscors *cors.Options
}

// severity ranks a finding.
type severity uint8

const (
	sevNote severity = iota // carried over; worth knowing
	sevHole                 // the source allowed more than it probably meant; a safe replacement was chosen
	sevTODO                 // the operator must decide; the import exits non-zero
)

var severityNames = [...]string{"note", "hole", "TODO"}

func (s severity) String() string { return severityNames[s] }

// finding is one line of the audit.
type finding struct {
	sev   severity
	where string // source path
	value string // the source's entry, "" when the finding is about a field
	// what it allowed that it probably did not mean, or why it could not
	// be carried over.
	what string
	// action: the replacement chosen, or the decision left to the operator.
	action string
}

func (f finding) String() string {
	var b strings.Builder
	b.WriteString(f.sev.String())
	b.WriteString(": ")
	b.WriteString(f.where)
	if f.value != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(f.value))
	}
	b.WriteString(": ")
	b.WriteString(f.what)
	if f.action != "" {
		b.WriteString("; ")
		b.WriteString(f.action)
	}
	return b.String()
}

// audit collects findings.
type audit struct{ findings []finding }

func (a *audit) add(sev severity, where, value, what, action string) {
	a.findings = append(a.findings, finding{sev, where, value, what, action})
}

func (a *audit) todos() int {
	n := 0
	for _, f := range a.findings {
		if f.sev == sevTODO {
			n++
		}
	}
	return n
}

func indexed(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// splitCommaList splits an Envoy header-style list ("GET, POST").
func splitCommaList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
