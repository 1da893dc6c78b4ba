package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	//lint:ignore SA1019 the decoder Istio's generated UnmarshalJSON uses, minus AllowUnknownFields
	"github.com/golang/protobuf/jsonpb" // the decoder Istio's generated UnmarshalJSON uses, minus AllowUnknownFields
	networkingv1 "istio.io/api/networking/v1"
	clientnetworkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	"sigs.k8s.io/yaml"
)

// readIstio reads every VirtualService of a (multi-document) YAML or JSON
// file with Istio's own types: istio.io/client-go's VirtualService for the
// object, whose spec is istio.io/api's generated message. Istio programs
// each http route's corsPolicy into Envoy's CORS filter, so the old
// semantics are Envoy's.
func readIstio(data []byte, a *audit) (olds, uncovered []*oldPolicy, err error) {
	docs := splitYAML(data)
	multi := len(docs) > 1
	found := 0
	for _, d := range docs {
		js, err := yaml.YAMLToJSON(d.text)
		if err != nil {
			return nil, nil, fmt.Errorf("%s%s", docLabel(d, multi), fileLines(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "), d.line-1))
		}
		var head struct {
			Kind  string            `json:"kind"`
			Items []json.RawMessage `json:"items"`
		}
		if json.Unmarshal(js, &head) != nil {
			continue
		}
		prefix := ""
		if multi {
			prefix = "document " + strconv.Itoa(d.index) + " "
		}
		objs := []json.RawMessage{js}
		if strings.HasSuffix(head.Kind, "List") {
			// kubectl get virtualservices -A -o yaml writes one List.
			objs = head.Items
		}
		for i, obj := range objs {
			where := prefix
			if strings.HasSuffix(head.Kind, "List") {
				where += indexed("items", i) + " "
			}
			o, u, ok, err := istioObject(obj, where, a)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				found++
				olds, uncovered = append(olds, o...), append(uncovered, u...)
			}
		}
	}
	if found == 0 {
		return nil, nil, fmt.Errorf("no VirtualService found (kind: VirtualService, apiVersion networking.istio.io/…)")
	}
	return olds, uncovered, nil
}

// istioObject reads one object if it is a VirtualService. where is ""
// or names its document or list item.
func istioObject(js []byte, where string, a *audit) (olds, uncovered []*oldPolicy, ok bool, err error) {
	var head struct {
		Kind string          `json:"kind"`
		Spec json.RawMessage `json:"spec"`
	}
	if json.Unmarshal(js, &head) != nil || head.Kind != "VirtualService" {
		return nil, nil, false, nil
	}
	var vs clientnetworkingv1.VirtualService
	if err := json.Unmarshal(js, &vs); err != nil {
		return nil, nil, false, fmt.Errorf("%sVirtualService: %v", where, err)
	}
	id := vs.Name
	if vs.Namespace != "" {
		id = vs.Namespace + "/" + vs.Name
	}
	label := "VirtualService " + id
	if where != "" {
		label = strings.TrimSuffix(where, " ") + " (" + label + ")"
	}
	// The generated decoder skips unknown fields, as the API server
	// prunes them; a misspelt corsPolicy field would silently vanish.
	// Decode again with the same jsonpb, strictly.
	var strict networkingv1.VirtualService
	if len(head.Spec) > 0 && !bytes.Equal(head.Spec, []byte("null")) {
		if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(head.Spec), &strict); err != nil {
			a.add(sevTODO, label+": spec", "", "Istio ignores what it does not know here ("+err.Error()+")", "check the spelling; the import read the rest")
		}
	}
	olds, uncovered = istioRoutes(&vs, label, a)
	return olds, uncovered, true, nil
}

