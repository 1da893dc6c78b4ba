package policy

import (
	"strings"
	"testing"
)

func TestRefusalText(t *testing.T) {
	for r := ReasonNone; r <= ReasonCrossOriginProtection; r++ {
		got := RefusalText(r)
		refusal := r != ReasonNone && r != ReasonAllowed
		switch {
		case !refusal && got != "":
			t.Errorf("RefusalText(%s): got %q; want \"\" (not a refusal)", r, got)
		case refusal && (got == "" || !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 1):
			t.Errorf("RefusalText(%s): got %q; want one line ending in a newline", r, got)
		}
	}
}
