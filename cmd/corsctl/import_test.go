package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// TestImportRealWorld imports each real-world-shaped source end to end
// (the binary, as an operator runs it): the policy it writes passes
// corsctl validate as written, every known hole is reported with its
// source path, the exit status says whether TODOs are left, and
// --explain-diff names the requests that change.
func TestImportRealWorld(t *testing.T) {
	const dir = "cmd/corsctl/testdata/import/"
	tests := []struct {
		name, from, file string
		code             int
		// findings: substrings of audit lines that must appear.
		findings []string
		// diff: substrings of explain-diff lines that must appear.
		diff []string
		// routes: the imported route names, in order ("" = top level).
		routes []string
	}{
		{
			name: "istio VirtualService with exact, prefix and regex origins", from: "istio", file: "virtualservice.yaml", code: exitOK,
			findings: []string{
				`hole: document 1 (VirtualService prod/shop): spec.http[1].corsPolicy.allowOrigins[0]: "https://partner.example.com": a prefix match also allowed "https://partner.example.com.evil.example"`,
				`hole: document 1 (VirtualService prod/shop): spec.http[2].corsPolicy.allowOrigins[0]: "https://.*.example.com": an unescaped "." matches any character, so it also allowed "https://appxexample.com"; replaced by the wildcard origin "https://*.example.com"`,
				`note: document 3 (VirtualService prod/catalogue): spec.http[0].corsPolicy.allowOrigin[0]: "*": allowOrigin used as a wildcard`,
				`note: document 1 (VirtualService prod/shop): spec.http[2].match: a regex uri match corswasm cannot express; selected by Envoy's route_name (legacy`,
			},
			diff: []string{
				`spec.http[1]: GET from "https://partner.example.com.evil.example": before allowed; after blocked`,
				`spec.http[2]: GET with credentials from "https://appxexample.com": before allowed; after blocked`,
				`spec.http[0]: preflight PUT + authorization from "https://evil.example": before forwarded to the upstream; after blocked`,
			},
			routes: []string{"shop/account", "shop/partner", "shop/legacy", "catalogue/public"},
		},
		{
			name: "kubectl List of VirtualServices with a misspelt field", from: "istio", file: "virtualservices-list.yaml", code: exitInvalid,
			findings: []string{
				`TODO: items[1] (VirtualService payments/reports): spec: Istio ignores what it does not know here (unknown field "allowCredential"`,
				`note: items[1] (VirtualService payments/reports): spec.hosts[0]: "reports": a short service name; matched as reports, reports.payments, reports.payments.svc, reports.payments.svc.cluster.local`,
			},
			routes: []string{"billing/api", "reports/api"},
		},
		{
			name: "envoy bootstrap with vhost- and route-level CorsPolicy", from: "envoy", file: "envoy-bootstrap.yaml", code: exitOK,
			findings: []string{
				`hole: static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].typed_per_filter_config.envoy.filters.http.cors.allow_origin_string_match[0]: "https://pay.example.com": a prefix match also allowed`,
				`hole: static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].typed_per_filter_config.envoy.filters.http.cors.allow_origin_string_match[1]: "https://checkout-[a-z]+.example.com": an unescaped "."`,
				`hole: static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].cors.allow_origin_string_match[1]: ".example.com": a suffix match also allowed plaintext "http://x.example.com"; replaced by "https://*.example.com"`,
			},
			diff: []string{
				`virtual_hosts[0].routes[0]: GET with credentials from "https://pay.example.com.evil.example": before allowed; after blocked`,
				`virtual_hosts[0]: GET with credentials from "http://app.example.com": before allowed; after blocked`,
			},
			routes: []string{"shop/checkout", "shop", ""},
		},
		{
			name: "rs/cors AllowedOrigins * with credentials", from: "rscors", file: "rscors.json", code: exitInvalid,
			findings: []string{
				`TODO: AllowedOrigins[0]: "*": "*" with credentials: rs/cors answers "Access-Control-Allow-Origin: *" with Access-Control-Allow-Credentials: true`,
			},
			diff:   []string{"explain-diff: no request changes its answer"},
			routes: []string{""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "policy.json")
			r := exe(t, "import", "--from", tt.from, "--explain-diff", "--out", out, dir+tt.file)
			if r.code != tt.code {
				t.Errorf("exit code: got %d; want %d\nstderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, f := range append(tt.findings, tt.diff...) {
				if !strings.Contains(r.stderr, f) {
					t.Errorf("stderr: got\n%s\nwant a line containing\n%s", r.stderr, f)
				}
			}
			if v := exe(t, "validate", out); v.code != exitOK {
				t.Errorf("validate the imported policy: got exit %d; want 0\n%s%s", v.code, v.stdout, v.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := policy.ParseConfig(data)
			if err != nil {
				t.Fatalf("ParseConfig: %v", err)
			}
			var names []string
			for _, rt := range cfg.Routes {
				names = append(names, rt.Name)
			}
			if len(cfg.AllowOrigins)+len(cfg.AllowOriginRegexes) > 0 {
				names = append(names, "")
			}
			if !slices.Equal(names, tt.routes) {
				t.Errorf("routes: got %q; want %q", names, tt.routes)
			}
		})
	}
}

// TestImportClosesHoles is the invariant behind every "hole:" line: no
// lookalike origin that a source's prefix, suffix, regex or pattern let
// in by accident is allowed by the imported policy, while every origin
// the source listed exactly still is.
func TestImportClosesHoles(t *testing.T) {
	for _, src := range []struct{ from, file string }{
		{"istio", "virtualservice.yaml"}, {"envoy", "envoy-bootstrap.yaml"}, {"rscors", "rscors.json"},
	} {
		t.Run(src.file, func(t *testing.T) {
			res := importFile(t, src.from, "testdata/import/"+src.file)
			for _, p := range res.olds {
				for i := range p.origins {
					m := &p.origins[i]
					if m.allowsEveryOrigin() {
						continue
					}
					for _, o := range lookalikes(m) {
						if !m.matches(o) {
							continue
						}
						if d := evalGET(res.policy, p, o); d.Allowed {
							t.Errorf("%s %q: lookalike %q: got allowed by %s; want refused", m.path, m.value, o, d.RoutePath)
						}
					}
					if m.kind == matchExact && validOrigin(m.value) == nil {
						if d := evalGET(res.policy, p, strings.ToLower(m.value)); !d.Allowed {
							t.Errorf("%s %q: got %s; want the listed origin still allowed", m.path, m.value, d.Reason)
						}
					}
				}
			}
		})
	}
}

// lookalikes are origins a careless matcher lets in: the value extended
// into another domain, a letter where a dot was, a plaintext scheme.
func lookalikes(m *oldMatcher) []string {
	v := strings.TrimPrefix(m.value, ".")
	out := []string{m.value + ".evil.example", "https://evil" + v, "http://app." + v, "https://" + v + ".evil.example"}
	if s, ok := regexSample(m.value); ok {
		out = append(out, dotHole(m, s), s+".evil.example", strings.Replace(s, "https://", "http://", 1))
	}
	return out
}

func evalGET(p *policy.Policy, old *oldPolicy, origin string) policy.Decision {
	r := policy.Request{Method: "GET", Origin: origin, Authority: old.sampleHost, Path: old.samplePath, RouteName: old.sampleRouteName}
	return p.Evaluate(&r)
}

func importFile(t *testing.T, from, file string) *importResult {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var a audit
	olds, uncov, err := readSource(from, data, &a)
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	res, err := convert(olds, uncov, &a)
	if err != nil {
		t.Fatalf("convert %s: %v", file, err)
	}
	return res
}

// TestConvertOrigin covers each kind of source matcher: what it becomes
// and how it is reported.
func TestConvertOrigin(t *testing.T) {
	tests := []struct {
		name    string
		m       oldMatcher
		eng     engine
		origins []string
		regexes []string
		sev     severity // of the one finding; -1 for none
	}{
		{"exact origin", oldMatcher{kind: matchExact, value: "https://app.example.com"}, engineEnvoy, []string{"https://app.example.com"}, nil, 255},
		{"exact null", oldMatcher{kind: matchExact, value: "null"}, engineEnvoy, nil, nil, sevHole},
		{"exact with trailing slash never matched", oldMatcher{kind: matchExact, value: "https://app.example.com/"}, engineEnvoy, nil, nil, sevNote},
		{"allowOrigin used as a wildcard", oldMatcher{kind: matchExact, value: "*.example.com", deprecatedField: true}, engineEnvoy, nil, nil, sevTODO},
		{"exact star", oldMatcher{kind: matchExact, value: "*"}, engineEnvoy, []string{"*"}, nil, sevNote},
		{"prefix of an origin", oldMatcher{kind: matchPrefix, value: "https://app.example.com"}, engineEnvoy, []string{"https://app.example.com"}, nil, sevHole},
		{"prefix of a loopback origin keeps ports", oldMatcher{kind: matchPrefix, value: "http://localhost"}, engineEnvoy, []string{"http://localhost", "http://localhost:*"}, nil, sevHole},
		{"prefix ending in a colon means any port", oldMatcher{kind: matchPrefix, value: "http://localhost:"}, engineEnvoy, []string{"http://localhost:*"}, nil, sevNote},
		{"prefix of a scheme", oldMatcher{kind: matchPrefix, value: "https://"}, engineEnvoy, nil, nil, sevTODO},
		{"empty prefix matches everything", oldMatcher{kind: matchPrefix, value: ""}, engineEnvoy, []string{"*"}, nil, sevNote},
		{"suffix with a dot", oldMatcher{kind: matchSuffix, value: ".example.com"}, engineEnvoy, []string{"https://*.example.com"}, nil, sevHole},
		{"suffix without a dot", oldMatcher{kind: matchSuffix, value: "example.com"}, engineEnvoy, []string{"https://example.com", "https://*.example.com"}, nil, sevHole},
		{"suffix over a public suffix", oldMatcher{kind: matchSuffix, value: ".github.io"}, engineEnvoy, []string{"https://*.github.io"}, nil, sevHole},
		{"contains", oldMatcher{kind: matchContains, value: "example"}, engineEnvoy, nil, nil, sevTODO},
		{"regex with unescaped dots", oldMatcher{kind: matchRegex, value: "https://app.example.com"}, engineEnvoy, nil, []string{`https://app\.example\.com`}, sevHole},
		{"regex with escaped dots", oldMatcher{kind: matchRegex, value: `https://[a-z]+\.example\.com`}, engineEnvoy, nil, []string{`https://[a-z]+\.example\.com`}, 255},
		{"regex for every subdomain", oldMatcher{kind: matchRegex, value: `https://.*\.example\.com`}, engineEnvoy, []string{"https://*.example.com"}, nil, sevNote},
		{"regex for every subdomain with unescaped dots", oldMatcher{kind: matchRegex, value: `https://.+.example.com`}, engineEnvoy, []string{"https://*.example.com"}, nil, sevHole},
		{"regex open at the end", oldMatcher{kind: matchRegex, value: `https://app\.example\.com.*`}, engineEnvoy, nil, nil, sevTODO},
		{"regex matching everything", oldMatcher{kind: matchRegex, value: ".*"}, engineEnvoy, []string{"*"}, nil, sevNote},
		{"regex Go refuses", oldMatcher{kind: matchRegex, value: `https://\Capp\.com`}, engineEnvoy, nil, nil, sevTODO},
		{"rs/cors null", oldMatcher{kind: matchStar, value: "null"}, engineRSCors, nil, nil, sevHole},
		{"rs/cors origin in uppercase", oldMatcher{kind: matchStar, value: "https://App.example.com"}, engineRSCors, []string{"https://app.example.com"}, nil, 255},
		{"rs/cors whole-label pattern", oldMatcher{kind: matchStar, value: "https://*.example.com"}, engineRSCors, []string{"https://*.example.com"}, nil, 255},
		{"rs/cors any port", oldMatcher{kind: matchStar, value: "http://localhost:*"}, engineRSCors, []string{"http://localhost:*"}, nil, 255},
		{"rs/cors mid-label pattern", oldMatcher{kind: matchStar, value: "https://*example.com"}, engineRSCors, []string{"https://example.com", "https://*.example.com"}, nil, sevHole},
		{"rs/cors pattern inside the host", oldMatcher{kind: matchStar, value: "https://app-*.example.com"}, engineRSCors, nil, nil, sevTODO},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a audit
			c := convertOrigin(&tt.m, tt.eng, false, &a)
			if !slices.Equal(c.origins, tt.origins) || !slices.Equal(c.regexes, tt.regexes) {
				t.Errorf("got origins %q regexes %q; want %q %q", c.origins, c.regexes, tt.origins, tt.regexes)
			}
			switch {
			case tt.sev == 255 && len(a.findings) > 0:
				t.Errorf("findings: got %v; want none", a.findings)
			case tt.sev != 255 && (len(a.findings) != 1 || a.findings[0].sev != tt.sev):
				t.Errorf("findings: got %v; want one %s", a.findings, tt.sev)
			}
		})
	}
}

