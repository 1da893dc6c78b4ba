package policy

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A strict JSON reader (RFC 8259) that builds the config tree in one pass.
// It replaces three passes through encoding/json (a syntax check, a token
// tree, a final Unmarshal): plugin start pays for every pass on every
// worker and every config push, and encoding/json with reflect is about
// a third of the module. Its error texts and offsets are encoding/json's,
// byte for byte (config files, tests and operators' habits rely on them);
// jsonscan_test.go checks that against encoding/json itself.

// maxScratch bounds the scratch stack readJSON allocates up front (1.5 MB).
const maxScratch = 1 << 15

// maxJSONNesting is encoding/json's bound on open arrays and objects.
const maxJSONNesting = 10000

// jsonSyntaxError is encoding/json's SyntaxError: off is one past the
// offending byte (len(data) at the end of input).
type jsonSyntaxError struct {
	msg string
	off int64
}

func (e *jsonSyntaxError) Error() string { return e.msg }

type jsonReader struct {
	data   string // the input, copied once: strings in the tree share it
	i      int
	err    error // the first syntax error
	numErr error // the first number out of float64 range (encoding/json's Unmarshal into any reports it)
	deep   bool  // a value sits deeper than maxJSONDepth
	// Children of the containers being read: each container takes an
	// exactly sized copy of its own when it ends, so a 10,000-element
	// list costs one allocation, not a growing slice.
	kids []node
}

// readJSON reads one JSON value and nothing after it but white space.
// Errors come in encoding/json's order of precedence: a syntax error
// anywhere, then a number out of range, then nesting beyond
// maxJSONDepth.
func readJSON(data []byte) (node, error) {
	r := &jsonReader{data: string(data)}
	// Every element but an array's first follows a comma, and every
	// object member is two nodes after a colon: sizing the scratch stack
	// from them (up to a bound, for a config that is mostly commas in
	// strings) saves regrowing it on a long list.
	n := bytes.Count(data, []byte{','}) + 2*bytes.Count(data, []byte{':'}) + 16
	r.kids = make([]node, 0, min(n, maxScratch))
	root := r.value(0)
	if r.err == nil {
		r.skipSpace()
		if r.i < len(r.data) {
			r.fail(r.data[r.i], "after top-level value")
		}
	}
	switch {
	case r.err != nil:
		return node{}, r.err
	case r.numErr != nil:
		return node{}, r.numErr
	case r.deep:
		return node{}, errTooDeep
	}
	return root, nil
}

var errTooDeep = &jsonDepthError{}

type jsonDepthError struct{}

func (*jsonDepthError) Error() string { return "nested too deeply" }

// fail records "invalid character C CONTEXT" at r.i, as encoding/json
// words it.
func (r *jsonReader) fail(c byte, context string) {
	if r.err == nil {
		r.err = &jsonSyntaxError{"invalid character " + quoteJSONChar(c) + " " + context, int64(r.i) + 1}
	}
}

// failEOF reports the end of input. encoding/json feeds a space at the
// end: where a space is itself wrong (inside a literal, after a minus
// sign, after a backslash) it reports that, else "unexpected end".
func (r *jsonReader) failEOF(spaceContext string) {
	if r.err != nil {
		return
	}
	if spaceContext != "" {
		r.err = &jsonSyntaxError{"invalid character ' ' " + spaceContext, int64(len(r.data))}
		return
	}
	r.err = &jsonSyntaxError{"unexpected end of JSON input", int64(len(r.data))}
}

// quoteJSONChar is encoding/json's quoteChar.
func quoteJSONChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (r *jsonReader) skipSpace() {
	for r.i < len(r.data) && isJSONSpace(r.data[r.i]) {
		r.i++
	}
}

// value reads one value at the given depth. Past maxJSONDepth the tree
// is no longer built, but the input is still checked to its end: a
// syntax error further on takes precedence, as it did with encoding/json.
func (r *jsonReader) value(depth int) node {
	if depth > maxJSONDepth {
		r.deep = true
		r.skipValue(depth)
		return node{}
	}
	r.skipSpace()
	if r.i >= len(r.data) {
		r.failEOF("")
		return node{}
	}
	switch c := r.data[r.i]; {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"':
		return node{kind: kString, str: r.str()}
	case c == '-' || '0' <= c && c <= '9':
		return node{kind: kNumber, str: r.number()}
	case c == 't':
		r.literal("true")
		return node{kind: kBool, str: "true"}
	case c == 'f':
		r.literal("false")
		return node{kind: kBool, str: "false"}
	case c == 'n':
		r.literal("null")
		return node{kind: kNull}
	default:
		r.fail(c, "looking for beginning of value")
		return node{}
	}
}

