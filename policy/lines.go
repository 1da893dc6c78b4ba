package policy

// RequestLines turns a request's header lines into a Request. It is the one
// place that decides which line of a repeated header counts and how the
// lines of a split list are joined, so the Envoy filter and corshttp
// (issue 9 §5) cannot disagree about the same request.
//
// The rules:
//
//   - Singleton headers (Origin, Access-Control-Request-Method,
//     Access-Control-Request-Private-Network, Sec-Fetch-Site) count by
//     their first line, even when it is empty. That is what every other
//     reader of the request does: Envoy's header map lookup, net/http's
//     Header.Get (and so Go's CrossOriginProtection), the frameworks the
//     upstream runs. Picking another line (the first non-empty one, say)
//     would let us answer a preflight for a method the upstream does not
//     see as requested. A second Origin line also sets MultipleOrigins,
//     which no policy allows.
//   - Access-Control-Request-Headers is a list: its lines are one list
//     joined with "," in order (RFC 9110 §5.3), empty lines included.
//     Joining must not change the meaning, so lines "" and "x-a" read
//     exactly as the single line ",x-a" that a merging intermediary would
//     forward: two elements, of which the empty one counts toward the
//     element bound (acrh.go). Dropping leading empty lines, as the filter
//     once did, made 100 empty lines plus "x-a" one element in Envoy and
//     101 (refused) in corshttp.
//   - The join stops one byte past maxRequestHeadersLen: such a value is
//     refused as malformed whatever follows, so a flood of lines is never
//     copied in full. A single line is used as it is, never copied.
//
// The zero value is ready to use. Add the lines in the order received.
type RequestLines struct {
	req                 Request
	origins, acrh       int
	acrm, acrpn, secFSS bool   // their first line has been seen
	joined              []byte // ACRH lines joined so far, from the second line on
}

// maxJoinedACRH is the engine's bound on Access-Control-Request-Headers
// plus one: a joined value that long is refused as malformed whatever
// follows, so joining stops there.
const maxJoinedACRH = maxRequestHeadersLen + 1

// Add records one header line. name is lowercase, as HTTP/2 and Envoy
// carry it; the pseudo-headers ":method", ":authority" and ":path" set
// Method, Authority and Path. Headers the engine does not read are
// ignored, so a caller may pass every line it has.
func (l *RequestLines) Add(name, value string) {
	switch name {
	case ":method":
		l.req.Method = value
	case ":authority":
		l.req.Authority = value
	case ":path":
		l.req.Path = value
	case "origin":
		if l.origins++; l.origins == 1 {
			l.req.Origin = value
		}
	case "access-control-request-method":
		firstLine(&l.req.AccessControlRequestMethod, &l.acrm, value)
	case "access-control-request-private-network":
		firstLine(&l.req.AccessControlRequestPrivateNetwork, &l.acrpn, value)
	case "sec-fetch-site":
		firstLine(&l.req.SecFetchSite, &l.secFSS, value)
	case "access-control-request-headers":
		l.addACRH(value)
	}
}

func firstLine(field *string, seen *bool, value string) {
	if !*seen {
		*field, *seen = value, true
	}
}

// addACRH keeps the first line as it is (no copy: the common case) and
// joins from the second line on, up to maxJoinedACRH bytes.
func (l *RequestLines) addACRH(v string) {
	l.acrh++
	switch {
	case l.acrh == 1:
		l.req.AccessControlRequestHeaders = v
		return
	case l.acrh == 2:
		first := l.req.AccessControlRequestHeaders
		l.joined = make([]byte, 0, min(len(first)+1+len(v), maxJoinedACRH))
		l.joined = appendCut(l.joined, first)
	case l.acrh == 3 && cap(l.joined) < maxJoinedACRH:
		// More than two lines is rare enough to be a flood: take the
		// whole bound at once rather than growing step by step.
		l.joined = append(make([]byte, 0, maxJoinedACRH), l.joined...)
	}
	if len(l.joined) >= maxJoinedACRH {
		return // already over the bound: refused whatever follows
	}
	l.joined = appendCut(l.joined, ",")
	l.joined = appendCut(l.joined, v)
}

// appendCut appends s to b without growing b past maxJoinedACRH bytes.
func appendCut(b []byte, s string) []byte {
	if room := maxJoinedACRH - len(b); len(s) > room {
		s = s[:room]
	}
	return append(b, s...)
}

// Request returns the request built from the lines added so far.
// Its strings alias the added values, except a joined
// Access-Control-Request-Headers, which is a copy.
func (l *RequestLines) Request() Request {
	r := l.req
	r.MultipleOrigins = l.origins > 1
	if l.acrh > 1 {
		r.AccessControlRequestHeaders = string(l.joined)
	}
	return r
}
