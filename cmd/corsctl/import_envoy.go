package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/file/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/access_loggers/stream/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/wasm/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/reflect/protoregistry"
	_ "google.golang.org/protobuf/types/known/emptypb"
	"sigs.k8s.io/yaml"
)

const (
	corsFilterName = "envoy.filters.http.cors"
	corsFilterType = "envoy.extensions.filters.http.cors.v3.Cors"
	hcmType        = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
	emptyTypeURL   = "type.googleapis.com/google.protobuf.Empty"
)

// readEnvoy reads an Envoy bootstrap or a RouteConfiguration, in YAML or
// JSON, with go-control-plane's generated types (protojson: unknown
// fields are errors, as Envoy refuses them).
func readEnvoy(data []byte, a *audit) (olds, uncovered []*oldPolicy, err error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	var tree map[string]any
	if err := json.Unmarshal(js, &tree); err != nil {
		return nil, nil, fmt.Errorf("not an Envoy config object: %v", err)
	}
	if kind, ok := tree["kind"].(string); ok {
		return nil, nil, fmt.Errorf("a Kubernetes object (kind %s), not an Envoy bootstrap or RouteConfiguration; for VirtualServices use --from istio", kind)
	}
	// Filters corsctl has no types for (any extension outside the few it
	// links) cannot matter to CORS: decode them as empty.
	unknown := map[string]bool{}
	scrubUnknownAny(tree, unknown)
	for _, t := range sortedKeysBool(unknown) {
		a.add(sevNote, "@type", t, "a type corsctl does not know", "skipped; it cannot carry CORS settings")
	}
	js, _ = json.Marshal(tree)
	if _, ok := tree["virtual_hosts"]; ok || tree["virtualHosts"] != nil {
		var rc routev3.RouteConfiguration
		if err := protojson.Unmarshal(js, &rc); err != nil {
			return nil, nil, fmt.Errorf("RouteConfiguration: %v", err)
		}
		a.add(sevNote, "RouteConfiguration", "", "a route configuration alone does not show whether the HTTP connection manager runs "+corsFilterName,
			"imported as if it does")
		o, u := envoyRoutes(&rc, "", []string{corsFilterName}, a)
		return o, u, nil
	}
	var bs bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &bs); err != nil {
		return nil, nil, fmt.Errorf("invalid Envoy bootstrap: %v", err)
	}
	for i, l := range bs.GetStaticResources().GetListeners() {
		lp := indexed("static_resources.listeners", i)
		chains := l.GetFilterChains()
		for j, fc := range chains {
			o, u := envoyChain(fc, indexed(lp+".filter_chains", j), a)
			olds, uncovered = append(olds, o...), append(uncovered, u...)
		}
		if fc := l.GetDefaultFilterChain(); fc != nil {
			o, u := envoyChain(fc, lp+".default_filter_chain", a)
			olds, uncovered = append(olds, o...), append(uncovered, u...)
		}
	}
	if len(olds)+len(uncovered) == 0 {
		return nil, nil, fmt.Errorf("no HTTP routes found: expected static_resources.listeners with an http_connection_manager and an inline route_config, or a RouteConfiguration")
	}
	return olds, uncovered, nil
}

func envoyChain(fc *listenerv3.FilterChain, at string, a *audit) (olds, uncovered []*oldPolicy) {
	for k, f := range fc.GetFilters() {
		fp := indexed(at+".filters", k)
		if !strings.HasSuffix(f.GetTypedConfig().GetTypeUrl(), "/"+hcmType) {
			continue
		}
		var hcm hcmv3.HttpConnectionManager
		if err := f.GetTypedConfig().UnmarshalTo(&hcm); err != nil {
			a.add(sevTODO, fp+".typed_config", "", "cannot read the HTTP connection manager: "+err.Error(), "import its routes separately")
			continue
		}
		var corsNames []string
		for _, hf := range hcm.GetHttpFilters() {
			if hf.GetName() == corsFilterName || strings.HasSuffix(hf.GetTypedConfig().GetTypeUrl(), "/"+corsFilterType) {
				corsNames = append(corsNames, hf.GetName())
			}
		}
		rc := hcm.GetRouteConfig()
		if rc == nil {
			if hcm.GetRds() != nil {
				a.add(sevTODO, fp+".typed_config.rds", "", "routes come from RDS, which is not in this file", "dump the RouteConfiguration from the control plane and import it")
			}
			continue
		}
		o, u := envoyRoutes(rc, fp+".typed_config.route_config", corsNames, a)
		if len(corsNames) == 0 && len(o) > 0 {
			a.add(sevTODO, fp+".typed_config.http_filters", "", "there is no "+corsFilterName+" filter, so none of the CorsPolicy below ever applied",
				`carried over with "shadow": true (log only); remove shadow to enforce what was configured but never ran`)
			for _, p := range o {
				p.enabled, p.shadow, p.filterMissing = false, false, true
			}
		}
		olds, uncovered = append(olds, o...), append(uncovered, u...)
	}
	return olds, uncovered
}

// scrubUnknownAny replaces every Any whose type is not linked into
// corsctl with google.protobuf.Empty, recording the type.
func scrubUnknownAny(v any, unknown map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		if t, ok := v["@type"].(string); ok {
			if _, err := protoregistry.GlobalTypes.FindMessageByURL(t); err != nil {
				unknown[t] = true
				clear(v)
				v["@type"] = emptyTypeURL
				return
			}
		}
		for _, e := range v {
			scrubUnknownAny(e, unknown)
		}
	case []any:
		for _, e := range v {
			scrubUnknownAny(e, unknown)
		}
	}
}

func sortedKeysBool(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
