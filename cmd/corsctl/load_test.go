package main

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestLoad covers the wrappers the fixture files do not: what load finds,
// where, and with which wrapping problem.
func TestLoad(t *testing.T) {
	const policyJSON = `{"allowOrigins":["https://app.example.com"]}`
	wasm := func(configuration string) string {
		return `static_resources:
  listeners:
  - filter_chains:
    - filters:
      - typed_config:
          http_filters:
          - typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                name: cors
                configuration: ` + configuration + "\n"
	}
	const at = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.configuration"
	tests := []struct {
		name    string
		in      string
		want    []source // corsHint is not compared
		wantErr string
	}{
		{"json plugin config is passed verbatim", " \n" + policyJSON, []source{{config: []byte(" \n" + policyJSON)}}, ""},
		{"json with a byte order mark", "\xef\xbb\xbf" + policyJSON, []source{{config: []byte("\xef\xbb\xbf" + policyJSON)}}, ""},
		{"broken json is still the plugin's to report", `{"allowOrigins": [`, []source{{config: []byte(`{"allowOrigins": [`)}}, ""},
		{"yaml plugin config", "allowOrigins: [https://app.example.com]\n", []source{{config: []byte(policyJSON)}}, ""},
		{"header comment before the first separator", "# policy\n---\nallowOrigins: [https://app.example.com]\n", []source{{config: []byte(policyJSON)}}, ""},
		{"StringValue", wasm(`{"@type": type.googleapis.com/google.protobuf.StringValue, value: '` + policyJSON + `'}`),
			[]source{{where: at + ".value", config: []byte(policyJSON)}}, ""},
		{"BytesValue", wasm(`{"@type": type.googleapis.com/google.protobuf.BytesValue, value: ` + base64.StdEncoding.EncodeToString([]byte(policyJSON)) + `}`),
			[]source{{where: at + ".value", config: []byte(policyJSON)}}, ""},
		{"BytesValue not base64", wasm(`{"@type": type.googleapis.com/google.protobuf.BytesValue, value: "%%"}`),
			[]source{{where: at + ".value", problem: "a BytesValue's value is base64 in Envoy's YAML/JSON: illegal base64 data at input byte 0"}}, ""},
		{"other message type", wasm(`{"@type": type.googleapis.com/google.protobuf.Int64Value, value: 1}`),
			[]source{{where: at, problem: `"@type" "type.googleapis.com/google.protobuf.Int64Value": the filter reads JSON; use "@type": type.googleapis.com/google.protobuf.StringValue with the JSON policy as a string in value`}}, ""},
		{"StringValue without a string", wasm(`{"@type": type.googleapis.com/google.protobuf.StringValue, value: {a: 1}}`),
			[]source{{where: at, problem: "value must be a string holding the JSON policy"}}, ""},
		{"TypedStruct wrapper (EnvoyFilter patch)", `apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
spec:
  configPatches:
  - patch:
      value:
        typed_config:
          "@type": type.googleapis.com/udpa.type.v1.TypedStruct
          type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
          value:
            config:
              configuration:
                "@type": type.googleapis.com/google.protobuf.StringValue
                value: '` + policyJSON + `'
`, []source{{where: "spec.configPatches[0].patch.value.typed_config.value.config.configuration.value", config: []byte(policyJSON)}}, ""},
		{"WasmPlugin without pluginConfig", "apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: c}\nspec: {url: oci://x}\n",
			[]source{{where: "WasmPlugin c: spec", problem: "spec.pluginConfig is missing: the filter would start without a policy"}}, ""},
		{"a WasmPlugin of another API group is not ours", "apiVersion: example.com/v1\nkind: WasmPlugin\nspec: {pluginConfig: {a: 1}}\n", nil, noConfigFoundMsg},
		{"envoy json without wasm filters", `{"static_resources": {"listeners": []}}`, nil, noConfigFoundMsg},
		{"empty file", "", nil, noConfigFoundMsg},
		{"yaml list in a stream is skipped", "- a\n---\nallowOrigins: [https://app.example.com]\n",
			[]source{{where: "document 2 (line 3)", config: []byte(policyJSON)}}, ""},
		{"yaml syntax error in a stream", "allowOrigins: []\n---\na: [\n", nil, "document 2 (line 3): yaml: line 3: did not find expected node content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v; want %d configs", err, len(tt.want))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d configs %+v; want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.where != w.where || string(g.config) != string(w.config) || g.problem != w.problem {
					t.Errorf("config %d: got where %q, config %q, problem %q; want %q, %q, %q",
						i, g.where, g.config, g.problem, w.where, w.config, w.problem)
				}
			}
		})
	}
}

func TestSplitYAML(t *testing.T) {
	docs := splitYAML([]byte("# header\n---\na: 1\n--- # second\nb: 2\n---\n"))
	var got []string
	for _, d := range docs {
		got = append(got, strings.TrimSpace(string(d.text))+"@"+string(rune('0'+d.line)))
	}
	want := []string{"a: 1@3", "b: 2@5", "@7"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q; want %q", got, want)
	}
}
