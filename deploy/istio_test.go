package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"google.golang.org/protobuf/encoding/protojson"
	extensionsv1alpha1 "istio.io/api/extensions/v1alpha1"
	typev1beta1 "istio.io/api/type/v1beta1"
	"sigs.k8s.io/yaml"
)

// checkWasmPlugin checks deploy/istio/wasmplugin.yaml three ways: as the
// Kubernetes object (apiVersion, kind, metadata), its spec against
// istio.io/api's generated WasmPlugin message (protojson, unknown fields are
// errors) and the WasmPlugin CRD's structural schema shipped in
// istio.io/api, then the choices of this deployment and the policy.
//
// istio.io/api has no generated Validate for WasmPlugin, and the CRD's CEL
// rules (x-kubernetes-validations) need a Kubernetes API server; the ones
// that matter here (url scheme, selector xor targetRefs) are asserted below.
func checkWasmPlugin(doc []byte, crd *jsonschema.Schema) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	js, err := yamlToJSON(doc)
	if err != nil {
		return []string{"wasmplugin.yaml: " + err.Error()}
	}
	var obj struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec json.RawMessage `json:"spec"`
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		return []string{"wasmplugin.yaml: " + err.Error()}
	}
	if obj.APIVersion != "extensions.istio.io/v1alpha1" {
		fail("apiVersion: got %q; want \"extensions.istio.io/v1alpha1\"", obj.APIVersion)
	}
	if obj.Kind != "WasmPlugin" {
		fail("kind: got %q; want \"WasmPlugin\"", obj.Kind)
	}
	if obj.Metadata.Name == "" || obj.Metadata.Namespace == "" {
		fail("metadata: got name %q, namespace %q; want both set", obj.Metadata.Name, obj.Metadata.Namespace)
	}

	// The CRD schema, as the API server would apply it (with unknown
	// fields rejected, as kubectl's strict field validation does).
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(`{"spec":` + string(obj.Spec) + `}`)))
	if err != nil {
		return append(problems, "spec: "+err.Error())
	}
	if err := crd.Validate(inst); err != nil {
		fail("spec does not match the WasmPlugin CRD schema: %v", err)
	}

	var spec extensionsv1alpha1.WasmPlugin
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(obj.Spec, &spec); err != nil {
		return append(problems, "spec: not an istio.extensions.v1alpha1.WasmPlugin: "+err.Error())
	}

	targets := 0
	if len(spec.GetSelector().GetMatchLabels()) > 0 {
		targets++
	}
	if spec.GetTargetRef() != nil || len(spec.GetTargetRefs()) > 0 {
		targets++
	}
	if targets != 1 {
		// With neither, a WasmPlugin in the root namespace applies to every
		// workload in the mesh.
		fail("spec: got %d of selector / targetRefs; want exactly one, naming the gateway", targets)
	}
	// On a gateway Istio matches a TrafficSelector's mode against CLIENT
	// (istio/istio pilot/pkg/model/extensions.go, workloadModeForListenerClass):
	// a SERVER-only entry selects no gateway traffic, so the filter would be
	// configured and never run.
	for i, m := range spec.GetMatch() {
		if m.GetMode() == typev1beta1.WorkloadMode_SERVER {
			fail("spec.match[%d].mode: got SERVER; want CLIENT, CLIENT_AND_SERVER or no match: on a gateway SERVER selects nothing, and CORS would silently be off", i)
		}
	}
	if !strings.HasPrefix(spec.GetUrl(), "oci://") {
		fail("spec.url: got %q; want an oci:// image built by `make oci`", spec.GetUrl())
	}
	// Whether it is the current build's digest is istio_sha_test.go's
	// business; here, that it is written down at all.
	if spec.GetSha256() == "" {
		fail("spec.sha256: unset; want the image digest `make oci` prints, so a re-pushed tag cannot swap the module (`make wasmplugin-sha` sets it)")
	}
	if spec.GetImagePullPolicy() == extensionsv1alpha1.PullPolicy_UNSPECIFIED_POLICY {
		fail("spec.imagePullPolicy: unset; want IfNotPresent or Always chosen explicitly")
	}
	if spec.GetType() != extensionsv1alpha1.PluginType_HTTP {
		fail("spec.type: got %v; want HTTP", spec.GetType())
	}
	if spec.GetPhase() != extensionsv1alpha1.PluginPhase_AUTHN {
		fail("spec.phase: got %v; want AUTHN: preflights carry no credentials, so CORS must run before Istio authn (istio#16171)", spec.GetPhase())
	}
	if spec.GetPriority() == nil {
		fail("spec.priority: unset; want a priority that orders the filter first within AUTHN")
	}
	// FAIL_CLOSE is the enum's zero value, so the generic document is what
	// shows whether it was written down.
	var raw map[string]any
	if json.Unmarshal(obj.Spec, &raw) == nil && raw["failStrategy"] != "FAIL_CLOSE" {
		fail("spec.failStrategy: got %v; want FAIL_CLOSE written out: a failed CORS filter must not be bypassed", raw["failStrategy"])
	}

	// Istio hands pluginConfig to the filter as the Struct's JSON.
	if spec.GetPluginConfig() == nil {
		return append(problems, "spec.pluginConfig: missing; want the CORS policy")
	}
	policyJSON, err := protojson.Marshal(spec.GetPluginConfig())
	if err != nil {
		return append(problems, "spec.pluginConfig: "+err.Error())
	}
	warnings, err := compilePolicy(policyJSON)
	if err != nil {
		fail("spec.pluginConfig: policy rejected: %v", err)
	}
	for _, w := range warnings {
		fail("spec.pluginConfig: policy warning: %s", w)
	}
	return problems
}

