package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

func TestNeighbours(t *testing.T) {
	tests := []struct {
		name, origin string
		want         []string
	}{
		{"https without port", "https://app.example.com", []string{
			"https://app.example.com.attacker.test", "https://attackerapp.example.com", "http://app.example.com",
			"https://app.example.com:8443", "null", "https://attacker-sibling.com", "https://App.Example.Com", "https://app.example.com.",
		}},
		{"http with port", "http://localhost:8080", []string{
			"http://localhost.attacker.test:8080", "http://attackerlocalhost:8080", "https://localhost:8080",
			"http://localhost", "null", "http://attacker-sibling.localhost:8080", "http://Localhost:8080", "http://localhost.:8080",
		}},
		{"private public suffix", "https://me.github.io", []string{
			"https://me.github.io.attacker.test", "https://attackerme.github.io", "http://me.github.io",
			"https://me.github.io:8443", "null", "https://attacker-sibling.github.io", "https://Me.Github.Io", "https://me.github.io.",
		}},
		{"IP literal: no sibling, no trailing dot, no case", "http://127.0.0.1:3000", []string{
			"http://127.0.0.1.attacker.test:3000", "http://attacker127.0.0.1:3000", "https://127.0.0.1:3000",
			"http://127.0.0.1", "null",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, n := range neighbours(tt.origin, tt.origin) {
				got = append(got, n.origin)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("neighbours(%q):\ngot  %q\nwant %q", tt.origin, got, tt.want)
			}
		})
	}
}

func TestRegexSamples(t *testing.T) {
	tests := []struct {
		name, re string
		min      int // distinct samples wanted
	}{
		{"preview deployments", `^https://pr-[0-9]+\.preview\.example\.com$`, 3},
		{"alternation", `https://(app|admin|docs)\.example\.com`, 3},
		{"optional port", `^http://localhost(:[0-9]{2,5})?$`, 1},
		{"case-insensitive", `(?i)^https://APP\.example\.com$`, 1},
		{"any label", `^https://[a-z0-9-]+\.example\.org$`, 3},
		{"dot star", `^https://.*\.corp\.example$`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re := regexp.MustCompile("^(?:" + tt.re + ")$")
			got := regexSamples(tt.re, 3)
			if len(got) < tt.min {
				t.Errorf("samples: got %q; want at least %d", got, tt.min)
			}
			for _, s := range got {
				if !re.MatchString(s) {
					t.Errorf("sample %q: does not match %s", s, tt.re)
				}
			}
		})
	}
}

// TestPlanInvariants: on every example config, probed at a host its
// routes select, every request labelled as an allowed origin is one the
// engine allows and every neighbour is one it refuses; the plan covers
// each kind of request the issue lists.
func TestPlanInvariants(t *testing.T) {
	tests := []struct {
		name, config, authority, path, routeName string
		wantRoutes                               []string
		wantLabels                               []string // substrings some request's label must contain
	}{
		{"example config", "examples/config.json", "127.0.0.1:10000", "/", "", []string{"default"}, []string{
			"no Origin", "allowed origin (allowOrigins[0])", "host matching https://*.example.com", "apex of https://*.example.com",
			"suffix lookalike", "prefix lookalike", "scheme swap", "port swap", "null origin", "sibling under the same public suffix",
			"mixed-case host", "trailing-dot host", "allowed method PUT", "method not in allowMethods", "header not in allowHeaders",
			"with credentials", "preflight from a suffix lookalike",
		}},
		{"routes at the API host", "examples/routes.json", "api.example.com", "/", "", []string{"api-v2", "public-assets", "default"}, []string{
			`origin matching "^https://pr-[0-9]+\\.preview\\.example\\.com$" (routes[0].allowOriginRegexes[0])`,
			"port matching http://localhost:*", "lowercase spelling of PATCH", "any origin (routes[1].allowOrigins[0]",
		}},
		{"route selected by route name", "examples/routes.json", "other.example", "/", "admin", []string{"admin", "public-assets"}, []string{
			"allowed origin (routes[2].allowOrigins[0])",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := policy.ParseConfig(mustRead(t, "../../"+tt.config))
			if err != nil {
				t.Fatal(err)
			}
			p, err := policy.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			pl := buildPlan(&cfg, p, planOptions{authority: tt.authority, path: tt.path, routeName: tt.routeName, max: 1000})
			var routes []string
			for _, r := range pl.Requests {
				if !slices.Contains(routes, r.Route) {
					routes = append(routes, r.Route)
				}
				allowedLabel := strings.Contains(r.Label, "allowed origin") || strings.Contains(r.Label, "matching") || strings.HasPrefix(r.Label, "any origin")
				neighbour := strings.Contains(r.Label, " of ") || strings.HasPrefix(r.Label, "null origin")
				switch {
				case r.Kind == "actual" && allowedLabel && !r.Predicted.Allowed:
					t.Errorf("#%d %s: predicted refused (%s); want allowed", r.ID, requestLine(&r), r.Predicted.Reason)
				case r.Kind == "actual" && neighbour && r.Predicted.Allowed && r.Predicted.Headers["access-control-allow-origin"] != "*":
					t.Errorf("#%d %s: predicted allowed; want refused", r.ID, requestLine(&r))
				}
			}
			slices.Sort(routes)
			want := slices.Sorted(slices.Values(tt.wantRoutes))
			if !slices.Equal(routes, want) {
				t.Errorf("routes probed: got %q; want %q (notes %q)", routes, want, pl.Notes)
			}
			for _, l := range tt.wantLabels {
				if !slices.ContainsFunc(pl.Requests, func(r probeRequest) bool { return strings.Contains(r.Label, l) }) {
					t.Errorf("no request labelled %q", l)
				}
			}
		})
	}
}