func istioRoutes(vs *clientnetworkingv1.VirtualService, label string, a *audit) (olds, uncovered []*oldPolicy) {
	spec := &vs.Spec
	hosts, sampleHost := istioHosts(spec.GetHosts(), vs.Namespace, label, a)
	for i, r := range spec.GetHttp() {
		at := label + ": " + indexed("spec.http", i)
		p := &oldPolicy{where: at, engine: engineEnvoy, hosts: hosts, sampleHost: sampleHost, samplePath: "/", enabled: true}
		p.name = vs.Name + "/" + r.GetName()
		if r.GetName() == "" {
			p.name = vs.Name + "/http-" + strconv.Itoa(i)
		}
		if r.GetDelegate() != nil {
			a.add(sevTODO, at+".delegate", "", "a delegated route takes its corsPolicy from another VirtualService", "import that VirtualService too")
			continue
		}
		istioMatch(p, r, at, a)
		c := r.GetCorsPolicy()
		if c == nil {
			uncovered = append(uncovered, p)
			continue
		}
		cp := at + ".corsPolicy"
		p.originsPath = cp + ".allowOrigins"
		for j, m := range c.GetAllowOrigins() {
			om := oldMatcher{path: indexed(cp+".allowOrigins", j)}
			switch {
			case m.GetPrefix() != "" || isIstioPrefix(m):
				om.kind, om.value = matchPrefix, m.GetPrefix()
			case m.GetRegex() != "":
				om.kind, om.value = matchRegex, m.GetRegex()
			default:
				om.kind, om.value = matchExact, m.GetExact()
			}
			p.origins = append(p.origins, om)
		}
		//lint:ignore SA1019 corsctl import converts Istio's deprecated allowOrigin
		deprecatedOrigins := c.GetAllowOrigin()
		if len(c.GetAllowOrigins()) == 0 {
			// Istio reads the deprecated list only when allowOrigins is empty.
			p.originsPath = cp + ".allowOrigin"
			for j, o := range deprecatedOrigins {
				p.origins = append(p.origins, oldMatcher{path: indexed(cp+".allowOrigin", j), kind: matchExact, value: o, deprecatedField: true})
			}
		} else if len(deprecatedOrigins) > 0 {
			a.add(sevNote, cp+".allowOrigin", "", "Istio ignores the deprecated allowOrigin when allowOrigins is set", "not carried over")
		}
		p.allowMethods, p.methodsPath = c.GetAllowMethods(), cp+".allowMethods"
		p.allowHeaders, p.headersPath = c.GetAllowHeaders(), cp+".allowHeaders"
		p.exposeHeaders, p.exposePath = c.GetExposeHeaders(), cp+".exposeHeaders"
		if d := c.GetMaxAge(); d != nil {
			p.maxAge, p.maxAgePath = strconv.FormatInt(d.GetSeconds(), 10), cp+".maxAge"
		}
		p.credentials, p.credentialsPath = c.GetAllowCredentials().GetValue(), cp+".allowCredentials"
		p.forwardUnmatched = c.GetUnmatchedPreflights() != networkingv1.CorsPolicy_IGNORE
		olds = append(olds, p)
	}
	return olds, uncovered
}

func isIstioPrefix(m *networkingv1.StringMatch) bool {
	_, ok := m.GetMatchType().(*networkingv1.StringMatch_Prefix)
	return ok
}

// istioHosts turns spec.hosts into corswasm host selectors. A short name
// ("reviews") is a Kubernetes service, reached by several authorities.
func istioHosts(list []string, ns, label string, a *audit) (hosts []string, sample string) {
	for j, h := range list {
		switch {
		case h == "*":
			return nil, "example.com"
		case strings.HasPrefix(h, "*") && !strings.HasPrefix(h, "*."):
			a.add(sevTODO, label+": "+indexed("spec.hosts", j), h, "a partial-label wildcard corswasm hosts cannot express", "list the hosts")
			continue
		case !strings.Contains(h, ".") && ns != "":
			forms := []string{h, h + "." + ns, h + "." + ns + ".svc", h + "." + ns + ".svc.cluster.local"}
			a.add(sevNote, label+": "+indexed("spec.hosts", j), h, "a short service name", "matched as "+strings.Join(forms, ", "))
			hosts = append(hosts, forms...)
			continue
		}
		hosts = append(hosts, strings.ToLower(h))
	}
	for _, h := range hosts {
		if strings.HasPrefix(h, "*.") {
			h = "app" + h[1:]
		}
		if sample == "" {
			sample = h
		}
	}
	return hosts, sample
}

// istioMatch sets path selectors from http[i].match. Istio names the
// Envoy route "<route name>.<match name>" or "<route name>", which
// corswasm can select with routeNames when the path cannot be expressed.
func istioMatch(p *oldPolicy, r *networkingv1.HTTPRoute, at string, a *audit) {
	matches := r.GetMatch()
	var prefixes []string
	needName := false
scan:
	for j, m := range matches {
		mp := at + "." + indexed("match", j)
		u := m.GetUri()
		switch {
		case u == nil:
			// A match without uri covers every path.
			prefixes = nil
			needName = false
			break scan
		case u.GetRegex() != "":
			needName = true
			continue
		case isIstioPrefix(u):
			prefixes = append(prefixes, u.GetPrefix())
		default:
			prefixes = append(prefixes, u.GetExact())
			a.add(sevNote, mp+".uri.exact", u.GetExact(), "corswasm routes select by path prefix", "carried over as a prefix, which also covers longer paths")
		}
		if len(m.GetHeaders())+len(m.GetQueryParams())+len(m.GetWithoutHeaders()) > 0 || m.GetMethod() != nil || m.GetAuthority() != nil {
			a.add(sevNote, mp, "", "also matched on headers, method, authority or query parameters", "the corswasm route selects by hosts and path only")
		}
	}
	if needName {
		if r.GetName() == "" {
			a.add(sevTODO, at+".match", "", "a regex uri match corswasm cannot express, and the route has no name to select it by", "name the route, or add pathPrefixes by hand")
		} else {
			p.routeNames = []string{r.GetName()}
			for _, m := range matches {
				if m.GetName() != "" {
					p.routeNames = append(p.routeNames, r.GetName()+"."+m.GetName())
				}
			}
			p.sampleRouteName = r.GetName()
			a.add(sevNote, at+".match", "", "a regex uri match corswasm cannot express", "selected by Envoy's route_name ("+strings.Join(p.routeNames, ", ")+", as Istio names routes)")
			prefixes = nil
		}
	}
	p.pathPrefixes = dedupe(prefixes)
	if len(p.pathPrefixes) > 0 {
		p.samplePath = p.pathPrefixes[0]
	}
}

func dedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" && !containsString(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