// TestEnvoyDecision checks the model of Envoy's CORS filter the diff
// compares against.
func TestEnvoyDecision(t *testing.T) {
	star := []oldMatcher{{kind: matchExact, value: "*"}}
	exact := []oldMatcher{{kind: matchExact, value: "https://a.example"}}
	tests := []struct {
		name   string
		p      oldPolicy
		r      policy.Request
		action policy.Action
		acao   string
		acam   string
	}{
		{"star with credentials echoes any origin", oldPolicy{origins: star, credentials: true, enabled: true},
			policy.Request{Method: "GET", Origin: "https://evil.example"}, policy.Continue, "https://evil.example", ""},
		{"unmatched preflight is forwarded", oldPolicy{origins: exact, enabled: true, forwardUnmatched: true},
			policy.Request{Method: "OPTIONS", Origin: "https://b.example", AccessControlRequestMethod: "PUT"}, policy.Continue, "", ""},
		{"unmatched preflight answered without ACAO", oldPolicy{origins: exact, enabled: true, allowMethods: []string{"PUT"}},
			policy.Request{Method: "OPTIONS", Origin: "https://b.example", AccessControlRequestMethod: "PUT"}, policy.Respond, "", "PUT"},
		{"methods star echoes the request", oldPolicy{origins: exact, enabled: true, allowMethods: []string{"*"}},
			policy.Request{Method: "OPTIONS", Origin: "https://a.example", AccessControlRequestMethod: "PATCH"}, policy.Respond, "https://a.example", "PATCH"},
		{"disabled filter changes nothing", oldPolicy{origins: star, enabled: false},
			policy.Request{Method: "GET", Origin: "https://a.example"}, policy.Continue, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := oldDecision(&tt.p, &tt.r)
			get := func(n string) string {
				for _, h := range d.HeaderList() {
					if h.Name == n {
						return h.Value
					}
				}
				return ""
			}
			if d.Action != tt.action || get("access-control-allow-origin") != tt.acao || get("access-control-allow-methods") != tt.acam {
				t.Errorf("got action %v, acao %q, acam %q; want %v, %q, %q", d.Action, get("access-control-allow-origin"), get("access-control-allow-methods"), tt.action, tt.acao, tt.acam)
			}
		})
	}
}

