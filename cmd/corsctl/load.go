package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// source is one plugin configuration found in a file.
type source struct {
	// where locates the configuration inside the file: "" for a file that
	// is itself a plugin config, else e.g. "static_resources.listeners[0]
	// ...config.configuration.value" or "document 2 (WasmPlugin
	// istio-system/corswasm): spec.pluginConfig".
	where string
	// config is the JSON text handed to policy.Compile: for a JSON file and
	// an Envoy StringValue, byte for byte what the filter receives.
	config []byte
	// problem is a defect of the wrapping (e.g. a google.protobuf.Struct,
	// which Envoy hands to the plugin as protobuf bytes, not JSON). It
	// makes the file invalid even when config itself compiles.
	problem string
	// corsHint: a Wasm filter whose name, root_id, vm_id or module path
	// mentions "cors" (see onlyOurs).
	corsHint bool
}

const (
	wasmFilterType   = "envoy.extensions.filters.http.wasm.v3.Wasm"
	typeStringValue  = "type.googleapis.com/google.protobuf.StringValue"
	typeBytesValue   = "type.googleapis.com/google.protobuf.BytesValue"
	typeStruct       = "type.googleapis.com/google.protobuf.Struct"
	wasmPluginKind   = "WasmPlugin"
	istioAPIPrefix   = "extensions.istio.io/"
	noConfigFoundMsg = "no plugin configuration found: expected a corswasm config (JSON or YAML), an Envoy config with an " +
		wasmFilterType + " filter, or an Istio WasmPlugin"
)

// errNoConfig is the filter's own message (internal/filter/config.go) for a missing or empty plugin configuration, on which it refuses
// to start.
const errNoConfig = "plugin configuration is empty: set the filter's configuration to the corswasm JSON (see examples/config.json)"

// envoyKeys are top-level fields of an Envoy bootstrap; a document with
// any of them is read as Envoy config, never as a plugin config.
var envoyKeys = []string{"static_resources", "dynamic_resources", "admin", "node", "layered_runtime", "overload_manager", "cluster_manager"}

// loadFile reads name and extracts its configurations. On failure it
// prints why to stderr and returns the exit code: exitUsage when the file
// cannot be read, exitInvalid when it holds no usable configuration.
func loadFile(name string, stderr io.Writer) ([]source, int) {
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "corsctl: %v\n", err)
		return nil, exitUsage
	}
	sources, err := load(data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return nil, exitInvalid
	}
	return sources, exitOK
}

// load finds every plugin configuration in a file: a plugin config in JSON
// or YAML, an Envoy bootstrap (JSON or YAML) with Wasm HTTP filters, or
// Kubernetes YAML (possibly multi-document) with Istio WasmPlugins or
// EnvoyFilters.
func load(data []byte) ([]source, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var doc map[string]any
		if err := json.Unmarshal(trimmed, &doc); err != nil || !isWrapper(doc) {
			// A plugin config: hand the bytes over verbatim so that syntax
			// errors read exactly as the filter reports them.
			return []source{{config: data}}, nil
		}
		return fromDocument(doc, "")
	}
	docs := splitYAML(data)
	var out []source
	multi := len(docs) > 1
	for _, d := range docs {
		js, err := yaml.YAMLToJSON(d.text)
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
			return nil, fmt.Errorf("%s%s", docLabel(d, multi), fileLines(msg, d.line-1))
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue // empty document
		}
		var doc map[string]any
		if err := json.Unmarshal(js, &doc); err != nil {
			if multi {
				continue // a list or scalar document cannot be ours
			}
			return []source{{config: js}}, nil // let policy.Compile explain
		}
		label := ""
		if multi {
			label = docLabel(d, true)
		}
		if !isWrapper(doc) {
			out = append(out, source{where: strings.TrimSuffix(label, ": "), config: js})
			continue
		}
		found, err := fromDocument(doc, label)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	if len(out) == 0 {
		return nil, errors.New(noConfigFoundMsg)
	}
	return out, nil
}

// isWrapper reports whether a document is Envoy or Kubernetes config
// rather than a plugin config.
func isWrapper(doc map[string]any) bool {
	if _, ok := doc["kind"]; ok {
		return true
	}
	for _, k := range envoyKeys {
		if _, ok := doc[k]; ok {
			return true
		}
	}
	return false
}

func fromDocument(doc map[string]any, label string) ([]source, error) {
	if kind, _ := doc["kind"].(string); kind == wasmPluginKind {
		if api, _ := doc["apiVersion"].(string); strings.HasPrefix(api, istioAPIPrefix) {
			return fromWasmPlugin(doc, label)
		}
	}
	var found []source
	walkWasmFilters(doc, "", func(path string, filter map[string]any) {
		src := fromWasmFilter(filter, label+path)
		src.corsHint = mentionsCors(filter)
		found = append(found, src)
	})
	found = onlyOurs(found)
	if len(found) == 0 && label == "" {
		return nil, errors.New(noConfigFoundMsg)
	}
	return found, nil
}

// fromWasmPlugin reads spec.pluginConfig, which Istio serializes to JSON
// and hands to the plugin.
func fromWasmPlugin(doc map[string]any, label string) ([]source, error) {
	meta, _ := doc["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	if ns != "" {
		name = ns + "/" + name
	}
	where := strings.TrimSuffix(label, ": ")
	if where == "" {
		where = "WasmPlugin " + name
	} else {
		where = strings.TrimSuffix(where, ")") + ", WasmPlugin " + name + ")"
	}
	spec, _ := doc["spec"].(map[string]any)
	pc, ok := spec["pluginConfig"]
	if !ok {
		return []source{{where: where + ": spec", problem: "spec.pluginConfig is missing: the filter would start without a policy"}}, nil
	}
	js, err := json.Marshal(pc)
	if err != nil {
		return nil, err
	}
	return []source{{where: where + ": spec.pluginConfig", config: js}}, nil
}

