package policy

import (
	"slices"
	"testing"
)

// Every warning carries the code of its kind: tools match on codes, so a
// warning without one (or with another's) is invisible to them.
func TestWarningCodes(t *testing.T) {
	tests := []struct {
		name   string
		config string
		want   []WarningCode
	}{
		{"empty config", `{}`, []WarningCode{WarnEmptyConfig}},
		{"wildcard over a public suffix", `{"allowOrigins": ["https://*.github.io"]}`, []WarningCode{WarnPublicSuffixWildcard}},
		{"broad regex", `{"allowOriginRegexes": ["^https://app\\.example.com$"]}`, []WarningCode{WarnBroadOriginRegex}},
		{"maxAge over the caps", `{"allowOrigins": ["https://a.example"], "maxAge": 86400}`, []WarningCode{WarnMaxAgeOverBrowserCap}},
		{"private network", `{"allowOrigins": ["https://a.example"], "allowPrivateNetwork": true}`, []WarningCode{WarnPrivateNetwork}},
		{"star beside origins", `{"allowOrigins": ["*", "https://a.example"]}`, []WarningCode{WarnStarWithOtherOrigins}},
		{"star with cross-origin protection", `{"allowOrigins": ["*"], "crossOriginProtection": true}`, []WarningCode{WarnStarWithCrossOriginProtection}},
		{"lowercase method", `{"allowOrigins": ["https://a.example"], "allowMethods": ["delete"]}`, []WarningCode{WarnMethodCase}},
		{"shadowed route", `{"routes": [
			{"hosts": ["*.example.com"], "allowOrigins": ["https://a.example"]},
			{"hosts": ["api.example.com"], "allowOrigins": ["https://b.example"]}]}`, []WarningCode{WarnShadowedRoute}},
		{"nothing risky", `{"allowOrigins": ["https://a.example"]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile([]byte(tt.config))
			if err != nil {
				t.Fatalf("Compile: %v; want a policy", err)
			}
			var got []WarningCode
			for _, w := range p.Warnings() {
				got = append(got, w.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("codes: got %q; want %q (warnings %v)", got, tt.want, p.Warnings())
			}
		})
	}
}
