package policy_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// Fixed configs the fuzz targets evaluate against. Each is already in
// canonical form, so the reference matcher can compare entries byte-exactly.
var fzConfigs = []struct{ name, json string }{
	{"credentialed", `{
		"allowOrigins": ["https://foo.com", "https://bar.com", "https://app.example.com",
			"https://*.tenant.example.com", "http://localhost:*", "http://127.0.0.1:3000",
			"https://xn--bcher-kva.example"],
		"allowOriginRegexes": ["^https://pr-[0-9]+\\.preview\\.example\\.com$"],
		"allowMethods": ["GET", "POST", "PUT", "DELETE", "PATCH"],
		"allowHeaders": ["content-type", "authorization", "x-request-id"],
		"exposeHeaders": ["x-request-id"],
		"allowCredentials": true,
		"maxAge": 600
	}`},
	{"any-origin", `{
		"allowOrigins": ["*"],
		"allowMethods": ["*"],
		"allowHeaders": ["*"],
		"exposeHeaders": ["*"],
		"allowPrivateNetwork": true,
		"maxAge": 0
	}`},
	{"routes", `{
		"allowOrigins": ["https://www.example.com"],
		"routes": [
			{"hosts": ["api.example.com", "*.api.example.com"], "pathPrefixes": ["/v2/"],
			 "allowOrigins": ["https://v2.example.com", "https://*.example.org:8443"], "allowMethods": ["GET", "PUT"],
			 "allowCredentials": true, "crossOriginProtection": true, "upstreamCors": "preserve"},
			{"routeNames": ["shadowed"], "allowOrigins": ["https://s.example.com"], "shadow": true},
			{"hosts": ["open.example.com"], "allowOrigins": ["*"], "allowHeaders": ["x-a", "x-b"],
			 "unmatchedPreflights": "forward", "preflightStatus": 200}
		]
	}`},
	{"cross-origin-protection", `{
		"allowOrigins": ["https://app.example.com", "http://localhost:8080"],
		"allowHeaders": ["content-type"],
		"crossOriginProtection": true,
		"allowPrivateNetwork": true
	}`},
}

type fzPolicy struct {
	name string
	cfg  policy.Config
	p    *policy.Policy
}

func fzCompile(tb testing.TB) []fzPolicy {
	tb.Helper()
	out := make([]fzPolicy, 0, len(fzConfigs))
	for _, c := range fzConfigs {
		cfg, err := policy.ParseConfig([]byte(c.json))
		if err != nil {
			tb.Fatalf("%s: ParseConfig: %v", c.name, err)
		}
		p, err := policy.New(cfg)
		if err != nil {
			tb.Fatalf("%s: New: %v", c.name, err)
		}
		out = append(out, fzPolicy{c.name, cfg, p})
	}
	return out
}

