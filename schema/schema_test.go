package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compile compiles the schema; Compile also checks it against the draft
// 2020-12 metaschema.
func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
	if err != nil {
		t.Fatalf("corswasm.schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(ID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(ID)
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, data []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

func globFiles(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Errorf("no files match %s: the corpus the schema is checked against is missing", pattern)
	}
	return files
}

// TestCorpus keeps the schema in sync with the engine: every example and
// every valid test config passes it, every structural invalid config
// (policy/testdata/invalid/structural-*.json) fails it.
func TestCorpus(t *testing.T) {
	sch := compile(t)
	valid := append(globFiles(t, "../examples/*.json"), globFiles(t, "../policy/testdata/valid/*.json")...)
	for _, f := range valid {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(sch, data); err != nil {
				t.Errorf("got schema error %v; want valid", err)
			}
			if _, err := policy.Compile(data); err != nil {
				t.Errorf("policy.Compile: got %v; want valid (the file is in a valid corpus)", err)
			}
		})
	}
	for _, f := range globFiles(t, "../policy/testdata/invalid/structural-*.json") {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(sch, data); err == nil {
				t.Errorf("got valid; want a schema error (policy rejects it: %s)", strings.TrimSpace(readOr(f[:len(f)-len(".json")]+".err")))
			}
		})
	}
}

func readOr(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return "no .err file"
	}
	return string(b)
}

// TestCases covers structural mistakes one by one, so a loosened schema
// fails here even if the corpus lacks the case.
func TestCases(t *testing.T) {
	sch := compile(t)
	tests := []struct {
		name  string
		json  string
		valid bool
	}{
		{"issue example", `{"allowOrigins": ["https://app.example.com", "https://*.example.com", "http://localhost:*"],
			"allowOriginRegexes": ["^https://pr-[0-9]+\\.preview\\.example\\.com$"], "allowMethods": ["GET", "POST", "PUT", "DELETE"],
			"allowHeaders": ["content-type", "authorization"], "exposeHeaders": ["x-request-id"], "allowCredentials": true,
			"maxAge": 600, "allowPrivateNetwork": false, "preflightStatus": 204, "unmatchedPreflights": "reject",
			"crossOriginProtection": false, "upstreamCors": "override", "shadow": false, "dangerouslyAllowInsecureOrigins": false,
			"routes": [{"name": "v2", "hosts": ["api.example.com", "*.api.example.com"], "pathPrefixes": ["/v2/"], "routeNames": [],
			"allowOrigins": ["https://v2.example.com"], "allowMethods": ["GET", "PUT"]}]}`, true},
		{"empty config", `{}`, true},
		{"maxAge duration string", `{"maxAge": "1h30m"}`, true},
		{"maxAge zero", `{"maxAge": 0}`, true},
		{"star everywhere", `{"allowOrigins": ["*"], "allowMethods": ["*"], "allowHeaders": ["*", "authorization"], "exposeHeaders": ["*"]}`, true},
		{"lowercase method", `{"allowMethods": ["patch"]}`, true},
		{"unknown field", `{"allowOrigin": ["https://a.example"]}`, false},
		{"unknown route field", `{"routes": [{"host": ["a.example"]}]}`, false},
		{"selectors at the top level", `{"hosts": ["a.example"]}`, false},
		{"origins not a list", `{"allowOrigins": "https://a.example"}`, false},
		{"credentials as a string", `{"allowCredentials": "true"}`, false},
		{"maxAge negative", `{"maxAge": -1}`, false},
		{"maxAge over a day", `{"maxAge": 86401}`, false},
		{"maxAge fraction", `{"maxAge": 1.5}`, false},
		{"maxAge bad string", `{"maxAge": "ten minutes"}`, false},
		{"preflightStatus 201", `{"preflightStatus": 201}`, false},
		{"unmatchedPreflights unknown", `{"unmatchedPreflights": "drop"}`, false},
		{"upstreamCors unknown", `{"upstreamCors": "merge"}`, false},
		{"origin with path", `{"allowOrigins": ["https://a.example/"]}`, false},
		{"origin null", `{"allowOrigins": ["null"]}`, false},
		{"origin file", `{"allowOrigins": ["file://"]}`, false},
		{"origin userinfo", `{"allowOrigins": ["https://u@a.example"]}`, false},
		{"forbidden method", `{"allowMethods": ["Trace"]}`, false},
		{"method with space", `{"allowMethods": ["GET "]}`, false},
		{"forbidden header", `{"allowHeaders": ["Cookie"]}`, false},
		{"sec- header", `{"allowHeaders": ["sec-fetch-mode"]}`, false},
		{"expose set-cookie", `{"exposeHeaders": ["Set-Cookie"]}`, false},
		{"path prefix without slash", `{"routes": [{"pathPrefixes": ["v2/"], "allowOrigins": ["https://a.example"]}]}`, false},
		{"routes not a list", `{"routes": {"hosts": ["a.example"]}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validate(sch, []byte(tt.json))
			if got := err == nil; got != tt.valid {
				t.Errorf("valid = %v (%v); want %v", got, err, tt.valid)
			}
		})
	}
}

// TestFieldsMatchGo checks that the schema names exactly the JSON fields of
// policy.Config, policy.Route and policy.Rules, that it closes every
// object, and that every field has a description for editors to show.
func TestFieldsMatchGo(t *testing.T) {
	var doc struct {
		Schema string                     `json:"$schema"`
		ID     string                     `json:"$id"`
		Props  map[string]json.RawMessage `json:"properties"`
		Addl   *bool                      `json:"additionalProperties"`
		Defs   map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(JSON, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "https://json-schema.org/draft/2020-12/schema" || doc.ID != ID {
		t.Errorf("$schema, $id = %q, %q; want draft 2020-12 and %q", doc.Schema, doc.ID, ID)
	}
	var route struct {
		Props map[string]json.RawMessage `json:"properties"`
		Addl  *bool                      `json:"additionalProperties"`
	}
	if err := json.Unmarshal(doc.Defs["route"], &route); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []struct {
		name  string
		typ   reflect.Type
		props map[string]json.RawMessage
		addl  *bool
	}{
		{"top level", reflect.TypeFor[policy.Config](), doc.Props, doc.Addl},
		{"route", reflect.TypeFor[policy.Route](), route.Props, route.Addl},
	} {
		want := jsonFields(obj.typ)
		var got []string
		for name := range obj.props {
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s properties = %v; want the Go fields %v", obj.name, got, want)
		}
		if obj.addl == nil || *obj.addl {
			t.Errorf("%s: additionalProperties must be false (unknown fields are errors)", obj.name)
		}
		for name, raw := range obj.props {
			if description(t, raw, doc.Defs) == "" {
				t.Errorf("%s.%s has no description", obj.name, name)
			}
		}
	}
}

// description returns the field's description, following a local $ref.
func description(t *testing.T, raw json.RawMessage, defs map[string]json.RawMessage) string {
	var p struct {
		Ref  string `json:"$ref"`
		Desc string `json:"description"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	if p.Desc == "" && strings.HasPrefix(p.Ref, "#/$defs/") {
		return description(t, defs[strings.TrimPrefix(p.Ref, "#/$defs/")], defs)
	}
	return p.Desc
}

// jsonFields lists the JSON names of a struct's fields, flattening
// embedded structs as encoding/json does.
func jsonFields(typ reflect.Type) []string {
	var names []string
	for f := range typ.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			names = append(names, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.IsExported() && name != "-" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
