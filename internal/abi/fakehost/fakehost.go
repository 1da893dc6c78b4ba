//go:build !wasip1

// Package fakehost is a proxy-wasm host in plain Go for native tests of a
// plugin written against internal/abi: register it with abi.SetHost, then
// drive the plugin's callbacks in the order a proxy would (Configure,
// Stream, Tick, Shutdown). Header maps follow Envoy's semantics, the ones
// internal/wasmhost follows too: a lookup sees the first line, replace
// leaves exactly one line, remove removes every line.
//
// It is the fast, covered twin of internal/wasmhost, which runs the
// compiled module: the same scenario table goes through both.
package fakehost

import (
	"strings"

	"github.com/corswasm/corswasm/internal/abi"
)

// Host records what the plugin did. Set its fields before a callback to
// shape what the plugin sees; read them after.
type Host struct {
	Config   []byte       // the plugin configuration
	Level    abi.LogLevel // the lowest level the host logs
	Logs     []Log
	Props    map[string]string // host properties, e.g. "route_name"
	Counters map[string]int64  // counter name → value
	Tick     uint32            // the tick period last set, in ms

	// Fail makes a host call answer with a status instead of doing its
	// work, by the call's proxy-wasm name (e.g. "proxy_send_local_response").
	Fail map[string]abi.Status
	// Calls counts host calls by their proxy-wasm name.
	Calls map[string]int

	// The stream in flight.
	Request, Response []abi.Header
	Local             *LocalReply

	ids []string // counter id → name
}

// Log is one proxy_log line.
type Log struct {
	Level abi.LogLevel
	Msg   string
}

// LocalReply is what proxy_send_local_response was asked to send.
type LocalReply struct {
	Status  int
	Details string
	Body    string
	Headers []abi.Header
}

// New returns a host with configuration config that logs every level, and
// registers it (abi.SetHost) until the returned function is called.
func New(config string) (*Host, func()) {
	h := &Host{
		Config:   []byte(config),
		Level:    abi.LogTrace,
		Props:    map[string]string{},
		Counters: map[string]int64{},
		Fail:     map[string]abi.Status{},
		Calls:    map[string]int{},
	}
	return h, abi.SetHost(h)
}

// call counts a host call and says whether it was made to fail.
func (h *Host) call(name string) (abi.Status, bool) {
	h.Calls[name]++
	st, failed := h.Fail[name]
	return st, failed
}

func (h *Host) headers(m abi.MapType) *[]abi.Header {
	if m == abi.ResponseHeaders {
		return &h.Response
	}
	return &h.Request
}

func (h *Host) Log(level abi.LogLevel, msg string) abi.Status {
	if st, failed := h.call("proxy_log"); failed {
		return st
	}
	h.Logs = append(h.Logs, Log{level, msg})
	return abi.StatusOK
}

func (h *Host) LogLevel() (abi.LogLevel, abi.Status) {
	if st, failed := h.call("proxy_get_log_level"); failed {
		return 0, st
	}
	return h.Level, abi.StatusOK
}

func (h *Host) PluginConfiguration() ([]byte, abi.Status) {
	if st, failed := h.call("proxy_get_buffer_bytes"); failed {
		return nil, st
	}
	if len(h.Config) == 0 {
		return nil, abi.StatusNotFound
	}
	return h.Config, abi.StatusOK
}

func (h *Host) HeaderValue(m abi.MapType, key string) (string, abi.Status) {
	if st, failed := h.call("proxy_get_header_map_value"); failed {
		return "", st
	}
	for _, kv := range *h.headers(m) {
		if kv.Name == key {
			return kv.Value, abi.StatusOK
		}
	}
	return "", abi.StatusNotFound
}

func (h *Host) HeaderPairs(m abi.MapType) ([]abi.Header, abi.Status) {
	if st, failed := h.call("proxy_get_header_map_pairs"); failed {
		return nil, st
	}
	return *h.headers(m), abi.StatusOK
}

func (h *Host) AddHeader(m abi.MapType, key, value string) abi.Status {
	if st, failed := h.call("proxy_add_header_map_value"); failed {
		return st
	}
	p := h.headers(m)
	*p = append(*p, abi.Header{Name: strings.ToLower(key), Value: value})
	return abi.StatusOK
}

// ReplaceHeader sets the first line of key and drops the others (Envoy).
func (h *Host) ReplaceHeader(m abi.MapType, key, value string) abi.Status {
	if st, failed := h.call("proxy_replace_header_map_value"); failed {
		return st
	}
	key = strings.ToLower(key)
	p := h.headers(m)
	out, replaced := (*p)[:0], false
	for _, kv := range *p {
		if kv.Name == key {
			if replaced {
				continue
			}
			kv.Value, replaced = value, true
		}
		out = append(out, kv)
	}
	if !replaced {
		out = append(out, abi.Header{Name: key, Value: value})
	}
	*p = out
	return abi.StatusOK
}

// RemoveHeader removes every line of key (Envoy).
func (h *Host) RemoveHeader(m abi.MapType, key string) abi.Status {
	if st, failed := h.call("proxy_remove_header_map_value"); failed {
		return st
	}
	key = strings.ToLower(key)
	p := h.headers(m)
	out := (*p)[:0]
	for _, kv := range *p {
		if kv.Name != key {
			out = append(out, kv)
		}
	}
	*p = out
	return abi.StatusOK
}

func (h *Host) SendLocalResponse(status int, details, body string, headers []abi.Header) abi.Status {
	if st, failed := h.call("proxy_send_local_response"); failed {
		return st
	}
	h.Local = &LocalReply{Status: status, Details: details, Body: body, Headers: headers}
	return abi.StatusOK
}

func (h *Host) Property(path string) (string, abi.Status) {
	if st, failed := h.call("proxy_get_property"); failed {
		return "", st
	}
	v, ok := h.Props[path]
	if !ok {
		return "", abi.StatusNotFound
	}
	return v, abi.StatusOK
}

func (h *Host) DefineCounter(name string) (uint32, abi.Status) {
	if st, failed := h.call("proxy_define_metric"); failed {
		return 0, st
	}
	for id, n := range h.ids {
		if n == name {
			return uint32(id), abi.StatusOK
		}
	}
	h.ids = append(h.ids, name)
	if _, ok := h.Counters[name]; !ok {
		h.Counters[name] = 0
	}
	return uint32(len(h.ids) - 1), abi.StatusOK
}

func (h *Host) IncrementCounter(id uint32, delta int64) abi.Status {
	if st, failed := h.call("proxy_increment_metric"); failed {
		return st
	}
	if int(id) >= len(h.ids) {
		return abi.StatusNotFound
	}
	h.Counters[h.ids[id]] += delta
	return abi.StatusOK
}

func (h *Host) SetTickPeriod(ms uint32) abi.Status {
	if st, failed := h.call("proxy_set_tick_period_milliseconds"); failed {
		return st
	}
	h.Tick = ms
	return abi.StatusOK
}