// fzCheck asserts the invariants every decision must satisfy, whatever the
// request (issue 2 §3, §5):
//   - no CR, LF or NUL in any emitted header name, value or Vary;
//   - header names are lowercase Access-Control-* names, each at most once;
//   - Access-Control-Allow-Origin is the request's Origin verbatim and an
//     origin the applied rules allow (reference matcher), or "*" for a "*"
//     config without credentials; for a repeated Origin only "*";
//   - never "*" together with Access-Control-Allow-Credentials, whose only
//     value is "true";
//   - any Access-Control-* header only on an allowed CORS request, except
//     that a "*" config sends "*" (and its exposed headers) on every
//     forwarded response (Fetch §3.2.5); a 403 carries none;
//   - conversely, under a "*" config without credentials every forwarded
//     response other than a refused preflight does carry "*", whatever the
//     Origin (absent, malformed, repeated): a shared cache keys such a
//     response without Origin and serves it to the next browser (issue 9);
//   - an allowed preflight names only headers the rules allow.
func fzCheck(t *testing.T, fp *fzPolicy, r *policy.Request, d *policy.Decision) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("config %s, request %s: "+format, append([]any{fp.name, fzShow(r)}, args...)...)
	}
	if d.NumHeaders < 0 || d.NumHeaders > policy.MaxHeaders {
		fail("got NumHeaders %d; want 0..%d", d.NumHeaders, policy.MaxHeaders)
	}
	if strings.ContainsAny(d.Vary, "\r\n\x00") {
		fail("got Vary %q; want no CR, LF or NUL", d.Vary)
	}
	seen := map[string]string{}
	for _, h := range d.HeaderList() {
		if strings.ContainsAny(h.Name, "\r\n\x00") || strings.ContainsAny(h.Value, "\r\n\x00") {
			fail("got header %q: %q; want no CR, LF or NUL", h.Name, h.Value)
		}
		if h.Name != strings.ToLower(h.Name) || !strings.HasPrefix(h.Name, "access-control-") {
			fail("got header name %q; want a lowercase access-control-* name", h.Name)
		}
		if _, dup := seen[h.Name]; dup {
			fail("got header %q twice; want at most once", h.Name)
		}
		seen[h.Name] = h.Value
	}
	if len(seen) > 0 && (!d.Allowed || d.Kind == policy.NotCORS) && !refPublicHeaders(fp, d, seen) {
		fail("got headers %v on allowed=%v kind=%v reason=%v; want none unless an allowed CORS request", seen, d.Allowed, d.Kind, d.Reason)
	}
	if rules, ok := refRules(&fp.cfg, d); ok && !d.Shadow && d.Action == policy.Continue && d.Kind != policy.Preflight &&
		!rules.AllowCredentials && refContains(rules.AllowOrigins, "*") && seen["access-control-allow-origin"] != "*" {
		fail("got allow-origin %q on a forwarded response under \"*\"; want \"*\" on every one", seen["access-control-allow-origin"])
	}
	if d.Action == policy.Respond {
		switch d.Status {
		case 200, 204:
		case 403:
			if len(seen) > 0 {
				fail("got 403 with headers %v; want no Access-Control-* header", seen)
			}
		default:
			fail("got Respond status %d; want 200, 204 or 403", d.Status)
		}
	}
	if r.Origin == "" && !r.MultipleOrigins && d.Kind != policy.NotCORS {
		fail("got kind %v for a request without Origin; want NotCORS", d.Kind)
	}
	if d.Allowed && d.Kind == policy.NotCORS {
		fail("got allowed NotCORS; want allowed only for CORS requests")
	}
	if r.MultipleOrigins && d.Allowed {
		fail("got allowed for a repeated Origin; want denied")
	}
	if !d.Shadow {
		switch {
		case d.Kind == policy.Preflight && d.Allowed:
			if d.Action != policy.Respond || (d.Status != 200 && d.Status != 204) {
				fail("allowed preflight: got action %v status %d; want Respond with 200 or 204", d.Action, d.Status)
			}
		case d.Kind == policy.Preflight && d.Reason != policy.ReasonNone:
			// refused: a local 403, or forwarded ("forward") with the
			// upstream's Access-Control-* stripped under "override" and
			// none of ours added (issue 9 §4).
			if !(d.Action == policy.Respond && d.Status == 403) && d.Action != policy.Continue {
				fail("refused preflight: got action %v status %d; want Respond 403 or Continue", d.Action, d.Status)
			}
			if d.Action == policy.Continue && (d.NumHeaders != 0 || d.StripUpstream == d.PreserveUpstream) {
				fail("forwarded refused preflight: got %d headers, strip %v, preserve %v; want none, and exactly one of strip or preserve", d.NumHeaders, d.StripUpstream, d.PreserveUpstream)
			}
		}
		if d.Allowed && d.Kind != policy.NotCORS {
			if _, ok := seen["access-control-allow-origin"]; !ok {
				fail("allowed %v request: got no allow-origin; want one", d.Kind)
			}
		}
	}
	if d.Reason == policy.ReasonCrossOriginProtection {
		fzCheckCOP(t, fp, r, d)
	}
	creds, hasCreds := seen["access-control-allow-credentials"]
	if hasCreds && creds != "true" {
		fail("got allow-credentials %q; want exactly \"true\"", creds)
	}
	acao, hasACAO := seen["access-control-allow-origin"]
	if hasCreds && !hasACAO {
		fail("got allow-credentials without allow-origin")
	}
	if !hasACAO {
		return
	}
	if r.MultipleOrigins && acao != "*" {
		fail("got allow-origin %q for a repeated Origin; want none, or the public \"*\"", acao)
	}
	rules, ok := refRules(&fp.cfg, d)
	if !ok {
		fail("got allow-origin %q with route %q path %q; want a policy that applied", acao, d.Route, d.RoutePath)
	}
	switch acao {
	case "*":
		if hasCreds || rules.AllowCredentials || !refContains(rules.AllowOrigins, "*") {
			fail("got allow-origin \"*\" (credentials header %v, config credentials %v); want \"*\" only for a \"*\" config without credentials", hasCreds, rules.AllowCredentials)
		}
	case r.Origin:
		if !refAllows(rules, r.Origin) {
			fail("got allow-origin %q; want none: the reference matcher says %s does not allow it", acao, d.Route)
		}
	default:
		fail("got allow-origin %q; want the request Origin %q verbatim", acao, r.Origin)
	}
	if d.Kind == policy.Preflight {
		refCheckAllowedHeaders(t, fp, rules, r)
	}
}