// TestImportEnvoySemantics checks Envoy's precedence rules and the cases
// the import must flag: per-field merging of typed_per_filter_config,
// legacy cors ignored once any typed config exists, a missing CORS
// filter, and a host left without CORS that a catch-all now covers.
func TestImportEnvoySemantics(t *testing.T) {
	const hcm = `
static_resources:
  listeners:
  - address: {socket_address: {address: 0.0.0.0, port_value: 80}}
    filter_chains:
    - filters:
      - name: hcm
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: x
          http_filters: %FILTERS%
          route_config:
            virtual_hosts:
            - name: api
              domains: [api.example.com]
              cors:
                allow_origin_string_match: [{exact: "https://legacy.example"}]
              typed_per_filter_config:
                envoy.filters.http.cors:
                  "@type": type.googleapis.com/envoy.config.route.v3.CorsPolicy
                  allow_origin_string_match: [{exact: "https://vhost.example"}]
                  allow_credentials: true
              routes:
              - match: {prefix: /admin}
                route: {cluster: c}
                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": type.googleapis.com/envoy.config.route.v3.CorsPolicy
                    allow_methods: "DELETE"
              - match: {prefix: /public}
                route: {cluster: c}
                typed_per_filter_config:
                  envoy.filters.http.cors:
                    "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig
                    disabled: true
              - match: {prefix: /}
                route: {cluster: c}
            - name: other
              domains: [other.example.com]
              routes:
              - match: {prefix: /}
                route: {cluster: c}
            - name: all
              domains: ["*"]
              typed_per_filter_config:
                envoy.filters.http.cors:
                  "@type": type.googleapis.com/envoy.config.route.v3.CorsPolicy
                  allow_origin_string_match: [{exact: "https://public.example"}]
              routes:
              - match: {prefix: /}
                route: {cluster: c}
`
	const withCors = `[{name: envoy.filters.http.cors, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors}}, {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]`
	const withoutCors = `[{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]`

	read := func(filters string) (*importResult, string) {
		var a audit
		olds, uncov, err := readEnvoy([]byte(strings.Replace(hcm, "%FILTERS%", filters, 1)), &a)
		if err != nil {
			t.Fatalf("readEnvoy: %v", err)
		}
		res, err := convert(olds, uncov, &a)
		if err != nil {
			t.Fatalf("convert: %v", err)
		}
		var lines []string
		for _, f := range res.audit.findings {
			lines = append(lines, f.String())
		}
		return res, strings.Join(lines, "\n")
	}

	res, audit := read(withCors)
	admin := res.cfg.Routes[0]
	if !slices.Equal(admin.PathPrefixes, []string{"/admin"}) || !slices.Equal(admin.AllowOrigins, []string{"https://vhost.example"}) ||
		!admin.AllowCredentials || !slices.Equal(admin.AllowMethods, []string{"DELETE"}) {
		t.Errorf("route /admin: got %+v; want the vhost's origins and credentials merged under its own allow_methods", admin)
	}
	for _, rt := range res.cfg.Routes {
		if slices.Contains(rt.AllowOrigins, "https://legacy.example") {
			t.Errorf("route %s: got the legacy vhost cors origin; want it ignored (typed_per_filter_config takes over)", rt.Name)
		}
	}
	for _, want := range []string{
		"virtual_hosts[1].routes[0]: had no CORS policy, but its requests now fall under the top-level policy",
		// FilterConfig disabled: true turns CORS off for /public, which
		// the host-wide route now covers.
		"virtual_hosts[0].routes[1]: had no CORS policy, but its requests now fall under routes[1]",
	} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit: got\n%s\nwant a line containing %q", audit, want)
		}
	}

	res, audit = read(withoutCors)
	if want := "there is no envoy.filters.http.cors filter, so none of the CorsPolicy below ever applied"; !strings.Contains(audit, want) {
		t.Errorf("audit: got\n%s\nwant a line containing %q", audit, want)
	}
	for _, rt := range res.cfg.Routes {
		if !rt.Shadow {
			t.Errorf("route %s: got enforced; want shadow (the filter never ran)", rt.Name)
		}
	}
}

