package policy

import "testing"

func TestMergeVary(t *testing.T) {
	tests := []struct {
		name, existing, add, want string
		changed                   bool
	}{
		{"empty existing", "", "Origin", "Origin", true},
		{"whitespace existing", "  ", "Origin", "Origin", true},
		{"appended", "Accept-Encoding", "Origin", "Accept-Encoding, Origin", true},
		{"already present", "Accept-Encoding, Origin", "Origin", "Accept-Encoding, Origin", false},
		{"present case-insensitively", "origin", "Origin", "origin", false},
		{"star left alone", "*", "Origin", "*", false},
		{"star among others left alone", "Accept, *", "Origin", "Accept, *", false},
		{"several, some present", "Origin", varyPreflight, varyPreflight, true},
		{"nothing to add", "Accept", "", "Accept", false},
		{"no duplicate within add", "", "Origin, origin", "Origin", true},
		{"OWS in existing", "Accept ,\tOrigin ", "Origin", "Accept ,\tOrigin ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := MergeVary(tt.existing, tt.add)
			if got != tt.want || changed != tt.changed {
				t.Errorf("MergeVary(%q, %q): got %q, %v; want %q, %v", tt.existing, tt.add, got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestReasonString(t *testing.T) {
	tests := []struct {
		r    Reason
		want string
	}{
		{ReasonNone, "none"},
		{ReasonAllowed, "allowed"},
		{ReasonOriginNotAllowed, "origin_not_allowed"},
		{ReasonOriginMalformed, "origin_malformed"},
		{ReasonMethodNotAllowed, "method_not_allowed"},
		{ReasonHeaderNotAllowed, "header_not_allowed"},
		{ReasonHeadersMalformed, "headers_malformed"},
		{ReasonPrivateNetworkNotAllowed, "private_network_not_allowed"},
		{ReasonCrossOriginProtection, "cross_origin_protection"},
		{Reason(200), "reason_200"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("Reason(%d).String(): got %q; want %q", uint8(tt.r), got, tt.want)
		}
	}
	if got := Preflight.String() + "," + Respond.String(); got != "preflight,respond" {
		t.Errorf("Kind/Action String: got %q; want %q", got, "preflight,respond")
	}
}
