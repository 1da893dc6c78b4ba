package wasmhost

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"strings"
	"unicode"

	"github.com/tetratelabs/wazero/api"
)

// The proxy-wasm ABI 0.2.1 imports corswasm uses, implemented the way
// Envoy (proxy-wasm-cpp-host) does: lowercase header keys, first value on
// get, every line removed on remove, one line left on replace, data
// returned through proxy_on_memory_allocate (never for an empty value).

const (
	statusOK       = 0
	statusNotFound = 1
	statusBad      = 2
)

const i32 = api.ValueTypeI32

func (m *Module) exportHostABI(ctx context.Context) error {
	b := m.rt.NewHostModuleBuilder("env")
	def := func(name string, params []api.ValueType, fn func(in *Instance, mod api.Module, st []uint64) uint32) {
		full := "env." + name // built once, not per call
		// Counted by index, not by name in a map: hashing the name on every
		// crossing cost more than the counting was worth.
		idx := len(m.importNames)
		m.importNames = append(m.importNames, name)
		b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(ctx context.Context, mod api.Module, st []uint64) {
			in := instanceOf(ctx)
			in.enter(full)
			in.importCounts[idx]++
			st[0] = uint64(fn(in, mod, st))
		}), params, []api.ValueType{i32}).Export(name)
	}
	p := func(n int) []api.ValueType { return slices.Repeat([]api.ValueType{i32}, n) }

	def("proxy_log", p(3), func(in *Instance, mod api.Module, st []uint64) uint32 {
		msg, ok := read(mod, st[1], st[2])
		if !ok {
			return statusBad
		}
		in.addLog(LogEntry{Level: uint32(st[0]), Msg: msg})
		return statusOK
	})
	def("proxy_get_log_level", p(1), func(in *Instance, mod api.Module, st []uint64) uint32 {
		if !mod.Memory().WriteUint32Le(uint32(st[0]), in.logLevel) {
			return statusBad
		}
		return statusOK
	})
	def("proxy_get_buffer_bytes", p(5), func(in *Instance, mod api.Module, st []uint64) uint32 {
		if uint32(st[0]) != 7 { // plugin configuration is the only buffer we serve
			return statusBad
		}
		start, max := uint64(uint32(st[1])), uint64(uint32(st[2]))
		if start > uint64(len(in.config)) {
			return statusBad
		}
		data := in.config[start:min(uint64(len(in.config)), start+max)]
		return in.give(mod, data, st[3], st[4])
	})
	def("proxy_get_header_map_value", p(5), func(in *Instance, mod api.Module, st []uint64) uint32 {
		h, ok := in.headers(uint32(st[0]))
		// The key is compared in place, in guest memory: string(key) in a
		// comparison does not allocate. This call runs several times per
		// request.
		key, ok2 := mod.Memory().Read(uint32(st[1]), uint32(st[2]))
		if !ok || !ok2 {
			return statusBad
		}
		if bytes.ContainsFunc(key, unicode.IsUpper) {
			key = bytes.ToLower(key)
		}
		for _, kv := range *h {
			if kv[0] == string(key) {
				return in.giveString(mod, kv[1], st[3], st[4])
			}
		}
		return statusNotFound
	})
	def("proxy_get_header_map_pairs", p(3), func(in *Instance, mod api.Module, st []uint64) uint32 {
		h, ok := in.headers(uint32(st[0]))
		if !ok {
			return statusBad
		}
		// Encoded straight into the memory the guest allocated, not into a
		// Go buffer copied there: this call runs twice per request.
		n := pairsSize(*h)
		addr := in.allocFor(n)
		if n > 0 {
			view, ok := mod.Memory().Read(addr, uint32(n))
			if !ok {
				return statusBad
			}
			encodePairsInto(view, *h)
		}
		return slots(mod, addr, n, st[1], st[2])
	})
	def("proxy_add_header_map_value", p(5), func(in *Instance, mod api.Module, st []uint64) uint32 {
		h, key, val, ok := in.keyValue(mod, st)
		if !ok {
			return statusBad
		}
		*h = append(*h, Header{key, val})
		return statusOK
	})
	def("proxy_replace_header_map_value", p(5), func(in *Instance, mod api.Module, st []uint64) uint32 {
		h, key, val, ok := in.keyValue(mod, st)
		if !ok {
			return statusBad
		}
		i := slices.IndexFunc(*h, func(kv Header) bool { return kv[0] == key })
		if i < 0 {
			*h = append(*h, Header{key, val})
			return statusOK
		}
		(*h)[i][1] = val
		rest := slices.DeleteFunc((*h)[i+1:], func(kv Header) bool { return kv[0] == key })
		*h = (*h)[:i+1+len(rest)]
		return statusOK
	})
	def("proxy_remove_header_map_value", p(3), func(in *Instance, mod api.Module, st []uint64) uint32 {
		h, ok := in.headers(uint32(st[0]))
		key, ok2 := read(mod, st[1], st[2])
		if !ok || !ok2 {
			return statusBad
		}
		key = strings.ToLower(key)
		*h = slices.DeleteFunc(*h, func(kv Header) bool { return kv[0] == key })
		return statusOK
	})
	def("proxy_send_local_response", p(8), func(in *Instance, mod api.Module, st []uint64) uint32 {
		details, ok1 := read(mod, st[1], st[2])
		body, ok2 := read(mod, st[3], st[4])
		hdrs, ok3 := read(mod, st[5], st[6])
		pairs, ok4 := decodePairs([]byte(hdrs))
		if !ok1 || !ok2 || !ok3 || !ok4 || in.active == nil {
			return statusBad
		}
		if in.FailLocalReply != 0 {
			return in.FailLocalReply // a host that refuses the reply: nothing is sent
		}
		in.active.LocalReply = &LocalReply{Status: int(uint32(st[0])), Details: details, Body: body, Headers: lower(pairs)}
		return statusOK
	})
	def("proxy_get_property", p(4), func(in *Instance, mod api.Module, st []uint64) uint32 {
		path, ok := read(mod, st[0], st[1])
		if !ok {
			return statusBad
		}
		v, found := in.Properties[path]
		if !found {
			return statusNotFound
		}
		return in.giveString(mod, v, st[2], st[3])
	})
	def("proxy_define_metric", p(4), func(in *Instance, mod api.Module, st []uint64) uint32 {
		name, ok := read(mod, st[1], st[2])
		if !ok {
			return statusBad
		}
		id, found := in.metricIDs[name]
		if !found {
			id = uint32(len(in.metricVals))
			in.metricIDs[name] = id
			in.metricVals = append(in.metricVals, 0)
			in.metricName = append(in.metricName, name)
			in.metricType = append(in.metricType, uint32(st[0]))
		}
		if !mod.Memory().WriteUint32Le(uint32(st[3]), id) {
			return statusBad
		}
		return statusOK
	})
	def("proxy_increment_metric", []api.ValueType{i32, api.ValueTypeI64}, func(in *Instance, mod api.Module, st []uint64) uint32 {
		id := uint32(st[0])
		if int(id) >= len(in.metricVals) {
			return statusNotFound
		}
		in.metricVals[id] += st[1] // two's complement: a negative offset subtracts
		return statusOK
	})
	def("proxy_set_tick_period_milliseconds", p(1), func(in *Instance, mod api.Module, st []uint64) uint32 {
		if in.active != nil {
			return statusBad // a timer belongs to the root context: set it from a root callback
		}
		in.tickPeriod = uint32(st[0])
		return statusOK
	})
	_, err := b.Instantiate(ctx)
	return err
}

