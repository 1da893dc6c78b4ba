package main

import (
	"slices"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// FuzzConvertOriginNarrows: whatever a source entry is, the origins the
// imported policy allows for it are origins the source allowed too. The
// import closes holes; it never opens one. The one documented widening is
// an entry with uppercase letters, which the source compared
// case-sensitively, so it never matched what browsers send (lowercase),
// and which corswasm compares in lowercase.
func FuzzConvertOriginNarrows(f *testing.F) {
	seeds := []struct {
		kind          uint8
		value, origin string
	}{
		{uint8(matchPrefix), "https://app.example.com", "https://app.example.com.evil.example"},
		{uint8(matchPrefix), "http://localhost", "http://localhost:3000"},
		{uint8(matchSuffix), ".example.com", "https://a.example.com"},
		{uint8(matchSuffix), "example.com", "https://example.com"},
		{uint8(matchRegex), "https://.*.example.com", "https://appxexample.com"},
		{uint8(matchRegex), `https://(www|app)\.example\.com`, "https://www.example.com"},
		{uint8(matchContains), "https://app.example.com", "https://app.example.com"},
		{uint8(matchStar), "https://*example.com", "https://evilexample.com"},
		{uint8(matchStar), "https://*.example.com", "https://a.b.example.com"},
		{uint8(matchExact), "https://App.example.com", "https://app.example.com"},
		{uint8(matchExact), "*", "https://evil.example"},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.value, s.origin)
	}
	f.Fuzz(func(t *testing.T, kind uint8, value, origin string) {
		if len(value) > 200 || len(origin) > 200 {
			return
		}
		m := oldMatcher{kind: matchKind(kind % uint8(len(matchKindNames))), value: value}
		eng := engineEnvoy
		if m.kind == matchStar {
			eng = engineRSCors
		}
		var a audit
		c := convertOrigin(&m, eng, false, &a)
		if len(c.origins)+len(c.regexes) == 0 {
			return
		}
		p, err := policy.New(policy.Config{Rules: policy.Rules{AllowOrigins: c.origins, AllowOriginRegexes: c.regexes}})
		if err != nil {
			return // the import's repair loop drops what New refuses
		}
		d := p.Evaluate(&policy.Request{Method: "GET", Origin: origin})
		if !d.Allowed {
			return
		}
		folded := m
		folded.ignoreCase = true
		if m.allowsEveryOrigin() || m.matches(origin) || (m.kind != matchRegex && folded.matches(origin)) {
			return
		}
		t.Errorf("%s %q became origins %q regexes %q, which allow %q; the source did not", m.kind, value, c.origins, c.regexes, origin)
	})
}

// FuzzImportAlwaysValid: for any rs/cors Options or Envoy route
// configuration the readers accept, convert yields a policy that passes
// validation (its repair loop drops what the validator refuses) and never
// pairs "*" with credentials.
func FuzzImportAlwaysValid(f *testing.F) {
	f.Add(false, []byte(`{"AllowedOrigins": ["*"], "AllowCredentials": true, "AllowedHeaders": ["*"]}`))
	f.Add(false, []byte(`{"AllowedOrigins": ["https://*.example.com", "http://localhost:*", "null"], "AllowedMethods": ["get", "TRACE"], "MaxAge": -1}`))
	f.Add(true, []byte(`{"virtual_hosts": [{"name": "a", "domains": ["*"], "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "c"}}],
		"cors": {"allow_origin_string_match": [{"prefix": "https://a.com"}, {"suffix": ".com"}, {"safe_regex": {"regex": ".*"}}], "allow_credentials": true, "allow_methods": "*"}}]}`))
	f.Fuzz(func(t *testing.T, envoy bool, data []byte) {
		if len(data) > 4096 {
			return
		}
		var a audit
		var olds, uncov []*oldPolicy
		var err error
		if envoy {
			olds, uncov, err = readEnvoy(data, &a)
		} else {
			olds, err = readRSCors(data, &a)
		}
		if err != nil {
			return
		}
		res, err := convert(olds, uncov, &a)
		if err != nil {
			t.Fatalf("convert: %v", err)
		}
		js, err := marshalConfig(res.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := policy.Compile(js); err != nil {
			t.Fatalf("the imported policy does not validate: %v\n%s", err, js)
		}
		for _, r := range append([]policy.Rules{res.cfg.Rules}, rulesOf(res.cfg.Routes)...) {
			if r.AllowCredentials && slices.Contains(r.AllowOrigins, "*") {
				t.Fatalf(`"*" with credentials in %s`, js)
			}
		}
	})
}

func rulesOf(routes []policy.Route) []policy.Rules {
	var out []policy.Rules
	for _, r := range routes {
		out = append(out, r.Rules)
	}
	return out
}
