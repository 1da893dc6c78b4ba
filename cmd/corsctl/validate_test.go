package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

const envoyWhere = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration"

// TestValidateRepoFiles runs validate on the configs that ship: the
// examples, the valid corpus, the root envoy.yaml and the Istio manifest.
func TestValidateRepoFiles(t *testing.T) {
	// The examples are meant to be copied: they must be warning-free.
	for _, f := range glob(t, "examples/*.json") {
		t.Run(f, func(t *testing.T) {
			r := exe(t, "validate", "--strict", f)
			r.check(t, exitOK, f+": valid\n", "")
		})
	}
	// The valid corpus includes legal-but-risky configs: exit 0, and
	// exactly the engine's warnings, one line each.
	for _, f := range glob(t, "policy/testdata/valid/*.json") {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("../..", f))
			if err != nil {
				t.Fatal(err)
			}
			p, err := policy.Compile(data)
			if err != nil {
				t.Fatalf("policy.Compile: %v", err)
			}
			var stderr []string
			for _, w := range p.Warnings() {
				stderr = append(stderr, "warning: "+f+": "+w.String())
			}
			stdout := f + ": valid"
			if n := len(stderr); n > 0 {
				stdout += " (" + count(n, "warning") + ")"
			}
			exe(t, "validate", f).check(t, exitOK, lines(stdout), lines(stderr...))
		})
	}
	t.Run("envoy.yaml", func(t *testing.T) {
		exe(t, "validate", "envoy.yaml").check(t, exitOK, "envoy.yaml: "+envoyWhere+".value: valid\n", "")
	})
	t.Run("deploy/istio/wasmplugin.yaml", func(t *testing.T) {
		exe(t, "validate", "deploy/istio/wasmplugin.yaml").check(t, exitOK,
			"deploy/istio/wasmplugin.yaml: WasmPlugin istio-system/corswasm: spec.pluginConfig: valid\n", "")
	})
}

// TestValidateInvalidCorpus: every invalid config fails with exit 1 and
// exactly the filter's error lines (policy/testdata/invalid/NAME.err),
// prefixed by the file name.
func TestValidateInvalidCorpus(t *testing.T) {
	for _, f := range glob(t, "policy/testdata/invalid/*.json") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("../..", strings.TrimSuffix(f, ".json")+".err"))
			if err != nil {
				t.Fatal(err)
			}
			errLines := strings.Split(strings.TrimRight(string(want), "\n"), "\n")
			var stderr strings.Builder
			for _, l := range errLines {
				stderr.WriteString(f + ": " + l + "\n")
			}
			noun := " errors)"
			if len(errLines) == 1 {
				noun = " error)"
			}
			r := inRepo(t, "validate", f)
			r.check(t, exitInvalid, f+": invalid ("+strconv.Itoa(len(errLines))+noun+"\n", stderr.String())
		})
	}
}

