package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// explanation is explain's result; --json prints it as is.
type explanation struct {
	File    string      `json:"file"`
	Source  string      `json:"source,omitempty"` // where in the file the config is ("" for a plain config)
	Request jsonRequest `json:"request"`
	Kind    string      `json:"kind"`  // "preflight", "actual" or "not_cors"
	Route   string      `json:"route"` // the route's name, "routes[i]", "default", or "" when no policy applies
	// RoutePath is the JSON path of the policy that applied: "" for the
	// top-level policy (or none), "routes[i]" for a route.
	RoutePath string `json:"routePath"`
	Allowed   bool   `json:"allowed"`
	Reason    string `json:"reason"`           // policy.Reason.String(): "allowed", "origin_not_allowed", ...
	Detail    string `json:"detail,omitempty"` // the offending method or header name
	Shadow    bool   `json:"shadow"`           // shadow mode: logged and counted, nothing changes on the wire
	// Action is "respond" (the filter answers with a local reply: Status,
	// Headers, Vary) or "continue" (the request goes upstream; on its
	// response the filter strips upstream Access-Control-* headers when
	// StripUpstream, sets Headers, and merges Vary).
	Action           string         `json:"action"`
	Status           int            `json:"status,omitempty"` // local reply status (respond only)
	Headers          []jsonHeader   `json:"headers"`          // headers the filter sets, lowercase names
	Vary             string         `json:"vary,omitempty"`   // merged into Vary, never duplicated
	StripUpstream    bool           `json:"stripUpstream"`
	PreserveUpstream bool           `json:"preserveUpstream"`  // upstreamCors "preserve": an upstream ACAO leaves the response untouched
	Explanation      string         `json:"explanation"`       // the decision in one sentence
	Fixes            []string       `json:"fixes,omitempty"`   // config changes that allow the request, in order
	FixVerified      bool           `json:"fixVerified"`       // the fixes were applied and re-evaluated: the request is then allowed
	Blocker          string         `json:"blocker,omitempty"` // why no config change can allow it
	Notes            []string       `json:"notes,omitempty"`
	Browser          browserVerdict `json:"browser"` // what the browser makes of it (assuming the upstream sends no CORS headers)
}

// jsonHeader is one header the filter sets.
type jsonHeader struct {
	Name  string `json:"name"` // lowercase
	Value string `json:"value"`
}

// jsonRequest is the policy.Request explain evaluated.
type jsonRequest struct {
	Method                             string `json:"method"`
	Origin                             string `json:"origin,omitempty"`
	AccessControlRequestMethod         string `json:"accessControlRequestMethod,omitempty"`
	AccessControlRequestHeaders        string `json:"accessControlRequestHeaders,omitempty"`
	AccessControlRequestPrivateNetwork string `json:"accessControlRequestPrivateNetwork,omitempty"`
	SecFetchSite                       string `json:"secFetchSite,omitempty"`
	Authority                          string `json:"authority,omitempty"`
	Path                               string `json:"path"`
	RouteName                          string `json:"routeName,omitempty"`
	Credentials                        bool   `json:"credentials"` // the page sends credentials (not a header: decides the browser's checks)
}

// explainOptions are explain's flags.
type explainOptions struct {
	req    requestFlags
	json   bool
	config int // 1-based index of the configuration in the file
}

// explainFlags defines explain's flags; the help text lists them from here.
func explainFlags(stderr io.Writer) (*flag.FlagSet, *explainOptions) {
	fs := newFlagSet("explain", stderr)
	o := &explainOptions{}
	f := &o.req
	fs.StringVar(&f.origin, "origin", "", "the page's origin (the Origin header); empty: not a CORS request")
	fs.StringVar(&f.method, "method", "GET", "the request method (case-sensitive, as fetch sends it)")
	fs.Var(&f.headers, "header", "a request header name the page sets (repeatable)")
	fs.StringVar(&f.url, "url", "", "the request URL: gives :authority and :path")
	fs.BoolVar(&f.preflight, "preflight", false, "explain the preflight: OPTIONS with Access-Control-Request-Method = --method and -Headers = --header names")
	fs.BoolVar(&f.privateNetwork, "private-network", false, "the preflight carries Access-Control-Request-Private-Network: true")
	fs.StringVar(&f.secFetchSite, "sec-fetch-site", "auto", `Sec-Fetch-Site; "auto" derives it from --origin and --url as a browser does, "" omits it`)
	fs.StringVar(&f.routeName, "route-name", "", "Envoy's route_name for the request")
	fs.BoolVar(&f.credentials, "credentials", false, "the page sends credentials (fetch credentials: 'include', XHR withCredentials)")
	fs.BoolVar(&o.json, "json", false, "print a JSON object")
	fs.IntVar(&o.config, "config", 1, "which configuration of the file to use, when it holds several (1-based)")
	return fs, o
}

