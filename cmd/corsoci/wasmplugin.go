package main

import (
	"fmt"
	"regexp"
)

// sha256Line is spec.sha256 as deploy/istio/wasmplugin.yaml writes it: two
// spaces in (a direct child of spec), a hex value, bare or double-quoted,
// possibly empty. The file is edited as text rather than re-encoded from
// YAML so that its comments stay.
var sha256Line = regexp.MustCompile(`(?m)^  sha256:[ \t]*(?:"([0-9a-f]*)"|([0-9a-f]*))[ \t]*$`)

// setSHA256 returns doc with its one spec.sha256 line set to hex, and the
// value the line had.
func setSHA256(doc []byte, hex string) (updated []byte, old string, err error) {
	m := sha256Line.FindAllSubmatchIndex(doc, -1)
	if len(m) != 1 {
		return nil, "", fmt.Errorf("got %d lines of the form \"  sha256: <lowercase hex>\" under spec; want exactly 1", len(m))
	}
	loc := m[0]
	switch {
	case loc[2] >= 0:
		old = string(doc[loc[2]:loc[3]])
	case loc[4] >= 0:
		old = string(doc[loc[4]:loc[5]])
	}
	updated = make([]byte, 0, len(doc)+len(hex))
	updated = append(updated, doc[:loc[0]]...)
	updated = append(updated, "  sha256: "+hex...)
	updated = append(updated, doc[loc[1]:]...)
	return updated, old, nil
}