// fzCheckCOP: a cross-origin-protection rejection follows Go 1.25's
// net/http.CrossOriginProtection (CORS-NOTES): only from a policy that
// enables it, never for GET/HEAD/OPTIONS, never with Sec-Fetch-Site
// same-origin or none, never for an origin the policy allows for CORS, and
// always as a local 403 without Access-Control-* headers.
func fzCheckCOP(t *testing.T, fp *fzPolicy, r *policy.Request, d *policy.Decision) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("config %s, request %s: cross-origin protection: "+format, append([]any{fp.name, fzShow(r)}, args...)...)
	}
	if d.Action != policy.Respond || d.Status != 403 || d.NumHeaders != 0 || d.Allowed {
		fail("got action %v status %d headers %d allowed %v; want a local 403 without CORS headers", d.Action, d.Status, d.NumHeaders, d.Allowed)
	}
	switch r.Method {
	case "GET", "HEAD", "OPTIONS":
		fail("got rejected; want %s always to pass", r.Method)
	}
	if r.SecFetchSite == "same-origin" || r.SecFetchSite == "none" {
		fail("got rejected; want Sec-Fetch-Site %q to pass", r.SecFetchSite)
	}
	rules, ok := refRules(&fp.cfg, d)
	if !ok {
		fail("got no applied policy (route %q)", d.Route)
	}
	if !rules.CrossOriginProtection {
		fail("got rejected by %s, which does not enable crossOriginProtection", d.Route)
	}
	if r.SecFetchSite == "" && r.Origin == "" && !r.MultipleOrigins {
		fail("got rejected; want a request without Sec-Fetch-Site and Origin to pass")
	}
	if !r.MultipleOrigins && refResolvable(r.Origin) && refAllows(rules, r.Origin) {
		fail("got rejected; want origin %q, allowed for CORS, trusted", r.Origin)
	}
}

// refCheckAllowedHeaders: an allowed preflight's ACRH lists only allowed
// names, in a bounded, well-formed list, sorted and without duplicates
// (case-insensitively), as browsers send it.
func refCheckAllowedHeaders(t *testing.T, fp *fzPolicy, rules *policy.Rules, r *policy.Request) {
	t.Helper()
	acrh := r.AccessControlRequestHeaders
	if len(acrh) > refMaxACRHBytes {
		t.Fatalf("config %s: got allowed preflight with a %d-byte ACRH; want denial over %d bytes", fp.name, len(acrh), refMaxACRHBytes)
	}
	names := 0
	prev := ""
	for _, el := range strings.Split(acrh, ",") {
		name := strings.Trim(el, " \t")
		if name == "" {
			continue
		}
		names++
		if lower := strings.ToLower(name); prev != "" && lower <= prev {
			t.Fatalf("config %s: got allowed preflight for ACRH %q; want denial: %q does not sort after %q", fp.name, acrh, name, prev)
		} else {
			prev = lower
		}
		if !refToken(name) {
			t.Fatalf("config %s: got allowed preflight for ACRH %q; want denial: %q is not a token", fp.name, acrh, name)
		}
		if !refHeaderAllowed(rules, strings.ToLower(name)) {
			t.Fatalf("config %s: got allowed preflight for ACRH %q; want denial: %q is not in allowHeaders %q", fp.name, acrh, name, rules.AllowHeaders)
		}
	}
	if names > refMaxACRHNames {
		t.Fatalf("config %s: got allowed preflight with %d ACRH names; want denial over %d", fp.name, names, refMaxACRHNames)
	}
}

