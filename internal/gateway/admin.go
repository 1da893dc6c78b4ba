package gateway

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// serveAdmin answers AdminPrefix+"stats": JSON, or Prometheus text at
// stats/prometheus (or stats?format=prometheus), as Envoy's admin does at
// /stats and /stats/prometheus.
func (g *Gateway) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == AdminPrefix+"stats/prometheus",
		r.URL.Path == AdminPrefix+"stats" && r.URL.Query().Get("format") == "prometheus":
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		g.writePrometheus(w)
	case r.URL.Path == AdminPrefix+"stats":
		g.writeJSON(w)
	default:
		http.NotFound(w, r)
	}
}

// moduleStatName is how Envoy's /stats names a metric the module defined:
// in the "wasmcustom" namespace.
func moduleStatName(name string) string { return "wasmcustom." + name }

// writeJSON: the module's metrics summed over the VMs (Envoy names), the
// gateway's requests per route and per path (both bounded), the VMs, and
// the built-in upstream's counts.
func (g *Gateway) writeJSON(w http.ResponseWriter) {
	module := map[string]uint64{}
	for _, m := range g.engine.Metrics() {
		module[moduleStatName(m.Name)] = m.Value
	}
	body := map[string]any{
		"module": module,
		"vms":    map[string]int{"workers": g.engine.Workers(), "failed": g.engine.FailedWorkers()},
		"total":  g.Stats.Total(),
		"routes": g.Stats.Routes(),
		// "gateway" is per path (bounded), the name older tools read.
		"gateway": g.Stats.Snapshot(),
	}
	if g.UpstreamStats != nil {
		body["upstream"] = g.UpstreamStats.Snapshot()
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(body)
}

// writePrometheus writes the Prometheus text format (0.0.4) with Envoy's
// names: a module metric wasmcustom.corswasm.x is corswasm_x (Envoy strips
// the registered custom namespace and adds no envoy_ prefix); the
// connection manager's request counters are
// envoy_http_downstream_rq_total and envoy_http_downstream_rq_xx with the
// ingress_http prefix of envoy.yaml. Per-route counts have no Envoy
// equivalent by default and carry the corsgateway_ prefix.
func (g *Gateway) writePrometheus(w io.Writer) {
	for _, m := range g.engine.Metrics() {
		name := promName(m.Name)
		kind := "counter"
		if m.Kind == 1 {
			kind = "gauge"
		}
		fmt.Fprintf(w, "# TYPE %s %s\n%s %d\n", name, kind, name, m.Value)
	}
	const hcm = `envoy_http_conn_manager_prefix="ingress_http"`
	total := g.Stats.Total()
	fmt.Fprintf(w, "# TYPE envoy_http_downstream_rq_total counter\nenvoy_http_downstream_rq_total{%s} %d\n", hcm, total.Requests)
	classes := map[byte]int{}
	for code, n := range total.Statuses {
		if len(code) == 3 {
			classes[code[0]] += n
		}
	}
	fmt.Fprintf(w, "# TYPE envoy_http_downstream_rq_xx counter\n")
	for _, c := range []byte("12345") {
		fmt.Fprintf(w, "envoy_http_downstream_rq_xx{envoy_response_code_class=%q,%s} %d\n", string(c), hcm, classes[c])
	}
	fmt.Fprintf(w, "# TYPE corsgateway_vms gauge\ncorsgateway_vms %d\n", g.engine.Workers())
	fmt.Fprintf(w, "# TYPE corsgateway_vms_failed gauge\ncorsgateway_vms_failed %d\n", g.engine.FailedWorkers())
	routes := g.Stats.Routes()
	fmt.Fprintf(w, "# TYPE corsgateway_route_rq_total counter\n")
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range routes {
			if !yield(k) {
				return
			}
		}
	}) {
		method, route, _ := strings.Cut(key, " ")
		c := routes[key]
		for _, code := range slices.Sorted(func(yield func(string) bool) {
			for k := range c.Statuses {
				if !yield(k) {
					return
				}
			}
		}) {
			fmt.Fprintf(w, "corsgateway_route_rq_total{method=\"%s\",route=\"%s\",code=\"%s\"} %d\n", promLabel(method), promLabel(route), promLabel(code), c.Statuses[code])
		}
	}
}

// promName turns a stat name into a Prometheus metric name: every byte
// outside [a-zA-Z0-9_] becomes '_', as Envoy's formatter does.
func promName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// promLabel escapes a label value as the text format requires: backslash,
// double quote and line feed.
var promLabel = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace
