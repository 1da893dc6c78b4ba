package policy

import "strings"

// MergeVary merges the comma-separated header names of add into an
// existing Vary value: names already present (case-insensitively) are not
// repeated, "Vary: *" is left alone (it already varies on everything), and
// the existing value is otherwise kept as is. It reports whether the
// value changed; when it did not, existing is returned without allocating.
func MergeVary(existing, add string) (string, bool) {
	if add == "" || varyHas(existing, "*") {
		return existing, false
	}
	out := existing
	changed := false
	for rest := add; rest != ""; {
		var name string
		name, rest, _ = strings.Cut(rest, ",")
		name = trimOWS(name)
		if name == "" || varyHas(out, name) {
			continue
		}
		if trimOWS(out) == "" {
			out = name
		} else {
			out = out + ", " + name
		}
		changed = true
	}
	return out, changed
}

// varyHas reports whether the list v contains name (case-insensitively).
func varyHas(v, name string) bool {
	for v != "" {
		var e string
		e, v, _ = strings.Cut(v, ",")
		if strings.EqualFold(trimOWS(e), name) {
			return true
		}
	}
	return false
}