// TestImportUsage checks the command line.
func TestImportUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no --from", []string{"import", "x.yaml"}, exitUsage, "--from must be istio, envoy or rscors"},
		{"no file", []string{"import", "--from", "istio"}, exitUsage, "no FILE given"},
		{"missing file", []string{"import", "--from", "envoy", "does-not-exist.yaml"}, exitUsage, "no such file"},
		{"no VirtualService", []string{"import", "--from", "istio", "cmd/corsctl/testdata/k8s-other.yaml"}, exitInvalid, "no VirtualService found"},
		{"Kubernetes object given to --from envoy", []string{"import", "--from", "envoy", "deploy/istio/wasmplugin.yaml"}, exitInvalid, "a Kubernetes object (kind WasmPlugin)"},
		{"source without CORS", []string{"import", "--from", "envoy", "cmd/corsctl/testdata/import/envoy-no-cors.yaml"}, exitInvalid, "TODO: source: configures no CORS policy at all"},
		{"unknown rs/cors field", []string{"import", "--from", "rscors", "cmd/corsctl/testdata/nocreds.json"}, exitInvalid, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := inRepo(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.msg) {
				t.Errorf("got exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, tt.code, tt.msg)
			}
		})
	}
}

// TestImportRepair: entries the validator refuses in context (here with
// credentials) are left out with a TODO carrying the validator's reason,
// and the rest of the policy still validates. Also reads a bare
// RouteConfiguration.
func TestImportRepair(t *testing.T) {
	const rc = `{
  "virtual_hosts": [{
    "name": "app", "domains": ["app.example.com"],
    "routes": [{"match": {"prefix": "/"}, "route": {"cluster": "c"}}],
    "typed_per_filter_config": {"envoy.filters.http.cors": {
      "@type": "type.googleapis.com/envoy.config.route.v3.CorsPolicy",
      "allow_origin_string_match": [{"exact": "http://app.example.com"}, {"suffix": ".github.io"}, {"exact": "https://app.example.com"}],
      "allow_headers": "*",
      "allow_credentials": true}}
  }]
}`
	var a audit
	olds, uncov, err := readEnvoy([]byte(rc), &a)
	if err != nil {
		t.Fatal(err)
	}
	res, err := convert(olds, uncov, &a)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.cfg.Routes[0].AllowOrigins; !slices.Equal(got, []string{"https://app.example.com"}) {
		t.Errorf("allowOrigins: got %q; want only the https origin left", got)
	}
	if got := res.cfg.Routes[0].AllowHeaders; len(got) != 0 {
		t.Errorf("allowHeaders: got %q; want \"*\" left out (with credentials browsers read it literally)", got)
	}
	var todos []string
	for _, f := range res.audit.findings {
		if f.sev == sevTODO {
			todos = append(todos, f.String())
		}
	}
	for _, want := range []string{
		`allow_origin_string_match[0]: corswasm refuses it: "http://app.example.com": plaintext http origin with allowCredentials`,
		`allow_origin_string_match[1]: corswasm refuses it: "https://*.github.io": a wildcard over a public suffix`,
		`allow_headers[0]: "*": with credentials the source echoed whatever header the preflight asked for`,
	} {
		if !slices.ContainsFunc(todos, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("TODOs: got\n%s\nwant one containing %q", strings.Join(todos, "\n"), want)
		}
	}
}

// TestMigratingDocIsCurrent keeps docs/migrating.md's worked example the
// tool's real output: the audit, the diff and the policy.
func TestMigratingDocIsCurrent(t *testing.T) {
	doc, err := os.ReadFile("../../docs/migrating.md")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "policy.json")
	r := exe(t, "import", "--from", "istio", "--explain-diff", "--out", out, "cmd/corsctl/testdata/import/virtualservice.yaml")
	policyJSON, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"report": r.stderr, "policy": string(policyJSON)} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/migrating.md: the worked example's %s is not the tool's output; got from the tool:\n%s", name, want)
		}
	}
}
