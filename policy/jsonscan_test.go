package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The reader must say exactly what encoding/json said before it (the
// three-pass decoder it replaced): these tests and FuzzReadJSON compare it
// with encoding/json itself.

// refSyntax is what the former decoder reported for data: encoding/json's
// syntax check, then its token tree with the depth bound; "" if valid.
func refSyntax(data []byte) string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset-1)
			return "config: line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ": invalid JSON: " + strings.TrimPrefix(se.Error(), "json: ")
		}
		return "config: invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := refNode(dec, 0); err != nil {
		return "config: invalid JSON: " + err.Error()
	}
	return ""
}

// refNode is the former token-tree reader.
func refNode(dec *json.Decoder, depth int) (node, error) {
	if depth > maxJSONDepth {
		return node{}, errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return node{}, err
	}
	switch t := tok.(type) {
	case nil:
		return node{kind: kNull}, nil
	case bool:
		return node{kind: kBool, str: strconv.FormatBool(t)}, nil
	case json.Number:
		return node{kind: kNumber, str: string(t)}, nil
	case string:
		return node{kind: kString, str: t}, nil
	}
	n := node{kind: kArray}
	if tok == json.Delim('{') {
		n.kind = kObject
	}
	for dec.More() {
		if n.kind == kObject {
			k, err := dec.Token()
			if err != nil {
				return node{}, err
			}
			n.kids = append(n.kids, node{kind: kString, str: k.(string)})
		}
		c, err := refNode(dec, depth+1)
		if err != nil {
			return node{}, err
		}
		n.kids = append(n.kids, c)
	}
	_, err = dec.Token()
	return n, err
}

func ourSyntax(data []byte) string {
	if _, err := readJSON(data); err != nil {
		return syntaxError(data, err).Error()
	}
	return ""
}