// give returns data to the guest the way proxy-wasm-cpp-host does: memory
// from proxy_on_memory_allocate (none for empty data), then the address
// and size written to the return slots.
func (in *Instance) give(mod api.Module, data []byte, ptrSlot, sizeSlot uint64) uint32 {
	addr := in.allocFor(len(data))
	if len(data) > 0 && !mod.Memory().Write(addr, data) {
		return statusBad
	}
	return slots(mod, addr, len(data), ptrSlot, sizeSlot)
}

// giveString is give for a string, without copying it to a []byte first.
func (in *Instance) giveString(mod api.Module, data string, ptrSlot, sizeSlot uint64) uint32 {
	addr := in.allocFor(len(data))
	if len(data) > 0 && !mod.Memory().WriteString(addr, data) {
		return statusBad
	}
	return slots(mod, addr, len(data), ptrSlot, sizeSlot)
}

// allocFor asks the guest for n bytes (nothing for 0, as cpp-host does).
func (in *Instance) allocFor(n int) uint32 {
	if n == 0 {
		return 0
	}
	a, err := in.Allocate(uint32(n))
	if err != nil {
		panic(err) // a trap in the guest's allocator: surfaces as the callback's error
	}
	return a
}

func slots(mod api.Module, addr uint32, n int, ptrSlot, sizeSlot uint64) uint32 {
	if !mod.Memory().WriteUint32Le(uint32(ptrSlot), addr) || !mod.Memory().WriteUint32Le(uint32(sizeSlot), uint32(n)) {
		return statusBad
	}
	return statusOK
}