func TestCompareCauses(t *testing.T) {
	allowed := func() probeRequest {
		return probeRequest{Origin: "https://app.example.com", Predicted: expectation{
			Allowed: true, Reason: "allowed", Vary: "Origin",
			Headers: map[string]string{"access-control-allow-origin": "https://app.example.com", "access-control-allow-credentials": "true"},
		}}
	}
	preflight := func() probeRequest {
		r := allowed()
		r.Predicted.Status = 204
		r.Predicted.Vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
		r.Predicted.Headers["access-control-allow-methods"] = "GET, PUT"
		r.Predicted.Headers["access-control-max-age"] = "600"
		return r
	}
	refused := func(origin string) probeRequest {
		return probeRequest{Origin: origin, Predicted: expectation{Reason: "origin_not_allowed", Vary: "Origin", Headers: map[string]string{}}}
	}
	h := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		req  probeRequest
		obs  observation
		want []string // field=cause
	}{
		{"as predicted", allowed(), observation{Status: 200, Headers: h("access-control-allow-origin", "https://app.example.com", "access-control-allow-credentials", "true", "vary", "Accept-Encoding, origin")}, nil},
		{"list order and spacing", preflight(), observation{Status: 204, Headers: h("access-control-allow-origin", "https://app.example.com", "access-control-allow-credentials", "true",
			"access-control-allow-methods", "PUT,GET", "access-control-max-age", "600", "vary", "*")}, nil},
		{"reflected refused origin", refused("https://evil.test"), observation{Status: 200, Headers: h("access-control-allow-origin", "https://evil.test", "vary", "Origin")},
			[]string{"access-control-allow-origin=reflection"}},
		{"star for a refused origin", refused("https://evil.test"), observation{Status: 200, Headers: h("access-control-allow-origin", "*", "vary", "Origin")},
			[]string{"access-control-allow-origin=upstream"}},
		{"auth filter 401 on a preflight", preflight(), observation{Status: 401, Headers: h()}, []string{
			"access-control-allow-origin=filter-order", "access-control-allow-credentials=filter-order", "access-control-allow-methods=filter-order",
			"access-control-max-age=filter-order", "vary=filter-order", "status=filter-order"}},
		{"filter's own 403 without Vary", probeRequest{Origin: "https://evil.test", Predicted: expectation{Reason: "origin_not_allowed", Status: 403, Vary: "Origin", Headers: map[string]string{}}},
			observation{Status: 403, Headers: h()}, []string{"vary=vary"}},
		{"403 carrying the filter's Vary", preflight(), observation{Status: 403, Headers: h("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")}, []string{
			"access-control-allow-origin=differs", "access-control-allow-credentials=differs", "access-control-allow-methods=differs",
			"access-control-max-age=differs", "status=status"}},
		{"Vary dropped", allowed(), observation{Status: 200, Headers: h("access-control-allow-origin", "https://app.example.com", "access-control-allow-credentials", "true")},
			[]string{"vary=vary"}},
		{"Max-Age lowered", preflight(), observation{Status: 204, Headers: h("access-control-allow-origin", "https://app.example.com", "access-control-allow-credentials", "true",
			"access-control-allow-methods", "GET, PUT", "access-control-max-age", "60", "vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")},
			[]string{"access-control-max-age=max-age"}},
		{"Max-Age raised", preflight(), observation{Status: 204, Headers: h("access-control-allow-origin", "https://app.example.com", "access-control-allow-credentials", "true",
			"access-control-allow-methods", "GET, PUT", "access-control-max-age", "86400", "vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")},
			[]string{"access-control-max-age=differs"}},
		{"duplicate ACAO", allowed(), observation{Status: 200, Headers: h("access-control-allow-origin", "https://app.example.com, *", "access-control-allow-credentials", "true", "vary", "Origin")},
			[]string{"access-control-allow-origin=differs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range compare(&tt.req, &tt.obs) {
				got = append(got, m.Field+"="+m.Cause)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("mismatches:\ngot  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestProbeUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string // start of stderr
	}{
		{"no URL", []string{"--config", "examples/config.json"}, "corsctl probe: want exactly one URL\n"},
		{"no config", []string{"http://127.0.0.1:9/"}, "corsctl probe: --config FILE is required"},
		{"relative URL", []string{"--config", "examples/config.json", "api.example.com"}, `corsctl probe: "api.example.com": want an absolute http(s) URL`},
		{"rate 0", []string{"--config", "examples/config.json", "--rate", "0", "http://127.0.0.1:9/"}, "corsctl probe: --rate 0: want 0.1 to 1000"},
		{"too many requests", []string{"--config", "examples/config.json", "--max-requests", "5000", "http://127.0.0.1:9/"}, "corsctl probe: --max-requests 5000: want 1 to 1000"},
		{"bad credential header", []string{"--config", "examples/config.json", "--credential-header", "token", "http://127.0.0.1:9/"}, `corsctl probe: --credential-header "token"`},
		{"config the filter rejects", []string{"--config", "cmd/corsctl/testdata/envoy-invalid.yaml", "http://127.0.0.1:9/"}, "cmd/corsctl/testdata/envoy-invalid.yaml: allowOrigins[0]"},
		{"unparsable config", []string{"--config", "cmd/corsctl/testdata/broken.yaml", "http://127.0.0.1:9/"}, "cmd/corsctl/testdata/broken.yaml: yaml: line 1"},
		{"missing config", []string{"--config", "no/such.json", "http://127.0.0.1:9/"}, "corsctl: open no/such.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exe(t, append([]string{"probe"}, tt.args...)...)
			if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, tt.err) {
				t.Errorf("got code %d, stdout %q, stderr %q; want code %d, no stdout, stderr starting %q", r.code, r.stdout, r.stderr, exitUsage, tt.err)
			}
		})
	}
}

