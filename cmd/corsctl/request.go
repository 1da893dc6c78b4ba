package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corswasm/corswasm/policy"
)

// requestFlags are explain's description of one browser request.
type requestFlags struct {
	origin         string
	method         string
	headers        stringList
	url            string
	preflight      bool
	privateNetwork bool
	secFetchSite   string // "auto": derived from origin and url, as a browser would
	routeName      string
	credentials    bool
}

// buildRequest turns the flags into the policy.Request the filter would
// build: --url gives :authority and :path; --preflight makes an OPTIONS
// whose Access-Control-Request-Method is --method and whose
// Access-Control-Request-Headers lists --header names the way browsers
// send them (lowercase, sorted, de-duplicated, comma-joined).
func buildRequest(f *requestFlags) (policy.Request, error) {
	r := policy.Request{Origin: f.origin, Method: f.method, RouteName: f.routeName, Path: "/"}
	if f.url != "" {
		u, err := url.Parse(f.url)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return r, fmt.Errorf("--url %q: want an absolute http(s) URL, e.g. https://api.example.com/v1/items", f.url)
		}
		r.Authority = u.Host
		r.Path = u.EscapedPath()
		if r.Path == "" {
			r.Path = "/"
		}
		if u.RawQuery != "" {
			r.Path += "?" + u.RawQuery
		}
	}
	if f.preflight {
		r.Method = "OPTIONS"
		r.AccessControlRequestMethod = f.method
		r.AccessControlRequestHeaders = strings.Join(acrhNames(f.headers), ",")
		if f.privateNetwork {
			r.AccessControlRequestPrivateNetwork = "true"
		}
	}
	r.SecFetchSite = f.secFetchSite
	if f.secFetchSite == "auto" {
		r.SecFetchSite = secFetchSite(f.origin, f.url)
	}
	return r, nil
}

// acrhNames lowercases, sorts and de-duplicates header names, as browsers
// build Access-Control-Request-Headers. "Name: value" is cut to its name.
func acrhNames(headers []string) []string {
	var names []string
	for _, h := range headers {
		name, _, _ := strings.Cut(h, ":")
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// secFetchSite is what a current browser sends: "same-origin" when the
// page's origin is the URL's origin, "same-site" when both share scheme
// and registrable domain, else "cross-site". Without --url or --origin it
// is unknown and left empty (the header is absent).
func secFetchSite(origin, rawURL string) string {
	if origin == "" || rawURL == "" {
		return ""
	}
	o, err1 := url.Parse(origin)
	u, err2 := url.Parse(rawURL)
	if err1 != nil || err2 != nil {
		return ""
	}
	if strings.EqualFold(o.Scheme, u.Scheme) && strings.EqualFold(o.Host, u.Host) {
		return "same-origin"
	}
	so, e1 := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(o.Hostname()))
	su, e2 := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(u.Hostname()))
	if e1 == nil && e2 == nil && so == su && strings.EqualFold(o.Scheme, u.Scheme) {
		return "same-site"
	}
	return "cross-site"
}

// safelistedMethod: Fetch "CORS-safelisted method".
func safelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

// fetchNormalizes: the only methods fetch uppercases (Fetch "normalize").
var fetchNormalizes = []string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}
