package gateway

import (
	"net/http"
	"strconv"
	"strings"
)

// hopByHop are connection-level headers a proxy never forwards (RFC 9110
// §7.6.1). Envoy drops them too.
var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true,
	"te": true, "trailer": true, "transfer-encoding": true, "upgrade": true,
}

// requestHeaderList builds the header list Envoy would hand the module:
// the HTTP/2-style pseudo-headers first, then every header line lowercased,
// one entry per line, so a request with two Origin lines shows two entries.
func requestHeaderList(r *http.Request) [][2]string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	// :path is origin-form, as Envoy gives it, even if the client sent an
	// absolute URI on the request line.
	path := r.RequestURI
	if !strings.HasPrefix(path, "/") {
		path = r.URL.RequestURI()
	}
	list := make([][2]string, 0, 4+len(r.Header))
	list = append(list,
		[2]string{":method", r.Method},
		[2]string{":path", path},
		[2]string{":authority", r.Host},
		[2]string{":scheme", scheme},
	)
	for name, values := range r.Header {
		lname := lowerName(name)
		if hopByHop[lname] {
			continue
		}
		for _, v := range values {
			list = append(list, [2]string{lname, v})
		}
	}
	return list
}

// responseHeaderList is the response side: ":status" first.
func responseHeaderList(status int, h http.Header) [][2]string {
	list := make([][2]string, 0, 1+len(h))
	list = append(list, [2]string{":status", strconv.Itoa(status)})
	for name, values := range h {
		lname := lowerName(name)
		if hopByHop[lname] {
			continue
		}
		for _, v := range values {
			list = append(list, [2]string{lname, v})
		}
	}
	return list
}

// toHeader turns a proxy-wasm header list back into an http.Header,
// dropping pseudo-headers and hop-by-hop headers. It returns the ":status"
// value if present (0 otherwise).
func toHeader(list [][2]string) (http.Header, int) {
	h := make(http.Header, len(list))
	return h, fillHeader(h, list)
}

// fillHeader empties h and fills it from list as toHeader does, reusing
// h's map (the reverse proxy's copy of the headers, about to be replaced).
func fillHeader(h http.Header, list [][2]string) int {
	clear(h)
	status := 0
	for _, kv := range list {
		if strings.HasPrefix(kv[0], ":") {
			if kv[0] == ":status" {
				status, _ = strconv.Atoi(kv[1])
			}
			continue
		}
		if hopByHop[kv[0]] {
			continue
		}
		// Not h.Add: it canonicalizes (allocating) every time.
		k := canonicalName(kv[0])
		h[k] = append(h[k], kv[1])
	}
	return status
}
