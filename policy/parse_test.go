package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"unknown field with suggestion", `{"allowOrign": []}`, `allowOrign: unknown field; did you mean "allowOrigins"?`},
		{"case matters", `{"AllowOrigins": []}`, `AllowOrigins: unknown field; did you mean "allowOrigins"?`},
		{"unknown route field", `{"routes": [{"hosts": ["a.com"], "allowOrign": ["https://a.com"]}]}`, `routes[0].allowOrign: unknown field; did you mean "allowOrigins"?`},
		{"route-only field at top level", `{"hosts": ["a.com"]}`, `hosts: unknown field; remove it (known fields: $schema, allowCredentials, allowHeaders, allowMethods, allowOriginRegexes, allowOrigins, allowPrivateNetwork, crossOriginProtection, dangerouslyAllowInsecureOrigins, exposeHeaders, maxAge, preflightStatus, routes, shadow, unmatchedPreflights, upstreamCors)`},
		{"hostile key is quoted, cannot forge a log line", "{\"x\\nfake: accepted\": 1}", `"x\nfake: accepted": unknown field; remove it (known fields: $schema, allowCredentials, allowHeaders, allowMethods, allowOriginRegexes, allowOrigins, allowPrivateNetwork, crossOriginProtection, dangerouslyAllowInsecureOrigins, exposeHeaders, maxAge, preflightStatus, routes, shadow, unmatchedPreflights, upstreamCors)`},
		{"duplicate key", `{"shadow": true, "shadow": false}`, `shadow: duplicate key; JSON decoders disagree on which one wins, so keep exactly one`},
		{"string for list", `{"allowMethods": "GET"}`, `allowMethods: "GET": must be an array of strings, got a string`},
		{"object for list", `{"allowMethods": {}}`, `allowMethods: must be an array of strings, got an object`},
		{"number in list", `{"allowHeaders": ["a", 1]}`, `allowHeaders[1]: "1": must be a string, got a number`},
		{"null list", `{"allowOrigins": null}`, `allowOrigins: must be an array of strings, got null`},
		{"string for bool", `{"shadow": "yes"}`, `shadow: "yes": must be true or false, got a string`},
		{"bool for string", `{"upstreamCors": true}`, `upstreamCors: "true": must be a string, got true`},
		{"float status", `{"preflightStatus": 2e2}`, `preflightStatus: "2e2": must be an integer`},
		{"huge status", `{"preflightStatus": 99999999999}`, `preflightStatus: "99999999999": out of range`},
		{"maxAge bool", `{"maxAge": false}`, `maxAge: "false": use whole seconds (600) or a Go duration string ("10m"), got false`},
		{"maxAge fraction", `{"maxAge": 0.5}`, `maxAge: "0.5": not a whole number of seconds; Access-Control-Max-Age counts seconds, use whole seconds (600) or a Go duration string ("10m")`},
		{"maxAge sub-second string", `{"maxAge": "1500ms"}`, `maxAge: "1500ms": not a whole number of seconds; Access-Control-Max-Age counts seconds, use whole seconds (600) or a Go duration string ("10m")`},
		{"maxAge overflow", `{"maxAge": 99999999999999999999}`, `maxAge: "99999999999999999999": out of range; maxAge is at most 86400 seconds`},
		{"routes object", `{"routes": {}}`, `routes: must be an array of route objects, got an object`},
		{"route not object", `{"routes": ["a"]}`, `routes[0]: "a": must be a JSON object, got a string`},
		{"top level array", `[]`, `config: must be a JSON object, got an array`},
		{"trailing data", `{} {}`, `config: line 1, column 4: invalid JSON: invalid character '{' after top-level value`},
		{"syntax error position", "{\n  \"shadow\": tru\n}", `config: line 2, column 16: invalid JSON: invalid character '\n' in literal true (expecting 'e')`},
		{"truncated", `{"allowOrigins": [`, `config: line 1, column 18: invalid JSON: unexpected end of JSON input`},
		{"every error at once", `{"allowOrign": [], "shadow": 1, "routes": [{"hostz": []}]}`,
			"allowOrign: unknown field; did you mean \"allowOrigins\"?\nshadow: \"1\": must be true or false, got a number\nroutes[0].hostz: unknown field; did you mean \"hosts\"?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.json))
			if err == nil {
				t.Fatalf("ParseConfig(%s): got nil error; want %q", tt.json, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseConfig(%s):\ngot  %q\nwant %q", tt.json, err.Error(), tt.want)
			}
		})
	}
}