// walkWasmFilters calls fn for every Wasm HTTP filter config in the tree:
// an Any of type envoy.extensions.filters.http.wasm.v3.Wasm, directly or
// wrapped in a TypedStruct (as Istio EnvoyFilter patches may write it).
// fn gets the JSON path of the Wasm message and the message itself.
func walkWasmFilters(v any, path string, fn func(string, map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		if t, _ := v["@type"].(string); strings.HasSuffix(t, "/"+wasmFilterType) {
			fn(path, v)
			return
		} else if strings.HasSuffix(t, ".TypedStruct") {
			if u, _ := v["type_url"].(string); strings.HasSuffix(u, "/"+wasmFilterType) {
				if inner, ok := v["value"].(map[string]any); ok {
					fn(join(path, "value"), inner)
					return
				}
			}
		}
		for _, k := range sortedKeys(v) {
			walkWasmFilters(v[k], join(path, k), fn)
		}
	case []any:
		for i, e := range v {
			walkWasmFilters(e, path+"["+strconv.Itoa(i)+"]", fn)
		}
	}
}

// fromWasmFilter extracts config.configuration the way Envoy hands it to
// the plugin (anyToBytes): a StringValue's or BytesValue's value verbatim;
// any other message as its protobuf encoding, which is not JSON.
func fromWasmFilter(filter map[string]any, path string) source {
	cfg, _ := filter["config"].(map[string]any)
	at := join(path, "config.configuration")
	raw, ok := cfg["configuration"]
	if !ok {
		return source{where: join(path, "config"), problem: errNoConfig}
	}
	conf, _ := raw.(map[string]any)
	t, _ := conf["@type"].(string)
	switch t {
	case typeStringValue:
		s, ok := conf["value"].(string)
		if !ok {
			return source{where: at, problem: "value must be a string holding the JSON policy"}
		}
		if s == "" {
			return source{where: join(at, "value"), problem: errNoConfig}
		}
		return source{where: join(at, "value"), config: []byte(s)}
	case typeBytesValue:
		s, _ := conf["value"].(string)
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return source{where: join(at, "value"), problem: "a BytesValue's value is base64 in Envoy's YAML/JSON: " + err.Error()}
		}
		return source{where: join(at, "value"), config: b}
	case typeStruct:
		js, _ := json.Marshal(conf["value"])
		return source{where: at, config: js, problem: "a google.protobuf.Struct reaches the plugin as protobuf bytes, not JSON, " +
			"so the filter would fail to start; use \"@type\": " + typeStringValue + " with the JSON policy as a string in value"}
	default:
		return source{where: at, problem: "\"@type\" " + strconv.Quote(t) + ": the filter reads JSON; use \"@type\": " + typeStringValue +
			" with the JSON policy as a string in value"}
	}
}

// onlyOurs keeps the corswasm filters when a file also configures other
// Wasm plugins: those whose name, root_id, vm_id or module path mention
// "cors". With no such hint, every Wasm filter is checked.
func onlyOurs(found []source) []source {
	var ours []source
	for _, s := range found {
		if s.corsHint {
			ours = append(ours, s)
		}
	}
	if len(ours) == 0 {
		return found
	}
	return ours
}

func mentionsCors(filter map[string]any) bool {
	cfg, _ := filter["config"].(map[string]any)
	vm, _ := cfg["vm_config"].(map[string]any)
	code, _ := vm["code"].(map[string]any)
	local, _ := code["local"].(map[string]any)
	remote, _ := code["remote"].(map[string]any)
	uri, _ := remote["http_uri"].(map[string]any)
	for _, v := range []any{cfg["name"], cfg["root_id"], vm["vm_id"], local["filename"], uri["uri"]} {
		if s, ok := v.(string); ok && strings.Contains(strings.ToLower(s), "cors") {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

type yamlDoc struct {
	index int // 1-based
	line  int // 1-based line of the document's first line
	text  []byte
}

var docSeparator = regexp.MustCompile(`^---(\s.*)?$`)

// splitYAML splits a YAML stream at "---" lines, remembering where each
// document starts so messages can point at it.
func splitYAML(data []byte) []yamlDoc {
	var docs []yamlDoc
	lines := bytes.SplitAfter(data, []byte("\n"))
	cur := yamlDoc{index: 1, line: 1}
	for i, l := range lines {
		if docSeparator.Match(bytes.TrimRight(l, "\r\n")) {
			if hasContent(cur.text) || len(docs) > 0 {
				docs = append(docs, cur)
			}
			cur = yamlDoc{index: len(docs) + 1, line: i + 2}
			continue
		}
		cur.text = append(cur.text, l...)
	}
	return append(docs, cur)
}

var yamlLine = regexp.MustCompile(`\bline (\d+)\b`)

// fileLines turns the YAML parser's document-relative "line N" into a
// line of the file.
func fileLines(msg string, offset int) string {
	return yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(m, "line "))
		return "line " + strconv.Itoa(n+offset)
	})
}

// hasContent reports whether YAML text has anything but blank lines and
// comments (a file's header comment before its first "---" is not a
// document).
func hasContent(text []byte) bool {
	for _, l := range bytes.Split(text, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if len(l) > 0 && l[0] != '#' {
			return true
		}
	}
	return false
}

func docLabel(d yamlDoc, multi bool) string {
	if !multi {
		return ""
	}
	return "document " + strconv.Itoa(d.index) + " (line " + strconv.Itoa(d.line) + "): "
}
