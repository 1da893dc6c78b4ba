package main

import (
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// browserVerdict is what a browser makes of the response the filter
// produces, checked independently of the engine with Fetch's rules (the
// "CORS check" and, for a preflight, the "CORS-preflight fetch" steps), in
// Chromium's order: Access-Control-Allow-Origin and -Credentials first,
// then the status, then methods and headers. Console texts are Chromium's.
type browserVerdict struct {
	// Known is false when the answer depends on the upstream: the filter
	// forwards a preflight under upstreamCors "preserve", or shadow mode
	// changes nothing on the wire.
	Known bool `json:"known"`
	// OK: the script gets the response (for a preflight: the browser goes
	// on to send the actual request).
	OK bool `json:"ok"`
	// Console is the error Chromium logs when !OK, after "Access to fetch
	// at '…' from origin '…' has been blocked by CORS policy: ".
	Console string `json:"console,omitempty"`
}

const preflightPrefix = "Response to preflight request doesn't pass access control check: "

// checkBrowser applies the browser's checks to what the filter sends. It
// assumes the upstream itself sends no Access-Control-* headers.
func checkBrowser(r *policy.Request, d *policy.Decision, methodForPreflight string, headerNames []string, credentials bool) browserVerdict {
	if d.Kind == policy.NotCORS {
		return browserVerdict{Known: true, OK: true}
	}
	if d.Shadow || (d.Kind == policy.Preflight && d.Action != policy.Respond && !d.StripUpstream) {
		return browserVerdict{}
	}
	// A forwarded refused preflight under "override" reaches the browser
	// with no Access-Control-* header, whatever the upstream answered.
	get := func(name string) (string, bool) {
		for _, h := range d.HeaderList() {
			if h.Name == name {
				return h.Value, true
			}
		}
		return "", false
	}
	prefix := ""
	if d.Kind == policy.Preflight {
		prefix = preflightPrefix
	}
	fail := func(msg string) browserVerdict { return browserVerdict{Known: true, Console: prefix + msg} }

	// Fetch "CORS check".
	acao, ok := get("access-control-allow-origin")
	switch {
	case !ok:
		return fail("No 'Access-Control-Allow-Origin' header is present on the requested resource.")
	case acao == "*" && credentials:
		return fail("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.")
	case acao != "*" && acao != r.Origin:
		return fail("The 'Access-Control-Allow-Origin' header has a value '" + acao + "' that is not equal to the supplied origin.")
	}
	if credentials {
		if acac, _ := get("access-control-allow-credentials"); acac != "true" {
			return fail("The value of the 'Access-Control-Allow-Credentials' header in the response is '" + acac + "' which must be 'true' when the request's credentials mode is 'include'.")
		}
	}
	if d.Kind != policy.Preflight {
		return browserVerdict{Known: true, OK: true}
	}
	if d.Status < 200 || d.Status > 299 {
		return fail("It does not have HTTP ok status.")
	}
	// Fetch "CORS-preflight fetch", steps on methods and header names.
	acam, _ := get("access-control-allow-methods")
	methods := splitList(acam)
	if !contains(methods, methodForPreflight) && !safelistedMethod(methodForPreflight) &&
		(credentials || !contains(methods, "*")) {
		return browserVerdict{Known: true, Console: "Method " + methodForPreflight + " is not allowed by Access-Control-Allow-Methods in preflight response."}
	}
	acah, _ := get("access-control-allow-headers")
	allowed := splitList(acah)
	for _, name := range headerNames {
		if containsFold(allowed, name) {
			continue
		}
		if !credentials && contains(allowed, "*") && name != "authorization" {
			continue
		}
		return browserVerdict{Known: true, Console: "Request header field " + name + " is not allowed by Access-Control-Allow-Headers in preflight response."}
	}
	return browserVerdict{Known: true, OK: true}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