// The bounds issue 2 §3 gives as the ceiling for ACRH ("e.g. 64 names or
// 4 KiB"): an engine may choose lower ones, never higher.
const (
	refMaxACRHBytes = 4 << 10
	refMaxACRHNames = 64
)

// fzShow prints a request with long fields cut, so a 1 MiB input does
// not drown the failure message.
func fzShow(r *policy.Request) string {
	cut := func(s string) string {
		if len(s) > 120 {
			return fmt.Sprintf("%q…(%d bytes)", s[:120], len(s))
		}
		return strconv.Quote(s)
	}
	return fmt.Sprintf("{Method:%s Origin:%s MultipleOrigins:%v ACRM:%s ACRH:%s ACRPN:%s SecFetchSite:%s Authority:%s Path:%s RouteName:%s}",
		cut(r.Method), cut(r.Origin), r.MultipleOrigins, cut(r.AccessControlRequestMethod), cut(r.AccessControlRequestHeaders),
		cut(r.AccessControlRequestPrivateNetwork), cut(r.SecFetchSite), cut(r.Authority), cut(r.Path), cut(r.RouteName))
}

func refContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// fzEvaluate runs Evaluate, checks it is deterministic and leaves the
// request unchanged, then checks the invariants.
func fzEvaluate(t *testing.T, fp *fzPolicy, r policy.Request) policy.Decision {
	t.Helper()
	before := r
	d := fp.p.Evaluate(&r)
	if r != before {
		t.Fatalf("config %s: Evaluate changed the request: got %s; want %s", fp.name, fzShow(&r), fzShow(&before))
	}
	if d2 := fp.p.Evaluate(&r); d2 != d {
		t.Fatalf("config %s, request %s: Evaluate is not deterministic: got %+v then %+v", fp.name, fzShow(&r), d, d2)
	}
	fzCheck(t, fp, &r, &d)
	return d
}

// Seeds shared by the targets: the known CORS bug classes (CORS-NOTES).
var fzOriginSeeds = []string{
	"https://foo.com",
	"https://app.example.com",
	"https://app.example.com.evil.com", // lookalike: suffix appended
	"https://evilapp.example.com",
	"https://barfoo.com",      // suffix confusion with foo.com + bar.com (GHSA-vhxv-fg4m-p2w8)
	"https://foo.com.bar.com", // both listed, neither matches
	"null",                    // sandboxed iframes, file: and data: documents
	"https://APP.EXAMPLE.COM", // Origin is compared byte-exactly
	"HTTPS://app.example.com",
	"https://a@foo.com", // userinfo
	"https://foo.com@evil.com",
	"https://foo.com/",
	"https://foo.com:443", // a default port is never serialized
	"https://foo.com\r\nSet-Cookie: x=1",
	"https://foo.com\x00",
	"https://tenant.example.com", // the wildcard's apex
	"https://x.tenant.example.com",
	"https://a.b.tenant.example.com",
	"https://.tenant.example.com",
	"https://x..tenant.example.com",
	"https://xtenant.example.com",
	"https://x.tenant.example.com.evil.com",
	"http://x.tenant.example.com",
	"http://localhost:8080",
	"http://localhost:08080",
	"http://localhost:99999",
	"http://localhost.evil.com:8080",
	"http://127.0.0.1:3000",
	"http://127.000.000.001:3000",
	"https://pr-12.preview.example.com",
	"https://pr-12.preview.example.com.evil.com",
	"https://pr-12xpreview.example.com",
	"https://xn--bcher-kva.example",
	"https://bücher.example",
	"https://" + strings.Repeat("a", 400) + ".tenant.example.com",
	"",
	"*",
}