func TestReadJSONErrorsMatchEncodingJSON(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"only space", " \n"},
		{"trailing comma in array", `{"a": [1,]}`},
		{"trailing comma in object", `{"a": 1,}`},
		{"missing colon", `{"a"}`},
		{"missing comma", `{"a": 1 "b": 2}`},
		{"missing comma in array", `[1 2]`},
		{"key not a string", `{a: 1}`},
		{"comma for key", `{,}`},
		{"bad escape", `"\q"`},
		{"short unicode escape", `"\u12"`},
		{"escape at end", `"\`},
		{"control byte in string", "\"a\x01\""},
		{"newline in string", "\"a\nb\""},
		{"lone minus", `-`},
		{"minus letter", `-x`},
		{"dot at end", `1.`},
		{"dot letter", `1.x`},
		{"exponent at end", `1e`},
		{"exponent sign at end", `1e+`},
		{"leading zero", `01`},
		{"truncated literal", `nul`},
		{"wrong literal", `trux`},
		{"literal then junk", `truex`},
		{"quote char", `{"a": '}`},
		{"high byte", "\xff"},
		{"unterminated string", `{"a": "abc`},
		{"unterminated object", `{"a": 1`},
		{"number out of float range", `{"a": [1e400]}`},
		{"out of range then syntax error", `{"a": [1e400, x]}`},
		{"too deep", strings.Repeat("[", 17) + strings.Repeat("]", 17)},
		{"not too deep", strings.Repeat("[", 17) + strings.Repeat("]", 17)[1:] + "]"},
		{"too deep then syntax error", strings.Repeat("[", 20) + "1" + strings.Repeat("]", 20) + "x"},
		{"too deep then out of range", strings.Repeat("[", 20) + "1e999" + strings.Repeat("]", 20)},
		{"beyond encoding/json's nesting bound", strings.Repeat("[", 10001)},
		{"at encoding/json's nesting bound", strings.Repeat("[", 10000) + strings.Repeat("]", 10000)},
		{"deep objects", strings.Repeat(`{"a":`, 30) + "1" + strings.Repeat("}", 30)},
		{"deep objects bad key", strings.Repeat(`{"a":`, 30) + "1" + strings.Repeat("}", 29) + `,1}`},
		{"valid", `{"allowOrigins": ["https://a.example"], "maxAge": 1.5e3, "x": [true, false, null, -0.1E-2, {}]}`},
		{"escapes", `{"k\u00e9\ud83d\ude00\ud800\"\\\/\b\f\n\r\t": "\udc00x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := ourSyntax([]byte(tt.in)), refSyntax([]byte(tt.in))
			if got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// FuzzReadJSON: on any input the reader reports what encoding/json did
// and, on valid input, builds the same tree (keys, order, values).
func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{`{"a": [1, "x\u00e9", true, null, {"b": -1.5e3}]}`, `[1,]`, `"\ud800"`, "\"\xff\"", `{"a" 1}`, `1e400`, `{"routes": [{"hosts": ["a"]}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, want := ourSyntax(data), refSyntax(data)
		if got != want {
			t.Fatalf("error for %q:\ngot  %q\nwant %q", data, got, want)
		}
		if got != "" {
			return
		}
		n, _ := readJSON(data)
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		ref, err := refNode(dec, 0)
		if err != nil && err != io.EOF {
			t.Fatalf("reference reader: %v", err)
		}
		if !reflect.DeepEqual(n, ref) {
			t.Fatalf("tree for %q:\ngot  %#v\nwant %#v", data, n, ref)
		}
	})
}

// TestParseMatchesEncodingJSON: a config the checker accepts decodes to
// the Config that encoding/json's Unmarshal made of it.
func TestParseMatchesEncodingJSON(t *testing.T) {
	tests := []struct{ name, in string }{
		{"everything", `{"$schema": "s", "allowOrigins": ["https://a.example", "https://*.b.example"], "allowOriginRegexes": ["^x$"],
			"allowMethods": ["PUT"], "allowHeaders": ["x-a"], "exposeHeaders": ["x-b"], "allowCredentials": true, "maxAge": "10m",
			"allowPrivateNetwork": true, "preflightStatus": 204, "unmatchedPreflights": "forward", "crossOriginProtection": true,
			"upstreamCors": "strip", "shadow": false, "dangerouslyAllowInsecureOrigins": true,
			"routes": [{"name": "r", "hosts": ["h"], "pathPrefixes": ["/p"], "routeNames": ["n"], "allowOrigins": [], "maxAge": 30}, {}]}`},
		{"escaped strings", `{"allowOrigins": ["https://\u0061.example", "\ud800"], "name\u0000": 1}`},
		{"empty", `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, c, err := parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			root, _ := readJSON([]byte(tt.in))
			(&checker{}).object(&root, "", topFields)
			var want Config
			if err := json.Unmarshal(refJSON(&root), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v (checker: %v)", got, want, c.errs)
			}
		})
	}
}

// refJSON writes a checked tree back as JSON, as the former decoder did
// before its final Unmarshal.
func refJSON(n *node) []byte {
	var v func(n *node) any
	v = func(n *node) any {
		switch n.kind {
		case kBool:
			return n.str == "true"
		case kNumber:
			return json.Number(n.str)
		case kString:
			return n.str
		case kArray:
			a := make([]any, len(n.kids))
			for i := range n.kids {
				a[i] = v(&n.kids[i])
			}
			return a
		case kObject:
			m := make(map[string]any, len(n.kids)/2)
			n.fields(func(k string, e *node) { m[k] = v(e) })
			return m
		}
		return nil
	}
	b, err := json.Marshal(v(n))
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzParseMatchesEncodingJSON: whatever the checker keeps of a config,
// decodeConfig makes the Config that encoding/json's Unmarshal made of it
// (the former decoder's last pass), errors or not.
func FuzzParseMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"allowOrigins": ["https://a.example"], "maxAge": "10m", "preflightStatus": 204, "routes": [{"name": "r", "hosts": ["h"]}, 1]}`,
		`{"allowCredentials": true, "maxAge": 600, "shadow": "x", "allowMethods": [], "routes": [{"routeNames": ["\u00e9"]}]}`,
		`{"allowOrign": [], "allowHeaders": ["a", 1], "maxAge": 0.5, "upstreamCors": "strip"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, _, err := parse(data)
		if err != nil {
			return
		}
		root, _ := readJSON(data)
		(&checker{}).object(&root, "", topFields)
		var want Config
		if err := json.Unmarshal(refJSON(&root), &want); err != nil {
			t.Fatalf("encoding/json on the checked tree of %q: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("config %q:\ngot  %+v\nwant %+v", data, got, want)
		}
	})
}