func TestValidateFixtures(t *testing.T) {
	risky := td + "risky.json: "
	// risky.json trips every lint (policy/lint_test.go pins their texts)
	// plus the engine's public-suffix warning.
	p, err := policy.Compile(mustRead(t, "testdata/risky.json"))
	if err != nil {
		t.Fatal(err)
	}
	riskyWarnings := ""
	for _, w := range p.Warnings() {
		riskyWarnings += "warning: " + risky + w.String() + "\n"
	}
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{
			name:   "yaml plugin config",
			args:   []string{"validate", td + "plugin.yaml"},
			code:   exitOK,
			stdout: lines(td + "plugin.yaml: valid"),
		},
		{
			name:   "envoy config with an invalid policy",
			args:   []string{"validate", td + "envoy-invalid.yaml"},
			code:   exitInvalid,
			stdout: lines(td + "envoy-invalid.yaml: " + envoyWhere + ".value: invalid (2 errors)"),
			stderr: prefixed(td+"envoy-invalid.yaml: "+envoyWhere+".value: ",
				engineErrors(t, `{"allowOrigins": ["*"], "allowCredentials": true, "allowMethods": ["TRACE"]}`)),
		},
		{
			name:   "envoy config with a Struct configuration",
			args:   []string{"validate", td + "envoy-struct.yaml"},
			code:   exitInvalid,
			stdout: lines(td + "envoy-struct.yaml: " + envoyWhere + ": invalid (1 error)"),
			stderr: lines(td + "envoy-struct.yaml: " + envoyWhere + `: a google.protobuf.Struct reaches the plugin as protobuf bytes, not JSON, so the filter would fail to start; use "@type": type.googleapis.com/google.protobuf.StringValue with the JSON policy as a string in value`),
		},
		{
			name:   "envoy JSON with two wasm plugins checks only the cors one",
			args:   []string{"validate", td + "envoy-two-plugins.json"},
			code:   exitOK,
			stdout: lines(td + "envoy-two-plugins.json: " + strings.Replace(envoyWhere, "http_filters[0]", "http_filters[1]", 1) + ".value: valid (1 warning)"),
			stderr: lines("warning: " + td + "envoy-two-plugins.json: " + strings.Replace(envoyWhere, "http_filters[0]", "http_filters[1]", 1) +
				`.value: maxAge: "86400": browsers cap preflight caching (chromium at 7200 s, webkit at 600 s, measured in docs/browsers.md), so the extra time is ignored: use 7200 or less`),
		},
		{
			name: "multi-document kubernetes yaml",
			args: []string{"validate", td + "istio-bundle.yaml"},
			code: exitInvalid,
			stdout: lines(
				td+"istio-bundle.yaml: document 2 (line 9, WasmPlugin prod/cors-api): spec.pluginConfig: valid",
				td+"istio-bundle.yaml: document 3 (line 21, WasmPlugin prod/cors-legacy): spec.pluginConfig: invalid (2 errors)",
			),
			stderr: prefixed(td+"istio-bundle.yaml: document 3 (line 21, WasmPlugin prod/cors-legacy): spec.pluginConfig: ",
				engineErrors(t, `{"allowOrigins": ["http://legacy.example.com"], "allowCredentials": true, "upstreamCors": "keep"}`)),
		},
		{
			name:   "kubernetes yaml without a plugin",
			args:   []string{"validate", td + "k8s-other.yaml"},
			code:   exitInvalid,
			stdout: lines(td + "k8s-other.yaml: invalid"),
			stderr: lines(td + "k8s-other.yaml: " + noConfigFoundMsg),
		},
		{
			name:   "broken yaml",
			args:   []string{"validate", td + "broken.yaml"},
			code:   exitInvalid,
			stdout: lines(td + "broken.yaml: invalid"),
			stderr: lines(td + "broken.yaml: yaml: line 1: did not find expected ',' or ']'"),
		},
		{
			name:   "warnings do not fail",
			args:   []string{"validate", td + "risky.json"},
			code:   exitOK,
			stdout: lines(risky + "valid (7 warnings)"),
			stderr: riskyWarnings,
		},
		{
			name:   "warnings fail under --strict",
			args:   []string{"validate", td + "risky.json", "--strict"},
			code:   exitInvalid,
			stdout: lines(risky + "invalid under --strict (7 warnings)"),
			stderr: riskyWarnings,
		},
		{
			name:   "several files: the worst exit code wins",
			args:   []string{"validate", "examples/config.json", td + "envoy-struct.yaml", "no/such.yaml"},
			code:   exitUsage,
			stdout: lines("examples/config.json: valid", td+"envoy-struct.yaml: "+envoyWhere+": invalid (1 error)"),
			stderr: lines(td+"envoy-struct.yaml: "+envoyWhere+`: a google.protobuf.Struct reaches the plugin as protobuf bytes, not JSON, so the filter would fail to start; use "@type": type.googleapis.com/google.protobuf.StringValue with the JSON policy as a string in value`,
				"corsctl: open no/such.yaml: no such file or directory"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exe(t, tt.args...).check(t, tt.code, tt.stdout, tt.stderr)
		})
	}
}

// engineErrors is the filter's own error text for a policy, one line per
// problem: what validate must print after the location prefix.
func engineErrors(t *testing.T, config string) []string {
	t.Helper()
	_, err := policy.Compile([]byte(config))
	if err == nil {
		t.Fatalf("policy.Compile(%s) succeeded; the fixture expects errors", config)
	}
	return strings.Split(err.Error(), "\n")
}

func prefixed(prefix string, msgs []string) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(prefix + m + "\n")
	}
	return b.String()
}

// glob lists repository files (paths relative to the repository root)
// and fails when there are none: the corpus must not silently vanish.
func glob(t *testing.T, pattern string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join("../..", pattern))
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	for i, m := range matches {
		matches[i] = strings.TrimPrefix(filepath.ToSlash(m), "../../")
	}
	return matches
}
