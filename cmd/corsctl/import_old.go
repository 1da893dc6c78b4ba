package main

import (
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/rs/cors"

	"github.com/corswasm/corswasm/policy"
)

// oldDecision answers r the way the source did, as a policy.Decision so
// that checkBrowser can judge both sides alike. p nil means the source
// had no CORS policy for the request: it passed untouched.
func oldDecision(p *oldPolicy, r *policy.Request) policy.Decision {
	d := policy.Decision{Kind: kindOf(r), Action: policy.Continue}
	if p == nil || d.Kind == policy.NotCORS {
		return d
	}
	if p.engine == engineRSCors {
		return rsCorsDecision(p.rscors, r, d)
	}
	return envoyDecision(p, r, d)
}

func kindOf(r *policy.Request) policy.Kind {
	switch {
	case r.Origin == "":
		return policy.NotCORS
	case r.Method == "OPTIONS" && r.AccessControlRequestMethod != "":
		return policy.Preflight
	}
	return policy.Actual
}

// envoyDecision follows Envoy's CORS filter (source/extensions/filters/
// http/cors/cors_filter.cc): a disabled or shadow-only policy changes
// nothing; an allowed origin is echoed, never "*"; a preflight from an
// origin it does not allow goes upstream unless
// forward_not_matching_preflights is false, in which case it gets 200
// without Access-Control-Allow-Origin; allow_methods and allow_headers
// "*" echo the request's.
func envoyDecision(p *oldPolicy, r *policy.Request, d policy.Decision) policy.Decision {
	if !p.enabled {
		return d
	}
	allowed := false
	for i := range p.origins {
		if p.origins[i].allowsEveryOrigin() || p.origins[i].matches(r.Origin) {
			allowed = true
			break
		}
	}
	d.Allowed = allowed
	set := func(name, value string) {
		if d.NumHeaders < len(d.Headers) {
			d.Headers[d.NumHeaders] = policy.Header{Name: name, Value: value}
			d.NumHeaders++
		}
	}
	if d.Kind == policy.Actual {
		if allowed {
			set("access-control-allow-origin", r.Origin)
			if p.credentials {
				set("access-control-allow-credentials", "true")
			}
			if len(p.exposeHeaders) > 0 {
				set("access-control-expose-headers", strings.Join(p.exposeHeaders, ","))
			}
		}
		return d
	}
	if !allowed && p.forwardUnmatched {
		return d
	}
	d.Action, d.Status = policy.Respond, 200
	if allowed {
		set("access-control-allow-origin", r.Origin)
	}
	if p.credentials {
		set("access-control-allow-credentials", "true")
	}
	if m := strings.Join(p.allowMethods, ","); m == "*" {
		set("access-control-allow-methods", r.AccessControlRequestMethod)
	} else if m != "" {
		set("access-control-allow-methods", m)
	}
	if h := strings.Join(p.allowHeaders, ","); h == "*" {
		set("access-control-allow-headers", r.AccessControlRequestHeaders)
	} else if h != "" {
		set("access-control-allow-headers", h)
	}
	if p.maxAge != "" {
		set("access-control-max-age", p.maxAge)
	}
	return d
}

// rsCorsDecision runs the request through rs/cors's own handler, in
// process, and reads back what it wrote.
func rsCorsDecision(o *cors.Options, r *policy.Request, d policy.Decision) policy.Decision {
	c := cors.New(*o)
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	req := httptest.NewRequest(r.Method, "http://"+hostOr(r.Authority)+r.Path, nil)
	req.Header.Set("Origin", r.Origin)
	if r.AccessControlRequestMethod != "" {
		req.Header.Set("Access-Control-Request-Method", r.AccessControlRequestMethod)
	}
	if r.AccessControlRequestHeaders != "" {
		req.Header.Set("Access-Control-Request-Headers", r.AccessControlRequestHeaders)
	}
	rec := httptest.NewRecorder()
	c.Handler(next).ServeHTTP(rec, req)
	if d.Kind == policy.Preflight && !o.OptionsPassthrough {
		d.Action, d.Status = policy.Respond, rec.Code
	}
	for name, vals := range rec.Header() {
		lname := strings.ToLower(name)
		if strings.HasPrefix(lname, "access-control-") && d.NumHeaders < len(d.Headers) {
			d.Headers[d.NumHeaders] = policy.Header{Name: lname, Value: strings.Join(vals, ", ")}
			d.NumHeaders++
		}
	}
	d.Allowed = rec.Header().Get("Access-Control-Allow-Origin") != ""
	return d
}

func hostOr(h string) string {
	if h == "" {
		return "api.example.com"
	}
	return h
}
