package deploy

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	wasmfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	wasmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/wasm/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	// Typed configs that envoy.yaml (and the mutation cases below) name in
	// "@type": importing them registers them so protojson can resolve the Any.
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
)

const (
	corsFilterName   = "envoy.filters.http.wasm"
	routerFilterName = "envoy.filters.http.router"
	v8Runtime        = "envoy.wasm.runtime.v8"
	// moduleInContainer is where envoy.yaml loads build/cors.wasm from; the
	// compose file mounts the module there.
	moduleInContainer = "/etc/envoy/cors.wasm"
	listenerPort      = 10000
)

// authFilters must come after the CORS filter: browsers send preflights
// without credentials (Fetch, CORS-preflight fetch), so an auth filter in
// front would refuse them (istio#16171).
var authFilters = []string{
	"envoy.filters.http.jwt_authn",
	"envoy.filters.http.ext_authz",
	"envoy.filters.http.basic_auth",
	"envoy.filters.http.api_key_auth",
	"envoy.filters.http.oauth2",
	"envoy.filters.http.rbac",
}

// envoyCheck is what checkEnvoy learned about a bootstrap.
type envoyCheck struct {
	problems    []string
	httpFilters []string // names, in chain order
	plugin      *wasmv3.PluginConfig
	policyJSON  []byte // the plugin configuration handed to the module
}

func (c *envoyCheck) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// validateAll runs a message's generated protoc-gen-validate rules. The
// generated Bootstrap.ValidateAll stops at google.protobuf.Any fields, so
// every typed_config is unpacked and validated on its own.
func validateAll(m proto.Message) error {
	if v, ok := m.(interface{ ValidateAll() error }); ok {
		return v.ValidateAll()
	}
	return nil
}

func unpack(c *envoyCheck, path string, a *anypb.Any) proto.Message {
	if a == nil {
		c.fail("%s.typed_config: missing", path)
		return nil
	}
	m, err := a.UnmarshalNew()
	if err != nil {
		c.fail("%s.typed_config: %v", path, err)
		return nil
	}
	if err := validateAll(m); err != nil {
		c.fail("%s.typed_config (%s): %v", path, a.GetTypeUrl(), err)
	}
	return m
}

// checkEnvoy parses an envoy.yaml the way Envoy does (every field known,
// every typed_config resolvable, every validation rule met) and checks the
// rules of our deployment: listener, filter order, failure mode, runtime,
// module path, and a policy that our own validation accepts.
func checkEnvoy(doc []byte) envoyCheck {
	var c envoyCheck
	js, err := yamlToJSON(doc)
	if err != nil {
		c.fail("envoy.yaml: %v", err)
		return c
	}
	var boot bootstrapv3.Bootstrap
	// protojson rejects unknown fields, like Envoy's own bootstrap loader.
	if err := protojson.Unmarshal(js, &boot); err != nil {
		c.fail("envoy.yaml: not a v3 Bootstrap: %v", err)
		return c
	}
	if err := boot.ValidateAll(); err != nil {
		c.fail("envoy.yaml: %v", err)
	}

	// The admin interface can stop Envoy (/quitquitquit) and dump its
	// config: loopback only.
	if a := boot.GetAdmin().GetAddress().GetSocketAddress(); a != nil && a.GetAddress() != "127.0.0.1" && a.GetAddress() != "::1" {
		c.fail("admin.address: got %q; want 127.0.0.1 (the admin interface must not be reachable from the network)", a.GetAddress())
	}

	clusters := map[string]bool{}
	for _, cl := range boot.GetStaticResources().GetClusters() {
		clusters[cl.GetName()] = true
	}

	found := false
	for i, l := range boot.GetStaticResources().GetListeners() {
		sa := l.GetAddress().GetSocketAddress()
		if sa.GetPortValue() != listenerPort {
			continue
		}
		found = true
		if sa.GetAddress() != "0.0.0.0" {
			c.fail("listeners[%d].address: got %q; want \"0.0.0.0\"", i, sa.GetAddress())
		}
		for j, fc := range l.GetFilterChains() {
			for k, f := range fc.GetFilters() {
				path := fmt.Sprintf("listeners[%d].filter_chains[%d].filters[%d]", i, j, k)
				if hcm, ok := unpack(&c, path, f.GetTypedConfig()).(*hcmv3.HttpConnectionManager); ok {
					checkHCM(&c, path, hcm, clusters)
				}
			}
		}
	}
	if !found {
		c.fail("static_resources.listeners: no listener on port %d", listenerPort)
	}
	return c
}

