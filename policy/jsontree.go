package policy

import (
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The config is first read into this small tree (keeping key order and
// duplicate keys) so that ParseConfig can report every structural problem
// with its JSON path; what the checker keeps is then copied into Config
// (decode.go).

type nodeKind uint8

const (
	kNull nodeKind = iota
	kBool
	kNumber
	kString
	kArray
	kObject
)

type node struct {
	kind nodeKind
	str  string // kString, kNumber (literal), kBool ("true"/"false")
	// An array's elements; an object's keys (kString nodes) and values,
	// alternating. One slice keeps a node at 48 bytes: a list of 10,000
	// origins is 10,000 nodes.
	kids []node
}

// fields calls f with each key and a pointer to its value, in order.
func (n *node) fields(f func(k string, v *node)) {
	for i := 0; i+1 < len(n.kids); i += 2 {
		f(n.kids[i].str, &n.kids[i+1])
	}
}

// maxJSONDepth bounds the nesting of a config, whose real depth is 4
// (routes[i].allowOrigins[j]).
const maxJSONDepth = 16

func (n *node) describe() string {
	switch n.kind {
	case kNull:
		return "null"
	case kBool:
		return n.str
	case kNumber:
		return "a number"
	case kString:
		return "a string"
	case kArray:
		return "an array"
	}
	return "an object"
}

// field kinds of the config schema.
type fieldKind uint8

const (
	fString fieldKind = iota
	fStringList
	fBool
	fInt
	fMaxAge
	fRoutes
)

var ruleFields = map[string]fieldKind{
	"allowOrigins":                    fStringList,
	"allowOriginRegexes":              fStringList,
	"allowMethods":                    fStringList,
	"allowHeaders":                    fStringList,
	"exposeHeaders":                   fStringList,
	"allowCredentials":                fBool,
	"maxAge":                          fMaxAge,
	"allowPrivateNetwork":             fBool,
	"preflightStatus":                 fInt,
	"unmatchedPreflights":             fString,
	"crossOriginProtection":           fBool,
	"upstreamCors":                    fString,
	"shadow":                          fBool,
	"dangerouslyAllowInsecureOrigins": fBool,
}

var topFields = withFields(ruleFields, map[string]fieldKind{"routes": fRoutes, "$schema": fString})

var routeFields = withFields(ruleFields, map[string]fieldKind{
	"name":         fString,
	"hosts":        fStringList,
	"pathPrefixes": fStringList,
	"routeNames":   fStringList,
})

func withFields(a, b map[string]fieldKind) map[string]fieldKind {
	m := make(map[string]fieldKind, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

// checker collects structural errors and, so that New can still check
// the meaning of everything else in the same run, removes what it
// rejects from the tree: unknown fields, second copies of a key, values of
// the wrong type. pruned records the path of every object it removed
// something from ("" for the top level).
type checker struct {
	errs   []error
	pruned map[string]bool
}

func (c *checker) prune(path string) {
	if c.pruned == nil {
		c.pruned = map[string]bool{}
	}
	c.pruned[path] = true
}

func (c *checker) fail(path, msg string) {
	c.errs = append(c.errs, errors.New(path+": "+msg))
}

// scalarText quotes a scalar's JSON text for an error message.
func scalarText(n *node) string { return strconv.Quote(n.str) }

// pathKey quotes a key that is not a plain identifier, so a hostile key
// (a newline, a NUL) cannot forge a line of the error log.
func pathKey(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '$' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return strconv.Quote(k)
		}
	}
	return k
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object checks n against fields and removes every entry it rejects, so
// that what is left decodes into Config exactly.
func (c *checker) object(n *node, path string, fields map[string]fieldKind) {
	if n.kind != kObject {
		where := path
		if where == "" {
			where = "config"
		}
		c.typeErr(n, where, "must be a JSON object")
		// An empty object in its place keeps the indices of the routes
		// after it, which New's messages name.
		*n = node{kind: kObject}
		c.prune(path)
		return
	}
	seen := make(map[string]bool, len(n.kids)/2)
	kept := n.kids[:0] // filtered in place: kept never overtakes i
	for i := 0; i+1 < len(n.kids); i += 2 {
		k := n.kids[i].str
		p := join(path, pathKey(k))
		kind, ok := fields[k]
		switch {
		case !ok:
			if s := suggest(k, fields); s != "" {
				c.fail(p, "unknown field; did you mean "+strconv.Quote(s)+"?")
			} else {
				c.fail(p, "unknown field; remove it (known fields: "+strings.Join(sortedKeys(fields), ", ")+")")
			}
		case seen[k]:
			c.fail(p, "duplicate key; JSON decoders disagree on which one wins, so keep exactly one")
		default:
			seen[k] = true
			if c.value(&n.kids[i+1], p, kind) {
				kept = append(kept, n.kids[i], n.kids[i+1])
				continue
			}
		}
		c.prune(path)
	}
	n.kids = kept
}

// value checks one field's value and reports whether it is kept.
func (c *checker) value(n *node, path string, kind fieldKind) bool {
	before := len(c.errs)
	switch kind {
	case fString:
		if n.kind != kString {
			c.typeErr(n, path, "must be a string")
		}
	case fBool:
		if n.kind != kBool {
			c.typeErr(n, path, "must be true or false")
		}
	case fInt:
		if n.kind != kNumber {
			c.typeErr(n, path, "must be an integer")
			break
		}
		if strings.ContainsAny(n.str, ".eE") {
			c.fail(path, scalarText(n)+": must be an integer")
			break
		}
		if _, err := strconv.ParseInt(n.str, 10, 32); err != nil {
			c.fail(path, scalarText(n)+": out of range")
		}
	case fMaxAge:
		if n.kind != kNumber && n.kind != kString {
			c.typeErr(n, path, maxAgeHint)
			break
		}
		if _, err := maxAgeValue(n); err != nil {
			c.fail(path, err.Error())
		}
	case fStringList:
		if n.kind != kArray {
			c.typeErr(n, path, "must be an array of strings")
			break
		}
		for i := range n.kids {
			if e := &n.kids[i]; e.kind != kString {
				c.typeErr(e, index(path, i), "must be a string")
			}
		}
	case fRoutes:
		if n.kind != kArray {
			c.typeErr(n, path, "must be an array of route objects")
			break
		}
		for i := range n.kids {
			c.object(&n.kids[i], index(path, i), routeFields)
		}
		return true // bad routes were emptied in place, not dropped
	}
	return len(c.errs) == before
}

// index is the JSON path of element i of the array at path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func (c *checker) typeErr(n *node, path, want string) {
	switch n.kind {
	case kString, kNumber, kBool:
		c.fail(path, scalarText(n)+": "+want+", got "+n.describe())
	default:
		c.fail(path, want+", got "+n.describe())
	}
}

// suggest returns the known field closest to k (case-insensitively, at
// most a third of its length in edits), or "".
func suggest(k string, fields map[string]fieldKind) string {
	best, bestD := "", len(k)/3+1
	for _, f := range sortedKeys(fields) {
		d := editDistance(strings.ToLower(k), strings.ToLower(f))
		if d < bestD {
			best, bestD = f, d
		}
	}
	return best
}

func sortedKeys(m map[string]fieldKind) []string { return slices.Sorted(maps.Keys(m)) }

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
