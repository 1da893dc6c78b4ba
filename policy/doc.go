// Package policy is the CORS policy engine behind corswasm: it parses and
// validates the plugin config (strictly, reporting every problem with its
// JSON path), compiles it into an immutable Policy, and decides each
// request per the WHATWG Fetch standard without allocating.
//
// The package is pure Go (standard library and golang.org/x/net only) so
// that the proxy-wasm filter, the net/http adapter and corsctl share one
// implementation. api.go holds the contract; the files are:
//
//	parse.go, jsontree.go        strict JSON decoding with paths
//	new.go, origin_config.go     validation and compilation (New)
//	tokens.go                    RFC 9110 tokens, Fetch's forbidden names
//	evaluate.go                  classification, preflight/actual decisions
//	origin_request.go            strict, bounded Origin parsing
//	acrh.go                      Access-Control-Request-Headers parsing
//	route.go                     route selection
//	cop.go                       crossOriginProtection
//	vary.go, reason.go           MergeVary, String methods
package policy