func runExplain(args []string, stdout, stderr io.Writer) int {
	fs, o := explainFlags(stderr)
	f, asJSON, index := &o.req, &o.json, &o.config
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err, stdout, stderr)
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, "corsctl explain: want exactly one FILE\n"+helpHint)
		return exitUsage
	}
	if f.method == "" {
		fmt.Fprint(stderr, "corsctl explain: --method must not be empty\n")
		return exitUsage
	}
	req, err := buildRequest(f)
	if err != nil {
		fmt.Fprintf(stderr, "corsctl explain: %v\n", err)
		return exitUsage
	}
	name := files[0]
	sources, code := loadFile(name, stderr)
	if code != exitOK {
		return code
	}
	if *index < 1 || *index > len(sources) {
		fmt.Fprintf(stderr, "corsctl explain: --config %d: %s holds %d configuration(s)\n", *index, name, len(sources))
		return exitUsage
	}
	src := sources[*index-1]
	label := name
	if src.where != "" {
		label += ": " + src.where
	}
	if len(sources) > 1 {
		fmt.Fprintf(stderr, "note: %s holds %d configurations; explaining number %d (%s); choose with --config N\n", name, len(sources), *index, src.where)
	}
	c := compile(src)
	if errs := c.errors(); len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s: %s\n", label, e)
		}
		if len(c.filterErrs) > 0 {
			fmt.Fprintf(stderr, "%s: invalid: the filter would not start with this config; run corsctl validate\n", label)
		} else {
			// Only the public suffix cross-check objects: the filter
			// would load the config and allow every site under the
			// suffix, with credentials. Refused like a config the filter
			// rejects, so the risk is fixed before it is explained.
			fmt.Fprintf(stderr, "%s: invalid: the filter would load this config, but its public suffix list is older than corsctl's; run corsctl validate\n", label)
		}
		return exitInvalid
	}
	p := c.policy
	cfg, err := policy.ParseConfig(src.config)
	if err != nil { // cannot happen: compile succeeded on the same bytes
		fmt.Fprintf(stderr, "%s: %v\n", label, err)
		return exitInvalid
	}

	names := acrhNames(f.headers)
	browserOK := func(r *policy.Request, d *policy.Decision) bool {
		return checkBrowser(r, d, r.AccessControlRequestMethod, names, f.credentials).OK
	}
	d := p.Evaluate(&req)
	e := describe(name, src.where, &req, &d, f.credentials)
	e.Browser = checkBrowser(&req, &d, req.AccessControlRequestMethod, names, f.credentials)
	if d.Kind != policy.NotCORS && !d.Allowed || d.Reason == policy.ReasonCrossOriginProtection || (d.Allowed && e.Browser.Known && !e.Browser.OK) {
		s := suggest(cfg, req, f.credentials, browserOK)
		e.Fixes, e.FixVerified, e.Blocker = s.Fixes, s.Verified, s.Blocker
		e.Notes = append(e.Notes, s.Notes...)
	}
	e.Notes = append(e.Notes, requestNotes(f, &req, &d)...)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e); err != nil {
			fmt.Fprintf(stderr, "corsctl: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	printExplanation(stdout, &e)
	return exitOK
}

// describe turns the engine's Decision into an explanation.
func describe(file, where string, r *policy.Request, d *policy.Decision, credentials bool) explanation {
	e := explanation{
		File: file, Source: where,
		Request: jsonRequest{
			Method: r.Method, Origin: r.Origin,
			AccessControlRequestMethod:         r.AccessControlRequestMethod,
			AccessControlRequestHeaders:        r.AccessControlRequestHeaders,
			AccessControlRequestPrivateNetwork: r.AccessControlRequestPrivateNetwork,
			SecFetchSite:                       r.SecFetchSite, Authority: r.Authority, Path: r.Path, RouteName: r.RouteName,
			Credentials: credentials,
		},
		Kind: d.Kind.String(), Route: d.Route, RoutePath: d.RoutePath,
		Allowed: d.Allowed, Reason: d.Reason.String(), Detail: d.Detail, Shadow: d.Shadow,
		Action: d.Action.String(), Headers: []jsonHeader{},
		Vary: d.Vary, StripUpstream: d.StripUpstream, PreserveUpstream: d.PreserveUpstream,
	}
	for _, h := range d.HeaderList() {
		e.Headers = append(e.Headers, jsonHeader{h.Name, h.Value})
	}
	if d.Action == policy.Respond {
		e.Status = d.Status
	}
	e.Explanation = sentence(r, d)
	return e
}

// sentence says in one sentence why the decision came out as it did.
func sentence(r *policy.Request, d *policy.Decision) string {
	policyName := "the top-level policy"
	if d.RoutePath != "" {
		policyName = d.RoutePath
	}
	at := fieldAt(d.RoutePath)
	if d.Route == "" {
		if d.Kind == policy.NotCORS {
			return "no policy applies and the request has no Origin: it passes untouched."
		}
		return "no route matches this request and there is no top-level policy, so the filter lets it pass untouched and adds no CORS headers."
	}
	switch d.Reason {
	case policy.ReasonNone:
		if d.Vary == "" {
			return "the request has no Origin header, so it is not a CORS request: it passes; the response is the same for every origin, so it needs no Vary."
		}
		return "the request has no Origin header, so it is not a CORS request: it passes, with Vary: " + d.Vary + " on the response."
	case policy.ReasonAllowed:
		if d.Kind == policy.Preflight {
			return "the preflight is allowed by " + policyName + ": origin, method and headers are all permitted."
		}
		return "the origin is allowed by " + policyName + ", so the response gets the CORS headers below."
	case policy.ReasonOriginNotAllowed:
		if r.Origin == "null" {
			return `the origin "null" is never allowed: sandboxed iframes and file: and data: documents share it.`
		}
		return "the origin " + strconv.Quote(r.Origin) + " is not in " + at("allowOrigins") + " and matches no pattern or regex of " + policyName + "."
	case policy.ReasonOriginMalformed:
		return "the Origin header is not a valid serialized origin (or there were several), so the request is treated as not allowed."
	case policy.ReasonMethodNotAllowed:
		return "the preflight asks for method " + strconv.Quote(d.Detail) + ", which " + at("allowMethods") + " does not list (methods are case-sensitive; GET, HEAD and POST always pass)."
	case policy.ReasonHeaderNotAllowed:
		return "the preflight asks for request header " + strconv.Quote(d.Detail) + ", which " + at("allowHeaders") + " does not allow."
	case policy.ReasonHeadersMalformed:
		return "the Access-Control-Request-Headers value is malformed or over the filter's bound, so the preflight is refused."
	case policy.ReasonPrivateNetworkNotAllowed:
		return "the preflight asks for private network access (Access-Control-Request-Private-Network: true), which " + policyName + " does not allow (" + at("allowPrivateNetwork") + ")."
	case policy.ReasonCrossOriginProtection:
		return "cross-origin protection rejects this state-changing " + strconv.Quote(r.Method) + " request: it is cross-site (Sec-Fetch-Site " +
			strconv.Quote(r.SecFetchSite) + ") and its origin is not allowed by " + policyName + "."
	}
	return "decision: " + d.Reason.String() + "."
}

// requestNotes point out what the operator may have meant to ask.
func requestNotes(f *requestFlags, r *policy.Request, d *policy.Decision) []string {
	var notes []string
	if !f.preflight && f.origin != "" && (!safelistedMethod(f.method) || len(f.headers) > 0) {
		notes = append(notes, "a browser sends a preflight before this request (method "+strconv.Quote(f.method)+
			" or the extra headers are not CORS-safelisted): add --preflight to explain it")
	}
	if f.url == "" && d.Route == "" {
		notes = append(notes, "no --url given: routes that select by hosts or pathPrefixes cannot match")
	}
	if d.Shadow {
		notes = append(notes, "shadow mode: the filter logs and counts this decision but changes nothing on the wire; the browser sees the upstream's own response")
	}
	if d.PreserveUpstream {
		notes = append(notes, `upstreamCors "preserve": if the upstream's response already has Access-Control-Allow-Origin, the filter leaves it untouched and the headers above are not applied`)
	}
	switch {
	case d.Kind != policy.Preflight || d.Action != policy.Continue || d.Route == "":
	case d.StripUpstream:
		notes = append(notes, `unmatchedPreflights "forward": the refused preflight goes to the upstream, but under upstreamCors "override" the filter removes every access-control-* header from its answer, so the browser still refuses it`)
	default:
		notes = append(notes, `unmatchedPreflights "forward": the refused preflight goes to the upstream, whose answer decides what the browser sees`)
	}
	return notes
}

func printExplanation(w io.Writer, e *explanation) {
	r := e.Request
	target := r.Path
	if r.Authority != "" {
		target = r.Authority + r.Path
	}
	fmt.Fprintf(w, "request:   %s %s (%s)\n", r.Method, target, strings.ReplaceAll(e.Kind, "_", "-"))
	for _, h := range [][2]string{
		{"origin", r.Origin},
		{"access-control-request-method", r.AccessControlRequestMethod},
		{"access-control-request-headers", r.AccessControlRequestHeaders},
		{"access-control-request-private-network", r.AccessControlRequestPrivateNetwork},
		{"sec-fetch-site", r.SecFetchSite},
	} {
		if h[1] != "" {
			fmt.Fprintf(w, "           %s: %s\n", h[0], h[1])
		}
	}
	if r.RouteName != "" {
		fmt.Fprintf(w, "           route_name: %s\n", r.RouteName)
	}
	switch {
	case e.Route == "":
		fmt.Fprintf(w, "policy:    none (no route matches, no top-level policy)\n")
	case e.RoutePath == "":
		fmt.Fprintf(w, "policy:    default (top-level)\n")
	case e.Route != e.RoutePath:
		fmt.Fprintf(w, "policy:    %s (%q)\n", e.RoutePath, e.Route)
	default:
		fmt.Fprintf(w, "policy:    %s\n", e.RoutePath)
	}
	verdict := "denied"
	switch {
	case e.Route == "":
		verdict = "no policy applies"
	case e.Kind == "not_cors" && e.Reason != "cross_origin_protection":
		verdict = "not cors"
	case e.Allowed:
		verdict = "allowed"
	}
	if e.Reason != "allowed" && e.Reason != "none" {
		verdict += ": " + e.Reason
		if e.Detail != "" {
			verdict += " (" + strconv.Quote(e.Detail) + ")"
		}
	}
	if e.Shadow {
		verdict += " [shadow: nothing is enforced]"
	}
	fmt.Fprintf(w, "decision:  %s\n", verdict)
	fmt.Fprintf(w, "why:       %s\n", e.Explanation)
	fmt.Fprintf(w, "response:  %s\n", responseSummary(e))
	for _, line := range responseLines(e) {
		fmt.Fprintf(w, "           %s\n", line)
	}
	switch {
	case !e.Browser.Known:
		fmt.Fprintf(w, "browser:   depends on the upstream's response\n")
	case e.Browser.OK && e.Kind == "preflight":
		fmt.Fprintf(w, "browser:   preflight passes; the browser sends the actual request\n")
	case e.Browser.OK:
		fmt.Fprintf(w, "browser:   the page can read the response\n")
	default:
		fmt.Fprintf(w, "browser:   blocked: %s\n", e.Browser.Console)
	}
	for i, fix := range e.Fixes {
		label := "fix:      "
		if len(e.Fixes) > 1 {
			label = fmt.Sprintf("fix %d:    ", i+1)
		}
		fmt.Fprintf(w, "%s %s\n", label, fix)
	}
	if len(e.Fixes) > 0 {
		if e.FixVerified {
			fmt.Fprintf(w, "           (checked: after this, the config validates and the request is allowed)\n")
		}
	}
	if e.Blocker != "" {
		fmt.Fprintf(w, "no fix:    %s\n", e.Blocker)
	}
	for _, n := range e.Notes {
		fmt.Fprintf(w, "note:      %s\n", n)
	}
}

func responseSummary(e *explanation) string {
	if e.Shadow {
		return "shadow mode: the filter changes nothing; enforced, it would send: " + enforcedSummary(e)
	}
	return enforcedSummary(e)
}

func enforcedSummary(e *explanation) string {
	switch {
	case e.Action == "respond":
		return "local reply " + strconv.Itoa(e.Status) + " " + statusText(e.Status) + " (not forwarded)"
	case e.Kind == "preflight":
		return "forwarded to the upstream, which answers the preflight; on its response the filter:"
	case len(e.Headers) == 0 && e.Vary == "" && !e.StripUpstream:
		return "forwarded; the response is left untouched"
	default:
		return "forwarded; on the upstream's response the filter:"
	}
}

func responseLines(e *explanation) []string {
	var lines []string
	if e.Action == "respond" {
		for _, h := range e.Headers {
			lines = append(lines, h.Name+": "+h.Value)
		}
		if e.Vary != "" {
			lines = append(lines, "vary: "+e.Vary)
		}
		if len(e.Headers) == 0 {
			lines = append(lines, "(no access-control-* headers)")
		}
		return lines
	}
	if e.StripUpstream {
		lines = append(lines, "removes every access-control-* header the upstream set")
	}
	for _, h := range e.Headers {
		lines = append(lines, "sets "+h.Name+": "+h.Value)
	}
	if e.Vary != "" {
		lines = append(lines, "merges into vary: "+e.Vary)
	}
	return lines
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 204:
		return "No Content"
	case 403:
		return "Forbidden"
	}
	return ""
}