// FuzzOrigin: for any Origin, an Allow-Origin header, when present, is the
// Origin verbatim and the reference matcher allows it (or "*" for a "*"
// config without credentials). Lookalikes never pass.
func FuzzOrigin(f *testing.F) {
	for _, s := range fzOriginSeeds {
		f.Add(s)
	}
	pols := fzCompile(f)
	f.Fuzz(func(t *testing.T, origin string) {
		for i := range pols {
			fp := &pols[i]
			for _, r := range []policy.Request{
				{Method: "GET", Origin: origin},
				{Method: "POST", Origin: origin, SecFetchSite: "cross-site"},
				{Method: "OPTIONS", Origin: origin, AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: "content-type"},
				{Method: "OPTIONS", Origin: origin, AccessControlRequestMethod: "GET", Authority: "api.example.com", Path: "/v2/x"},
				{Method: "GET", Origin: origin, Authority: "open.example.com", Path: "/"},
			} {
				d := fzEvaluate(t, fp, r)
				// The reference is the oracle in the other direction too,
				// for the plain exact/wildcard config: an allowed origin a
				// real site can have is never refused.
				if fp.name == "credentialed" && r.Method == "GET" && refAllows(&fp.cfg.Rules, origin) && refResolvable(origin) && !d.Allowed {
					t.Fatalf("config %s: GET from %q: got denied (%v); want allowed: the reference matcher allows it", fp.name, origin, d.Reason)
				}
			}
		}
	})
}

// FuzzRequestHeaders: Access-Control-Request-Headers parsing never allows
// a name the config does not, refuses over-bound input, never panics.
func FuzzRequestHeaders(f *testing.F) {
	for _, s := range []string{
		"content-type",
		"content-type,x-request-id",
		"authorization,content-type,x-request-id",
		"Content-Type, X-Request-Id",
		"content-type ,\tx-request-id",
		"x-request-id,content-type", // unsorted: refused (browsers sort; intermediaries never reorder)
		"content-type,content-type",
		"content-type,,x-request-id",
		",",
		"",
		" ",
		"content-type,cookie",
		"content-type;x=1",
		"content-type\r\nx-evil",
		"content-type\x00",
		"x-evil",
		"authorization",
		"*",
		"content-typex",
		"xcontent-type",
		strings.Repeat(",", 1<<20), // rs/cors CVE-2025-47908
		strings.Repeat("content-type,", 100),
		strings.Repeat("a", 5000),
		strings.Repeat(" ", 1<<12) + "content-type",
	} {
		f.Add(s)
	}
	pols := fzCompile(f)
	f.Fuzz(func(t *testing.T, acrh string) {
		for i := range pols {
			fp := &pols[i]
			for _, r := range []policy.Request{
				{Method: "OPTIONS", Origin: "https://app.example.com", AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: acrh},
				{Method: "OPTIONS", Origin: "https://x.example.org:8443", AccessControlRequestMethod: "PUT", AccessControlRequestHeaders: acrh,
					Authority: "api.example.com", Path: "/v2/"},
				{Method: "OPTIONS", Origin: "https://www.example.com", AccessControlRequestMethod: "GET", AccessControlRequestHeaders: acrh,
					Authority: "open.example.com", Path: "/"},
			} {
				d := fzEvaluate(t, fp, r)
				if d.Allowed && d.Kind == policy.Preflight {
					rules, _ := refRules(&fp.cfg, &d)
					refCheckAllowedHeaders(t, fp, rules, &r)
				}
			}
		}
	})
}

// FuzzEvaluate: whole requests against every fixed config.
func FuzzEvaluate(f *testing.F) {
	type seed struct {
		method, origin, acrm, acrh, acrpn, site, authority, path string
		multi                                                    bool
	}
	for _, s := range []seed{
		{"OPTIONS", "https://app.example.com", "PUT", "content-type", "", "", "", "/", false},
		{"OPTIONS", "https://app.example.com", "patch", "", "", "", "", "/", false}, // methods are case-sensitive
		{"OPTIONS", "https://app.example.com", "", "", "", "", "", "/", false},      // OPTIONS without ACRM is not a preflight
		{"OPTIONS", "https://app.example.com", "GET", "", "true", "", "", "/", false},
		{"POST", "https://evil.com", "", "", "", "cross-site", "api.example.com", "/v2/orders", false},
		{"POST", "https://api.example.com", "", "", "", "", "api.example.com", "/v2/orders", false},
		{"POST", "https://v2.example.com", "", "", "", "cross-site", "eu.api.example.com:443", "/v2/", false},
		{"GET", "https://app.example.com", "", "", "", "", "", "/", true},
		{"GET", "", "", "", "", "", "open.example.com", "/", false},
		{"OPTIONS", "https://v2.example.com", "DELETE", "", "", "", "API.EXAMPLE.COM", "/v2/x", false},
		{"OPTIONS", "https://x.example.org:8443", "PUT", "x-a", "", "", "open.example.com", "/", false},
		{"DELETE", "null", "", "", "", "same-origin", "", "/", false},
		{"GET", "https://foo.com\r\n", "", "", "", "", "\r\n", "/\x00", false},
	} {
		f.Add(s.method, s.origin, s.acrm, s.acrh, s.acrpn, s.site, s.authority, s.path, s.multi)
	}
	pols := fzCompile(f)
	f.Fuzz(func(t *testing.T, method, origin, acrm, acrh, acrpn, site, authority, path string, multi bool) {
		r := policy.Request{
			Method: method, Origin: origin, MultipleOrigins: multi,
			AccessControlRequestMethod: acrm, AccessControlRequestHeaders: acrh,
			AccessControlRequestPrivateNetwork: acrpn, SecFetchSite: site,
			Authority: authority, Path: path,
		}
		for i := range pols {
			for _, routeName := range []string{"", "shadowed"} {
				r.RouteName = routeName
				fzEvaluate(t, &pols[i], r)
			}
		}
	})
}