// TestProbeUnreachable: a host that refuses connections is an error
// (exit 2), not a pass.
func TestProbeUnreachable(t *testing.T) {
	r := exe(t, "probe", "--rate", "1000", "--max-requests", "3", "--config", "examples/config.json", "http://127.0.0.1:9/")
	if r.code != exitUsage || !strings.Contains(r.stdout, "3 failed") || !strings.Contains(r.stdout, "verdict: incomplete") {
		t.Errorf("got code %d, stdout\n%s\nwant code %d and 3 failed requests", r.code, r.stdout, exitUsage)
	}
}

// FuzzRegexSamples: whatever the expression, sampling ends, returns at
// most n distinct strings, and each is matched by the anchored
// expression, as the engine anchors it.
func FuzzRegexSamples(f *testing.F) {
	for _, s := range []string{`^https://pr-[0-9]+\.preview\.example\.com$`, `a^b`, `\bx\b`, `(a|b|c){3,5}`, `x{1000}`, `[^a]`, `(?i)ABC`, `.*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		re, err := regexp.Compile("^(?:" + expr + ")$")
		if err != nil {
			return
		}
		got := regexSamples(expr, 3)
		if len(got) > 3 {
			t.Fatalf("regexSamples(%q): got %d samples; want at most 3", expr, len(got))
		}
		for i, s := range got {
			if !re.MatchString(s) || slices.Contains(got[:i], s) {
				t.Fatalf("regexSamples(%q): sample %q: does not match, or repeated", expr, s)
			}
		}
	})
}