var (
	crdOnce   sync.Once
	crdSchema *jsonschema.Schema
	crdErr    error
)

// wasmPluginCRD compiles the openAPIV3Schema of the WasmPlugin CRD that
// istio.io/api (the version in go.mod) ships in
// kubernetes/customresourcedefinitions.gen.yaml.
func wasmPluginCRD(t *testing.T) *jsonschema.Schema {
	t.Helper()
	crdOnce.Do(func() { crdSchema, crdErr = loadWasmPluginCRD() })
	if crdErr != nil {
		t.Fatalf("WasmPlugin CRD schema from istio.io/api: %v", crdErr)
	}
	return crdSchema
}

func loadWasmPluginCRD() (*jsonschema.Schema, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "istio.io/api").Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m istio.io/api: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "kubernetes", "customresourcedefinitions.gen.yaml"))
	if err != nil {
		return nil, err
	}
	for _, part := range strings.Split(string(data), "\n---\n") {
		var crd struct {
			Spec struct {
				Names    struct{ Kind string }
				Versions []struct {
					Name   string
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					}
				}
			}
		}
		if err := yaml.Unmarshal([]byte(part), &crd); err != nil {
			return nil, err
		}
		if crd.Spec.Names.Kind != "WasmPlugin" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name != "v1alpha1" {
				continue
			}
			schema := v.Schema.OpenAPIV3Schema
			closeObjects(schema)
			// Round-trip through jsonschema's decoder so numbers are in the
			// form it expects.
			b, err := json.Marshal(schema)
			if err != nil {
				return nil, err
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			c := jsonschema.NewCompiler()
			if err := c.AddResource("wasmplugin-v1alpha1.json", doc); err != nil {
				return nil, err
			}
			return c.Compile("wasmplugin-v1alpha1.json")
		}
	}
	return nil, fmt.Errorf("no WasmPlugin v1alpha1 in istio.io/api's CRDs")
}

// closeObjects adds additionalProperties: false to every object schema that
// lists its properties and does not preserve unknown fields: the API server
// with strict field validation (kubectl's default) rejects unknown fields
// instead of pruning them.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, hasProps := v["properties"]; hasProps && v["x-kubernetes-preserve-unknown-fields"] != true {
			if _, set := v["additionalProperties"]; !set {
				v["additionalProperties"] = false
			}
		}
		for _, child := range v {
			closeObjects(child)
		}
	case []any:
		for _, child := range v {
			closeObjects(child)
		}
	}
}

