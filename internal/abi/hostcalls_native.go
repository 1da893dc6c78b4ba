//go:build !wasip1

package abi

import "unsafe"

// The raw imports, natively: each decodes its guest-memory arguments,
// calls the registered Host (host_native.go) and writes results back as
// the proxy does. Data the host returns is copied into arena memory, as
// the proxy does through proxy_on_memory_allocate, so it lives exactly as
// long as in the module (until the next callback).

// ret is the arena slice holding the last data a native host returned.
// The return slots are i32 in the ABI and cannot hold a native address, so
// retPtr only marks that ret is set; took (below) hands ret back.
var ret []byte

func took() ([]byte, bool) {
	b, ok := ret, retPtr != 0
	ret, retPtr, retSize = nil, 0, 0
	return b, ok
}

// give copies b into the arena and fills the return slots.
func give(b []byte, ptr, size unsafe.Pointer) {
	ret = mem.alloc(len(b))
	copy(ret, b)
	*(*uint32)(ptr) = 1
	*(*uint32)(size) = uint32(len(b))
}

func str(p unsafe.Pointer, n uint32) string {
	if n == 0 {
		return ""
	}
	return string(unsafe.Slice((*byte)(p), n))
}

func u32(st Status) uint32 { return uint32(st) }

func proxyLog(level uint32, msg unsafe.Pointer, n uint32) uint32 {
	return u32(host.Log(LogLevel(level), str(msg, n)))
}

func proxyGetLogLevel(level unsafe.Pointer) uint32 {
	l, st := host.LogLevel()
	if st == StatusOK {
		*(*uint32)(level) = uint32(l)
	}
	return u32(st)
}

func proxyGetBufferBytes(buffer, start, n uint32, ptr, size unsafe.Pointer) uint32 {
	if buffer != bufferPluginConfiguration {
		return u32(StatusBadArgument)
	}
	b, st := host.PluginConfiguration()
	if st != StatusOK {
		return u32(st)
	}
	if int(start) > len(b) {
		return u32(StatusBadArgument)
	}
	b = b[start:]
	b = b[:min(len(b), int(n))]
	give(b, ptr, size)
	return u32(StatusOK)
}

func proxyGetHeaderMapValue(m uint32, key unsafe.Pointer, keySize uint32, ptr, size unsafe.Pointer) uint32 {
	v, st := host.HeaderValue(MapType(m), str(key, keySize))
	if st == StatusOK {
		give([]byte(v), ptr, size)
	}
	return u32(st)
}

func proxyGetHeaderMapPairs(m uint32, ptr, size unsafe.Pointer) uint32 {
	h, st := host.HeaderPairs(MapType(m))
	if st != StatusOK {
		return u32(st)
	}
	b := make([]byte, encodedSize(h))
	encodePairs(b, h)
	give(b, ptr, size)
	return u32(StatusOK)
}

func proxyAddHeaderMapValue(m uint32, key unsafe.Pointer, keySize uint32, value unsafe.Pointer, valueSize uint32) uint32 {
	return u32(host.AddHeader(MapType(m), str(key, keySize), str(value, valueSize)))
}

func proxyReplaceHeaderMapValue(m uint32, key unsafe.Pointer, keySize uint32, value unsafe.Pointer, valueSize uint32) uint32 {
	return u32(host.ReplaceHeader(MapType(m), str(key, keySize), str(value, valueSize)))
}

func proxyRemoveHeaderMapValue(m uint32, key unsafe.Pointer, keySize uint32) uint32 {
	return u32(host.RemoveHeader(MapType(m), str(key, keySize)))
}

// proxySendLocalResponse decodes the header pairs the guest encoded, so a
// native test checks the module's own encoding.
func proxySendLocalResponse(status uint32, details unsafe.Pointer, detailsSize uint32, body unsafe.Pointer, bodySize uint32, headers unsafe.Pointer, headersSize uint32, _ int32) uint32 {
	var hs []Header
	if headersSize > 0 {
		p, err := decodePairs(unsafe.Slice((*byte)(headers), headersSize))
		if err != nil {
			return u32(StatusBadArgument)
		}
		for k, v := range p.All() {
			hs = append(hs, Header{Name: k, Value: v})
		}
	}
	return u32(host.SendLocalResponse(int(status), str(details, detailsSize), str(body, bodySize), hs))
}

func proxyGetProperty(path unsafe.Pointer, pathSize uint32, ptr, size unsafe.Pointer) uint32 {
	v, st := host.Property(str(path, pathSize))
	if st == StatusOK {
		give([]byte(v), ptr, size)
	}
	return u32(st)
}

func proxyDefineMetric(kind uint32, name unsafe.Pointer, nameSize uint32, id unsafe.Pointer) uint32 {
	if kind != metricCounter {
		return u32(StatusBadArgument)
	}
	v, st := host.DefineCounter(str(name, nameSize))
	if st == StatusOK {
		*(*uint32)(id) = v
	}
	return u32(st)
}

func proxyIncrementMetric(id uint32, delta int64) uint32 {
	return u32(host.IncrementCounter(id, delta))
}

func proxySetTickPeriodMilliseconds(ms uint32) uint32 { return u32(host.SetTickPeriod(ms)) }