func checkHCM(c *envoyCheck, path string, hcm *hcmv3.HttpConnectionManager, clusters map[string]bool) {
	for _, vh := range hcm.GetRouteConfig().GetVirtualHosts() {
		for _, r := range vh.GetRoutes() {
			if name := r.GetRoute().GetCluster(); name != "" && !clusters[name] {
				c.fail("%s: route %q: cluster %q: not defined in static_resources.clusters", path, r.GetName(), name)
			}
		}
	}

	var wasm *wasmfilterv3.Wasm
	for i, hf := range hcm.GetHttpFilters() {
		c.httpFilters = append(c.httpFilters, hf.GetName())
		m := unpack(c, fmt.Sprintf("%s.http_filters[%d]", path, i), hf.GetTypedConfig())
		if w, ok := m.(*wasmfilterv3.Wasm); ok && hf.GetName() == corsFilterName {
			if wasm != nil {
				c.fail("%s.http_filters: %q appears twice; want the CORS filter once", path, corsFilterName)
			}
			wasm = w
		}
	}
	names := c.httpFilters
	corsAt := slices.Index(names, corsFilterName)
	if corsAt < 0 || wasm == nil {
		c.fail("%s.http_filters: got %q; want %q with a Wasm typed_config", path, names, corsFilterName)
		return
	}
	if last := names[len(names)-1]; last != routerFilterName {
		c.fail("%s.http_filters: last is %q; want %q", path, last, routerFilterName)
	}
	for i, name := range names {
		if i < corsAt && slices.Contains(authFilters, name) {
			c.fail("%s.http_filters[%d]: %q runs before the CORS filter; want it after: preflights carry no credentials (istio#16171)", path, i, name)
		}
		if name == "envoy.filters.http.cors" {
			c.fail("%s.http_filters[%d]: Envoy's built-in CORS filter next to corswasm; want one CORS implementation", path, i)
		}
	}
	checkPlugin(c, path+".http_filters["+fmt.Sprint(corsAt)+"].typed_config.config", wasm.GetConfig())
}

func checkPlugin(c *envoyCheck, path string, pc *wasmv3.PluginConfig) {
	c.plugin = pc
	// Fail closed: a failed filter must not turn into "no CORS checks".
	//lint:ignore SA1019 a deploy file may still set the deprecated fail_open; it must not
	if pc.GetFailOpen() {
		c.fail("%s.fail_open: got true; want false", path)
	}
	if got := pc.GetFailurePolicy(); got != wasmv3.FailurePolicy_FAIL_CLOSED {
		c.fail("%s.failure_policy: got %v; want FAIL_CLOSED", path, got)
	}
	vm := pc.GetVmConfig()
	if got := vm.GetRuntime(); got != v8Runtime {
		c.fail("%s.vm_config.runtime: got %q; want %q", path, got, v8Runtime)
	}
	if got := vm.GetCode().GetLocal().GetFilename(); got != moduleInContainer {
		c.fail("%s.vm_config.code.local.filename: got %q; want %q", path, got, moduleInContainer)
	}
	cfg, err := pc.GetConfiguration().UnmarshalNew()
	if err != nil {
		c.fail("%s.configuration: %v", path, err)
		return
	}
	sv, ok := cfg.(*wrapperspb.StringValue)
	if !ok {
		c.fail("%s.configuration: got %s; want google.protobuf.StringValue holding the JSON policy", path, pc.GetConfiguration().GetTypeUrl())
		return
	}
	c.policyJSON = []byte(sv.GetValue())
	warnings, err := compilePolicy(c.policyJSON)
	if err != nil {
		c.fail("%s.configuration: policy rejected: %v", path, err)
	}
	// A shipped policy is copied by operators: it must be a clean one.
	for _, w := range warnings {
		c.fail("%s.configuration: policy warning: %s", path, w)
	}
}