func (r *jsonReader) object(depth int) (n node) {
	n = node{kind: kObject}
	r.i++ // '{'
	r.skipSpace()
	if r.i < len(r.data) && r.data[r.i] == '}' {
		r.i++
		return n
	}
	mark := len(r.kids)
	defer func() {
		n.kids = append([]node(nil), r.kids[mark:]...)
		r.kids = r.kids[:mark]
	}()
	for r.err == nil {
		r.skipSpace()
		if r.i >= len(r.data) {
			r.failEOF("")
			break
		}
		if c := r.data[r.i]; c != '"' {
			r.fail(c, "looking for beginning of object key string")
			break
		}
		k := r.str()
		if r.err != nil {
			break
		}
		r.skipSpace()
		if r.i >= len(r.data) {
			r.failEOF("")
			break
		}
		if c := r.data[r.i]; c != ':' {
			r.fail(c, "after object key")
			break
		}
		r.i++
		v := r.value(depth + 1)
		if r.err != nil {
			break
		}
		r.kids = append(r.kids, node{kind: kString, str: k}, v)
		if r.endOfContainer('}', "after object key:value pair") {
			break
		}
	}
	return n
}

func (r *jsonReader) array(depth int) (n node) {
	n = node{kind: kArray}
	r.i++ // '['
	r.skipSpace()
	if r.i < len(r.data) && r.data[r.i] == ']' {
		r.i++
		return n
	}
	mark := len(r.kids)
	defer func() {
		n.kids = append([]node(nil), r.kids[mark:]...)
		r.kids = r.kids[:mark]
	}()
	for r.err == nil {
		v := r.value(depth + 1)
		if r.err != nil {
			break
		}
		r.kids = append(r.kids, v)
		if r.endOfContainer(']', "after array element") {
			break
		}
	}
	return n
}

// endOfContainer reads the ',' or the closing byte after an element, and
// reports whether the container ended (or the input is bad).
func (r *jsonReader) endOfContainer(closing byte, context string) bool {
	r.skipSpace()
	if r.i >= len(r.data) {
		r.failEOF("")
		return true
	}
	switch c := r.data[r.i]; c {
	case ',':
		r.i++
		return false
	case closing:
		r.i++
		return true
	default:
		r.fail(c, context)
		return true
	}
}

func (r *jsonReader) literal(word string) {
	for k := 1; k < len(word); k++ {
		r.i++
		context := "in literal " + word + " (expecting " + quoteJSONChar(word[k]) + ")"
		if r.i >= len(r.data) {
			r.failEOF(context)
			return
		}
		if r.data[r.i] != word[k] {
			r.fail(r.data[r.i], context)
			return
		}
	}
	r.i++
}

// number reads a number literal and returns its text. Like encoding/json
// decoding into any, it rejects a number out of float64's range.
func (r *jsonReader) number() string {
	start := r.i
	if r.data[r.i] == '-' {
		r.i++
		if !r.digit("in numeric literal") {
			return ""
		}
	}
	if r.data[r.i] == '0' {
		r.i++
	} else {
		r.digits()
	}
	if r.i < len(r.data) && r.data[r.i] == '.' {
		r.i++
		if !r.digit("after decimal point in numeric literal") {
			return ""
		}
		r.digits()
	}
	if r.i < len(r.data) && (r.data[r.i] == 'e' || r.data[r.i] == 'E') {
		r.i++
		if r.i < len(r.data) && (r.data[r.i] == '+' || r.data[r.i] == '-') {
			r.i++
		}
		if !r.digit("in exponent of numeric literal") {
			return ""
		}
		r.digits()
	}
	s := r.data[start:r.i]
	if r.numErr == nil {
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			r.numErr = &jsonTypeError{"cannot unmarshal number " + s + " into Go value of type float64"}
		}
	}
	return s
}

type jsonTypeError struct{ msg string }

func (e *jsonTypeError) Error() string { return e.msg }

// digit checks that a digit comes next, without consuming it.
func (r *jsonReader) digit(context string) bool {
	if r.i >= len(r.data) {
		r.failEOF(context)
		return false
	}
	if c := r.data[r.i]; c < '0' || c > '9' {
		r.fail(c, context)
		return false
	}
	return true
}

func (r *jsonReader) digits() {
	for r.i < len(r.data) && '0' <= r.data[r.i] && r.data[r.i] <= '9' {
		r.i++
	}
}

