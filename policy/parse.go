package policy

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseConfig decodes a JSON config strictly: unknown fields, duplicate
// keys, wrong JSON types and trailing data are errors, each naming its JSON
// path. A typo in a security config must not pass silently, so a misspelt
// field gets a "did you mean" hint. ParseConfig checks only structure and
// types; New checks meaning (ranges, enums, origins, tokens).
func ParseConfig(data []byte) (Config, error) {
	cfg, c, err := parse(data)
	if err != nil {
		return Config{}, err
	}
	if len(c.errs) > 0 {
		return Config{}, errors.Join(c.errs...)
	}
	return cfg, nil
}

// parse decodes data into a Config, in one pass over the input. A syntax
// error is returned as err; a structural problem is recorded in the
// checker, and the Config then holds everything else (see checker), which
// New can still check.
func parse(data []byte) (Config, *checker, error) {
	root, err := readJSON(data)
	if err != nil {
		return Config{}, nil, syntaxError(data, err)
	}
	c := &checker{}
	c.object(&root, "", topFields)
	return decodeConfig(&root), c, nil
}

// Compile is ParseConfig followed by New, except that a config with
// structural problems (a misspelt field, a wrong type) is still checked by
// New without the rejected parts, and every problem is reported in one
// run: fixing a typo must not reveal a second round of errors. New's
// findings that may only be consequences of a removed field are left out
// (see consequence).
func Compile(data []byte) (*Policy, error) {
	cfg, c, err := parse(data)
	if err != nil {
		return nil, err
	}
	p, err := New(cfg)
	if len(c.errs) == 0 {
		return p, err
	}
	errs := c.errs
	for _, e := range unjoin(err) {
		if !consequence(e.Error(), c.pruned) {
			errs = append(errs, e)
		}
	}
	return nil, errors.Join(errs...)
}

// unjoin splits an errors.Join result into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// consequence reports whether New's message msg ("path: ...") is about an
// object that lost a field, or a field of it, and not about a value: "has
// no selector", "has no allowOrigins", "has no effect without
// allowOrigins" may only mean the field it needs was misspelt. A message
// about a value (`path: "value": ...`) names something that is there, and
// is always kept.
func consequence(msg string, pruned map[string]bool) bool {
	path, rest, ok := strings.Cut(msg, ": ")
	if !ok || strings.HasPrefix(rest, `"`) {
		return false
	}
	if pruned[path] {
		return true
	}
	parent := ""
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		parent = path[:i]
	}
	return pruned[parent] && !strings.ContainsAny(path[len(parent):], "[]")
}

// UnmarshalJSON accepts whole seconds as a JSON integer (600) or a Go
// duration string ("10m"). Access-Control-Max-Age is a number of seconds
// (Fetch "HTTP responses"), so fractions of a second are errors rather
// than silently rounded.
func (d *Duration) UnmarshalJSON(b []byte) error {
	n, err := readJSON(b)
	if err != nil {
		return err
	}
	if n.kind != kNumber && n.kind != kString {
		return errors.New(strconv.Quote(string(bytes.TrimSpace(b))) + ": " + maxAgeHint)
	}
	v, err := maxAgeValue(&n)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes whole seconds as a JSON integer.
func (d Duration) MarshalJSON() ([]byte, error) {
	if d.Duration%time.Second != 0 {
		return nil, errors.New("maxAge " + d.Duration.String() + " is not a whole number of seconds")
	}
	return strconv.AppendInt(nil, int64(d.Duration/time.Second), 10), nil
}

const maxAgeHint = `use whole seconds (600) or a Go duration string ("10m")`

// maxAgeString decodes a maxAge given as a Go duration string.
func maxAgeString(s string) (time.Duration, error) {
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New(strconv.Quote(s) + ": not a duration; " + maxAgeHint)
	}
	if v%time.Second != 0 {
		return 0, errors.New(strconv.Quote(s) + ": not a whole number of seconds; Access-Control-Max-Age counts seconds, " + maxAgeHint)
	}
	return v, nil
}

// maxAgeNumber decodes a maxAge given as a JSON number literal.
func maxAgeNumber(s string) (time.Duration, error) {
	if strings.ContainsAny(s, ".eE") {
		return 0, errors.New(strconv.Quote(s) + ": not a whole number of seconds; Access-Control-Max-Age counts seconds, " + maxAgeHint)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second) {
		return 0, errors.New(strconv.Quote(s) + ": out of range; maxAge is at most 86400 seconds")
	}
	return time.Duration(n) * time.Second, nil
}

// syntaxError turns a reader error into "config: line L, column C: ...".
func syntaxError(data []byte, err error) error {
	if se, ok := err.(*jsonSyntaxError); ok {
		line, col := lineCol(data, se.off-1) // off is just past the bad byte
		return errors.New("config: line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ": invalid JSON: " + se.msg)
	}
	return errors.New("config: invalid JSON: " + err.Error())
}

func lineCol(data []byte, off int64) (int, int) {
	off = max(0, min(off, int64(len(data))))
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