// TestEnvoyConfig checks the shipped envoy.yaml, then shows that the check
// catches each kind of mistake by breaking one thing at a time.
func TestEnvoyConfig(t *testing.T) {
	shipped := repoFile(t, "envoy.yaml")
	const failOpenLine = "                fail_open: false\n"
	const wasmItem = "          - name: envoy.filters.http.wasm\n"
	const routerItem = "          - name: envoy.filters.http.router\n" +
		"            typed_config:\n" +
		"              \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router\n"

	tests := []struct {
		name string
		doc  func(t *testing.T) []byte
		want string // a substring of one problem; "" for none
	}{
		{"shipped envoy.yaml", func(*testing.T) []byte { return shipped }, ""},
		{"unknown field", func(t *testing.T) []byte {
			return mutate(t, shipped, failOpenLine, "                failopen: false\n")
		}, `unknown field "failopen"`},
		{"duplicate key", func(t *testing.T) []byte {
			return mutate(t, shipped, failOpenLine, failOpenLine+"                fail_open: true\n")
		}, "already set"},
		{"validation rule in the bootstrap", func(t *testing.T) []byte {
			return mutate(t, shipped, "connect_timeout: 2s", "connect_timeout: -2s")
		}, "ConnectTimeout"},
		{"validation rule inside a typed_config", func(t *testing.T) []byte {
			return mutate(t, shipped, "stat_prefix: ingress_http", `stat_prefix: ""`)
		}, "StatPrefix"},
		{"admin on every interface", func(t *testing.T) []byte {
			return mutate(t, shipped, "address: 127.0.0.1, port_value: 9901", "address: 0.0.0.0, port_value: 9901")
		}, `admin.address: got "0.0.0.0"`},
		{"listener port", func(t *testing.T) []byte {
			return mutate(t, shipped, "port_value: 10000", "port_value: 10001")
		}, "no listener on port 10000"},
		{"route to an undefined cluster", func(t *testing.T) []byte {
			return mutate(t, shipped, "cluster: upstream }", "cluster: nowhere }")
		}, `cluster "nowhere": not defined`},
		{"fail open", func(t *testing.T) []byte {
			return mutate(t, shipped, failOpenLine, "                fail_open: true\n")
		}, "fail_open: got true; want false"},
		{"failure policy open", func(t *testing.T) []byte {
			return mutate(t, shipped, "failure_policy: FAIL_CLOSED", "failure_policy: FAIL_OPEN")
		}, "failure_policy: got FAIL_OPEN; want FAIL_CLOSED"},
		{"failure policy left to the default", func(t *testing.T) []byte {
			return mutate(t, shipped, "                failure_policy: FAIL_CLOSED\n", "")
		}, "failure_policy: got UNSPECIFIED; want FAIL_CLOSED"},
		{"runtime not V8", func(t *testing.T) []byte {
			return mutate(t, shipped, "runtime: envoy.wasm.runtime.v8", "runtime: envoy.wasm.runtime.wamr")
		}, `runtime: got "envoy.wasm.runtime.wamr"; want "envoy.wasm.runtime.v8"`},
		{"module path", func(t *testing.T) []byte {
			return mutate(t, shipped, "filename: /etc/envoy/cors.wasm", "filename: /etc/envoy/other.wasm")
		}, `filename: got "/etc/envoy/other.wasm"`},
		{"jwt_authn before the CORS filter", func(t *testing.T) []byte {
			return mutate(t, shipped, wasmItem, "          - name: envoy.filters.http.jwt_authn\n"+
				"            typed_config:\n"+
				"              \"@type\": type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication\n"+
				wasmItem)
		}, `"envoy.filters.http.jwt_authn" runs before the CORS filter`},
		{"router not last", func(t *testing.T) []byte {
			doc := mutate(t, shipped, routerItem, "")
			return mutate(t, doc, wasmItem, routerItem+wasmItem)
		}, `last is "envoy.filters.http.wasm"`},
		{"built-in CORS filter as well", func(t *testing.T) []byte {
			return mutate(t, shipped, routerItem, "          - name: envoy.filters.http.cors\n"+
				"            typed_config:\n"+
				"              \"@type\": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors\n"+
				routerItem)
		}, "built-in CORS filter"},
		{"no CORS filter", func(t *testing.T) []byte {
			return mutate(t, shipped, wasmItem, "          - name: envoy.filters.http.wasm_other\n")
		}, `want "envoy.filters.http.wasm"`},
		{"configuration not a StringValue", func(t *testing.T) []byte {
			return mutate(t, shipped, "type.googleapis.com/google.protobuf.StringValue", "type.googleapis.com/google.protobuf.Value")
		}, "want google.protobuf.StringValue"},
		{"policy our validation rejects", func(t *testing.T) []byte {
			return mutate(t, shipped, `"allowCredentials": true,`, `"allowCredential": true,`)
		}, "policy rejected: "},
		{"policy our linter warns about", func(t *testing.T) []byte {
			return mutate(t, shipped, `"maxAge": 600,`, `"maxAge": 86400,`)
		}, "policy warning: maxAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checkEnvoy(tt.doc(t))
			for _, p := range c.problems {
				t.Log(p)
			}
			checkProblems(t, c.problems, tt.want)
		})
	}
}

// TestEnvoyFilterOrder records the shipped chain: the CORS filter first and
// the router last. (TestEnvoyConfig enforces the rules; this pins the file.)
func TestEnvoyFilterOrder(t *testing.T) {
	c := checkEnvoy(repoFile(t, "envoy.yaml"))
	want := []string{corsFilterName, routerFilterName}
	if !slices.Equal(c.httpFilters, want) {
		t.Errorf("got http_filters %q; want %q", c.httpFilters, want)
	}
}

// TestEnvoyPolicyMatchesExample keeps the policy in envoy.yaml identical to
// examples/config.json, which `make run` serves: the e2e scenarios replay
// against either gateway and must get the same answers.
func TestEnvoyPolicyMatchesExample(t *testing.T) {
	c := checkEnvoy(repoFile(t, "envoy.yaml"))
	if len(c.policyJSON) == 0 {
		t.Fatalf("got no plugin configuration in envoy.yaml (problems: %q); want the JSON policy", c.problems)
	}
	var got, want any
	if err := json.Unmarshal(c.policyJSON, &got); err != nil {
		t.Fatalf("envoy.yaml plugin configuration: %v", err)
	}
	if err := json.Unmarshal(repoFile(t, "examples/config.json"), &want); err != nil {
		t.Fatalf("examples/config.json: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got envoy.yaml policy %s; want examples/config.json's %s", c.policyJSON, repoFile(t, "examples/config.json"))
	}
}
