package policy

import (
	"strings"
	"testing"
)

// TestCompileReportsEverythingAtOnce: a structural error (a misspelt field,
// a wrong type) must not hide the semantic errors of the rest of the
// config, and must not add errors that are only its consequence.
func TestCompileReportsEverythingAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   []string // every error line, in order
	}{
		{
			name:   "typo next to a public-suffix wildcard and * with credentials",
			config: `{"allowOrign": ["https://a.example"], "allowOrigins": ["https://*.com", "*"], "allowCredentials": true}`,
			want: []string{
				`allowOrign: unknown field; did you mean "allowOrigins"?`,
				`allowOrigins[0]: "https://*.com": `,
				`allowOrigins[1]: "*": cannot be combined with allowCredentials`,
			},
		},
		{
			name:   "misspelt selector: no spurious has-no-selector",
			config: `{"routes": [{"hostz": ["a.example"], "allowOrigins": ["https://*.com"], "allowCredentials": true}]}`,
			want: []string{
				`routes[0].hostz: unknown field; did you mean "hosts"?`,
				`routes[0].allowOrigins[0]: "https://*.com": `,
			},
		},
		{
			name:   "misspelt allowOrigins at the top: no spurious has-no-effect",
			config: `{"allowOrigin": ["https://a.example"], "allowCredentials": true, "routes": [{"hosts": ["a.example"], "allowOrigins": ["https://a.example"], "maxAge": -5}]}`,
			want: []string{
				`allowOrigin: unknown field; did you mean "allowOrigins"?`,
				`routes[0].maxAge: "-5": must not be negative`,
			},
		},
		{
			name:   "wrong type and a bad value elsewhere",
			config: `{"allowOrigins": ["https://a.example"], "shadow": "yes", "upstreamCors": "keep"}`,
			want: []string{
				`shadow: "yes": must be true or false, got a string`,
				`upstreamCors: "keep": must be "override"`,
			},
		},
		{
			name:   "a route that is not an object keeps the indices of the next",
			config: `{"routes": ["x", {"hosts": ["b.example"], "allowOrigins": ["https://*.com"], "allowCredentials": true}]}`,
			want: []string{
				`routes[0]: "x": must be a JSON object, got a string`,
				`routes[1].allowOrigins[0]: "https://*.com": `,
			},
		},
		{
			name:   "duplicate key: the first is checked",
			config: `{"allowOrigins": ["https://*.com"], "allowOrigins": ["https://a.example"], "allowCredentials": true}`,
			want: []string{
				`allowOrigins: duplicate key`,
				`allowOrigins[0]: "https://*.com": `,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile([]byte(tt.config))
			if p != nil || err == nil {
				t.Fatalf("Compile(%s): got policy %v, error %v; want nil and errors", tt.config, p != nil, err)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tt.want) {
				t.Fatalf("Compile(%s): got %d errors:\n  %s\nwant %d, starting:\n  %s", tt.config, len(got), strings.Join(got, "\n  "), len(tt.want), strings.Join(tt.want, "\n  "))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d: got %q; want it to start with %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestCompileAgreesWithParseConfig: Compile accepts exactly what
// ParseConfig followed by New accepts; reporting more errors at once must
// never let a config through.
func TestCompileAgreesWithParseConfig(t *testing.T) {
	for _, c := range agreementSeeds {
		checkAgreement(t, []byte(c))
	}
}

// FuzzCompileAgreement: for any input, Compile fails exactly when
// ParseConfig or New does, and its report starts with every structural
// error ParseConfig gives, in order.
func FuzzCompileAgreement(f *testing.F) {
	for _, c := range agreementSeeds {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkAgreement(t, data) })
}

func checkAgreement(t *testing.T, data []byte) {
	t.Helper()
	_, cerr := Compile(data)
	cfg, perr := ParseConfig(data)
	want := perr
	if want == nil {
		_, want = New(cfg)
	}
	if (cerr == nil) != (want == nil) {
		t.Fatalf("%q: Compile error %v; want an error exactly when ParseConfig+New gives one (%v)", data, cerr, want)
	}
	if perr != nil && !strings.HasPrefix(cerr.Error(), perr.Error()) {
		t.Errorf("%q: Compile error:\n%v\nwant it to start with ParseConfig's:\n%v", data, cerr, perr)
	}
}

var agreementSeeds = []string{
	`{}`,
	`{"allowOrigins": ["https://a.example"]}`,
	`{"allowOrigins": ["https://a.example"], "allowOrign": []}`,
	`{"allowOrigins": ["https://a.example"], "shadow": 1}`,
	`{"allowOrigins": ["https://a.example"], "routes": [1]}`,
	`{"allowOrigins": ["https://a.example"], "routes": [{"hosts": ["a.example"], "allowOrigins": ["https://b.example"], "x": 1}]}`,
	`{"allowOrigins": ["https://a.example"], "allowOrigins": ["https://a.example"]}`,
	`{"allowOrigins": ["https://a.example"], "maxAge": 0.5}`,
	`[]`,
	`{`,
	`{"routes": [{"hosts": ["a.example"], "allowOrigins": ["https://*.com"], "allowCredentials": true, "hostz": 1}, "x"]}`,
}