// FuzzMergeVary: merging never duplicates a name, never drops one, leaves
// "Vary: *" and the existing value's text alone (issue 2 §3), and reports
// a change exactly when the value changed. The filter and corshttp merge
// every decision's Vary into whatever the upstream sent.
func FuzzMergeVary(f *testing.F) {
	for _, s := range [][2]string{
		{"", "Origin"},
		{"Accept-Encoding", "Origin"},
		{"origin", "Origin"},
		{"*", "Origin"},
		{"Accept, *", "Origin"},
		{"Accept-Encoding,  ORIGIN ", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"},
		{" , ,", "Origin"},
		{"Origin, Origin", "Origin"},
		{"Accept", ",Origin,,Origin,"},
	} {
		f.Add(s[0], s[1])
	}
	names := func(v string) []string {
		var out []string
		for _, e := range strings.Split(v, ",") {
			if e = strings.ToLower(strings.Trim(e, " \t")); e != "" {
				out = append(out, e)
			}
		}
		return out
	}
	count := func(list []string, s string) (n int) {
		for _, v := range list {
			if v == s {
				n++
			}
		}
		return n
	}
	f.Fuzz(func(t *testing.T, existing, add string) {
		got, changed := policy.MergeVary(existing, add)
		if changed != (got != existing) {
			t.Fatalf("MergeVary(%q, %q) = %q, changed=%v; want changed exactly when the value differs", existing, add, got, changed)
		}
		ex, ad, out := names(existing), names(add), names(got)
		if slices.Contains(ex, "*") {
			if changed {
				t.Fatalf("MergeVary(%q, %q) = %q; want \"Vary: *\" left alone", existing, add, got)
			}
			return
		}
		if changed && strings.Trim(existing, " \t,") != "" && !strings.HasPrefix(got, existing) {
			t.Fatalf("MergeVary(%q, %q) = %q; want the existing value kept as is, names appended", existing, add, got)
		}
		for _, n := range out {
			want := count(ex, n)
			if want == 0 && count(ad, n) > 0 {
				want = 1
			}
			if c := count(out, n); c != want {
				t.Fatalf("MergeVary(%q, %q) = %q: got %q %d times; want %d", existing, add, got, n, c, want)
			}
		}
		for _, n := range ad {
			if count(out, n) == 0 {
				t.Fatalf("MergeVary(%q, %q) = %q: got %q dropped; want every added name present", existing, add, got, n)
			}
		}
	})
}

// refPublicHeaders: under a "*" config without credentials every forwarded
// response carries exactly Access-Control-Allow-Origin "*" and the exposed
// headers, whatever the request's Origin (Fetch §3.2.5, caches).
func refPublicHeaders(fp *fzPolicy, d *policy.Decision, seen map[string]string) bool {
	rules, ok := refRules(&fp.cfg, d)
	if !ok || rules.AllowCredentials || !refContains(rules.AllowOrigins, "*") || d.Action != policy.Continue {
		return false
	}
	for name, value := range seen {
		switch {
		case name == "access-control-allow-origin" && value == "*":
		case name == "access-control-expose-headers" && len(rules.ExposeHeaders) > 0:
		default:
			return false
		}
	}
	return seen["access-control-allow-origin"] == "*"
}