func TestParseConfigValues(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{
		"allowOrigins": ["https://a.example.com"], "maxAge": "10m", "preflightStatus": 200,
		"routes": [{"name": "r", "hosts": ["h.example.com"], "allowOrigins": ["*"], "maxAge": 30, "shadow": true}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"top maxAge", cfg.MaxAge.Duration, 10 * time.Minute},
		{"preflightStatus", cfg.PreflightStatus, 200},
		{"origins", strings.Join(cfg.AllowOrigins, ","), "https://a.example.com"},
		{"route name", cfg.Routes[0].Name, "r"},
		{"route hosts", strings.Join(cfg.Routes[0].Hosts, ","), "h.example.com"},
		{"route maxAge", cfg.Routes[0].MaxAge.Duration, 30 * time.Second},
		{"route shadow", cfg.Routes[0].Shadow, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v; want %v", c.name, c.got, c.want)
		}
	}
}

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Duration
		out      string
		err      bool
	}{
		{"integer seconds", `600`, 600 * time.Second, `600`, false},
		{"zero", `0`, 0, `0`, false},
		{"duration string", `"10m"`, 10 * time.Minute, `600`, false},
		{"compound duration", `"1h30m"`, 90 * time.Minute, `5400`, false},
		{"negative integer decodes (New rejects it)", `-1`, -time.Second, `-1`, false},
		{"fraction", `1.5`, 0, ``, true},
		{"exponent", `6e2`, 0, ``, true},
		{"sub-second", `"1.5s"`, 0, ``, true},
		{"not a duration", `"soon"`, 0, ``, true},
		{"bool", `true`, 0, ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Duration
			err := json.Unmarshal([]byte(tt.in), &d)
			if (err != nil) != tt.err {
				t.Fatalf("Unmarshal(%s): got err %v; want error %v", tt.in, err, tt.err)
			}
			if tt.err {
				return
			}
			if d.Duration != tt.want {
				t.Errorf("Unmarshal(%s): got %v; want %v", tt.in, d.Duration, tt.want)
			}
			b, err := json.Marshal(d)
			if err != nil || string(b) != tt.out {
				t.Errorf("Marshal(%v): got %s, %v; want %s", d.Duration, b, err, tt.out)
			}
		})
	}
	if _, err := json.Marshal(Duration{1500 * time.Millisecond}); err == nil {
		t.Errorf("Marshal(1.5s): got nil error; want an error (not whole seconds)")
	}
}

// TestConfigRoundTrip: a config marshalled by encoding/json parses back
// to the same policy-relevant values (corsctl writes configs this way).
func TestConfigRoundTrip(t *testing.T) {
	in := Config{Rules: Rules{AllowOrigins: []string{"https://a.example.com"}, MaxAge: &Duration{5 * time.Minute}, AllowCredentials: true},
		Routes: []Route{{Name: "r", PathPrefixes: []string{"/x/"}, Rules: Rules{CrossOriginProtection: true}}}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParseConfig(b)
	if err != nil {
		t.Fatalf("ParseConfig(%s): %v", b, err)
	}
	if out.MaxAge.Duration != 5*time.Minute || !out.AllowCredentials || out.Routes[0].PathPrefixes[0] != "/x/" || !out.Routes[0].CrossOriginProtection {
		t.Errorf("round trip of %s: got %+v", b, out)
	}
	if _, err := New(out); err != nil {
		t.Errorf("New: %v", err)
	}
}
