package gateway

import (
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
)

// Header names cross between Go's canonical form (http.Header keys,
// "Content-Type") and proxy-wasm's lowercase form ("content-type") twice
// per request each way. Converting allocates a new string every time;
// most requests carry the same few names, so the conversions are
// remembered. The cache is bounded: a client sending random header names
// cannot grow it past maxCachedNames, it only misses.
//
// Measured on the load test (TestGatewayLoad): the conversions were the
// largest allocation of the gateway's own code per request.
const maxCachedNames = 512

type nameCache struct {
	m sync.Map // string → string
	n atomic.Int32
}

func (c *nameCache) get(name string, convert func(string) string) string {
	if v, ok := c.m.Load(name); ok {
		return v.(string)
	}
	out := convert(name)
	if c.n.Load() < maxCachedNames {
		if _, loaded := c.m.LoadOrStore(strings.Clone(name), out); !loaded {
			c.n.Add(1)
		}
	}
	return out
}

var lowerNames, canonicalNames nameCache

// lowerName is strings.ToLower(name), remembered.
func lowerName(name string) string { return lowerNames.get(name, strings.ToLower) }

// canonicalName is textproto.CanonicalMIMEHeaderKey(name), remembered.
func canonicalName(name string) string {
	return canonicalNames.get(name, textproto.CanonicalMIMEHeaderKey)
}