func TestIstioWasmPlugin(t *testing.T) {
	crd := wasmPluginCRD(t)
	shipped := repoFile(t, "deploy/istio/wasmplugin.yaml")
	tests := []struct {
		name string
		doc  func(t *testing.T) []byte
		want string
	}{
		{"shipped wasmplugin.yaml", func(*testing.T) []byte { return shipped }, ""},
		{"wrong apiVersion", func(t *testing.T) []byte {
			return mutate(t, shipped, "apiVersion: extensions.istio.io/v1alpha1", "apiVersion: networking.istio.io/v1alpha3")
		}, `apiVersion: got "networking.istio.io/v1alpha3"`},
		{"unknown spec field", func(t *testing.T) []byte {
			return mutate(t, shipped, "  failStrategy: FAIL_CLOSE\n", "  failStrategy: FAIL_CLOSE\n  failOpen: false\n")
		}, `unknown field "failOpen"`},
		{"Envoy's spelling of fail closed", func(t *testing.T) []byte {
			return mutate(t, shipped, "failStrategy: FAIL_CLOSE\n", "failStrategy: FAIL_CLOSED\n")
		}, "CRD schema"},
		{"fail open", func(t *testing.T) []byte {
			return mutate(t, shipped, "failStrategy: FAIL_CLOSE\n", "failStrategy: FAIL_OPEN\n")
		}, "spec.failStrategy: got FAIL_OPEN"},
		{"phase after authn", func(t *testing.T) []byte {
			return mutate(t, shipped, "phase: AUTHN", "phase: AUTHZ")
		}, "spec.phase: got AUTHZ; want AUTHN"},
		{"no phase", func(t *testing.T) []byte {
			return mutate(t, shipped, "  phase: AUTHN\n", "")
		}, "spec.phase: got UNSPECIFIED_PHASE"},
		{"no sha256", func(t *testing.T) []byte {
			return mutateLine(t, shipped, "  sha256: ", "")
		}, "spec.sha256: unset"},
		{"sha256 with its algorithm prefix", func(t *testing.T) []byte {
			return mutate(t, shipped, "  sha256: ", "  sha256: sha256:")
		}, "CRD schema"},
		{"match for gateway traffic", func(t *testing.T) []byte {
			return mutate(t, shipped, "  type: HTTP\n", "  type: HTTP\n  match:\n    - mode: CLIENT\n")
		}, ""},
		{"match that selects nothing on a gateway", func(t *testing.T) []byte {
			return mutate(t, shipped, "  type: HTTP\n", "  type: HTTP\n  match:\n    - mode: SERVER\n")
		}, "spec.match[0].mode: got SERVER"},
		{"url not an OCI image", func(t *testing.T) []byte {
			return mutate(t, shipped, "url: oci://", "url: https://")
		}, `spec.url: got "https://`},
		{"no selector", func(t *testing.T) []byte {
			return mutate(t, shipped, "  selector:\n    matchLabels:\n      istio: ingressgateway\n", "")
		}, "got 0 of selector / targetRefs"},
		{"priority type", func(t *testing.T) []byte {
			return mutate(t, shipped, "priority: 1000", "priority: high")
		}, "CRD schema"},
		{"policy our validation rejects", func(t *testing.T) []byte {
			return mutate(t, shipped, "    allowCredentials: true\n", "    allowCredential: true\n")
		}, "spec.pluginConfig: policy rejected: "},
		{"policy our linter warns about", func(t *testing.T) []byte {
			return mutate(t, shipped, "    maxAge: 600\n", "    maxAge: 86400\n")
		}, "spec.pluginConfig: policy warning: maxAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := checkWasmPlugin(tt.doc(t), crd)
			for _, p := range problems {
				t.Log(p)
			}
			checkProblems(t, problems, tt.want)
		})
	}
}