func (in *Instance) headers(mapType uint32) (*[]Header, bool) {
	if in.active == nil {
		return nil, false
	}
	switch mapType {
	case 0:
		return &in.active.Request, true
	case 2:
		return &in.active.Response, true
	}
	return nil, false
}

func (in *Instance) keyValue(mod api.Module, st []uint64) (*[]Header, string, string, bool) {
	h, ok := in.headers(uint32(st[0]))
	key, ok2 := read(mod, st[1], st[2])
	val, ok3 := read(mod, st[3], st[4])
	return h, strings.ToLower(key), val, ok && ok2 && ok3
}

func read(mod api.Module, ptr, size uint64) (string, bool) {
	if uint32(size) == 0 {
		return "", true
	}
	b, ok := mod.Memory().Read(uint32(ptr), uint32(size))
	return string(b), ok
}

// encodePairs is the proxy-wasm header-map wire format (see
// internal/abi/pairs.go); empty for an empty map, as in cpp-host.
func encodePairs(h []Header) []byte {
	b := make([]byte, pairsSize(h))
	encodePairsInto(b, h)
	return b
}

// pairsSize is the encoded size of h: 0 for an empty map.
func pairsSize(h []Header) int {
	if len(h) == 0 {
		return 0
	}
	n := 4 + 8*len(h)
	for _, kv := range h {
		n += len(kv[0]) + len(kv[1]) + 2
	}
	return n
}

// encodePairsInto writes h into b, which has pairsSize(h) bytes. The NUL
// after each name and value is written too: b may be reused memory.
func encodePairsInto(b []byte, h []Header) {
	if len(h) == 0 {
		return
	}
	binary.LittleEndian.PutUint32(b, uint32(len(h)))
	d := 4 + 8*len(h)
	for i, kv := range h {
		le32(b[4+8*i:], uint32(len(kv[0])))
		le32(b[8+8*i:], uint32(len(kv[1])))
		d += copy(b[d:], kv[0])
		b[d] = 0
		d++
		d += copy(b[d:], kv[1])
		b[d] = 0
		d++
	}
}

func decodePairs(b []byte) ([]Header, bool) {
	if len(b) == 0 {
		return nil, true
	}
	if len(b) < 4 {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(b))
	d := 4 + 8*n
	if n > len(b) || d > len(b) {
		return nil, false
	}
	out := make([]Header, 0, n)
	for i := range n {
		k := int(binary.LittleEndian.Uint32(b[4+8*i:]))
		v := int(binary.LittleEndian.Uint32(b[8+8*i:]))
		if k < 0 || v < 0 || d+k+v+2 > len(b) {
			return nil, false
		}
		key := string(b[d : d+k])
		d += k + 1
		out = append(out, Header{key, string(b[d : d+v])})
		d += v + 1
	}
	return out, true
}