// str reads a string literal at r.i (the opening quote) and returns its
// value. Invalid UTF-8 and lone surrogates become U+FFFD, as in
// encoding/json.
func (r *jsonReader) str() string {
	r.i++ // '"'
	start := r.i
	plain := true
	for {
		if r.i >= len(r.data) {
			r.failEOF("")
			return ""
		}
		c := r.data[r.i]
		switch {
		case c == '"':
			s := r.data[start:r.i]
			r.i++
			if plain {
				return s
			}
			return unquoteJSON(s)
		case c == '\\':
			plain = false
			r.i++
			if r.i >= len(r.data) {
				r.failEOF("in string escape code")
				return ""
			}
			switch r.data[r.i] {
			case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
				r.i++
			case 'u':
				r.i++
				for k := 0; k < 4; k++ {
					if r.i >= len(r.data) {
						r.failEOF(`in \u hexadecimal character escape`)
						return ""
					}
					if hexVal(r.data[r.i]) < 0 {
						r.fail(r.data[r.i], `in \u hexadecimal character escape`)
						return ""
					}
					r.i++
				}
			default:
				r.fail(r.data[r.i], "in string escape code")
				return ""
			}
		case c < 0x20:
			r.fail(c, "in string literal")
			return ""
		case c >= utf8.RuneSelf:
			rn, size := utf8.DecodeRuneInString(r.data[r.i:])
			if rn == utf8.RuneError && size == 1 {
				plain = false
			}
			r.i += size
		default:
			r.i++
		}
	}
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// unquoteJSON decodes the body of a string literal that str has already
// checked.
func unquoteJSON(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rn := hex4(s[i:])
				i += 4
				if utf16.IsSurrogate(rn) {
					rn2 := rune(-1)
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' && validHex4(s[i+2:]) {
						rn2 = hex4(s[i+2:])
					}
					if dec := utf16.DecodeRune(rn, rn2); dec != utf8.RuneError {
						i += 6
						rn = dec
					} else {
						rn = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, rn)
			default: // '\\', '/', '"'
				b = append(b, e)
			}
		case c >= utf8.RuneSelf:
			rn, size := utf8.DecodeRuneInString(s[i:])
			i += size
			b = utf8.AppendRune(b, rn)
		default:
			b = append(b, c)
			i++
		}
	}
	return string(b)
}

func validHex4(s string) bool {
	if len(s) < 4 {
		return false
	}
	for k := 0; k < 4; k++ {
		if hexVal(s[k]) < 0 {
			return false
		}
	}
	return true
}

func hex4(s string) rune {
	var rn rune
	for k := 0; k < 4; k++ {
		rn = rn<<4 | rune(hexVal(s[k]))
	}
	return rn
}

// skipValue checks one value without building it, iteratively (a config
// of a million '[' must not recurse a million deep), up to encoding/json's
// nesting bound. depth is the number of containers around the value.
func (r *jsonReader) skipValue(depth int) {
	var open []byte // the closing byte of each open container
	for r.err == nil {
		// A value.
		r.skipSpace()
		if r.i >= len(r.data) {
			r.failEOF("")
			return
		}
		c := r.data[r.i]
		switch {
		case c == '{' || c == '[':
			if depth+len(open)+1 > maxJSONNesting {
				r.fail(c, "exceeded max depth")
				return
			}
			r.i++
			r.skipSpace()
			closing := byte(']')
			if c == '{' {
				closing = '}'
			}
			if r.i < len(r.data) && r.data[r.i] == closing {
				r.i++
				break
			}
			open = append(open, closing)
			if c == '{' && !r.skipKey() {
				return
			}
			continue
		case c == '"':
			r.str()
		case c == '-' || '0' <= c && c <= '9':
			r.number()
		case c == 't':
			r.literal("true")
		case c == 'f':
			r.literal("false")
		case c == 'n':
			r.literal("null")
		default:
			r.fail(c, "looking for beginning of value")
			return
		}
		// After a value: close containers, or go on to the next element.
		for r.err == nil && len(open) > 0 {
			closing := open[len(open)-1]
			context := "after array element"
			if closing == '}' {
				context = "after object key:value pair"
			}
			if r.endOfContainer(closing, context) {
				open = open[:len(open)-1]
				continue
			}
			if closing == '}' && !r.skipKey() {
				return
			}
			break
		}
		if len(open) == 0 {
			return
		}
	}
}

// skipKey reads `"key":` inside an object being skipped.
func (r *jsonReader) skipKey() bool {
	r.skipSpace()
	if r.i >= len(r.data) {
		r.failEOF("")
		return false
	}
	if c := r.data[r.i]; c != '"' {
		r.fail(c, "looking for beginning of object key string")
		return false
	}
	r.str()
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if r.i >= len(r.data) {
		r.failEOF("")
		return false
	}
	if c := r.data[r.i]; c != ':' {
		r.fail(c, "after object key")
		return false
	}
	r.i++
	return true
}
