package abi

import (
	"bytes"
	"unsafe"
)

// Return slots the host writes an i32 address and size into. Package
// variables, not locals: see the package comment.
var retPtr, retSize, retID uint32

func strPtr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

func bytesPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

// retLevel is proxy_get_log_level's return slot (a package variable, as
// the other return slots).
var retLevel uint32

// GetLogLevel returns the lowest level the host logs (proxy_get_log_level,
// ABI 0.2.1; Envoy answers with its "wasm" logger's level). On any failure
// it returns LogTrace with the status: a host that cannot say is assumed
// to log everything, so nothing is lost.
func GetLogLevel() (LogLevel, Status) {
	retLevel = uint32(LogTrace)
	st := Status(proxyGetLogLevel(unsafe.Pointer(&retLevel)))
	if st != StatusOK {
		return LogTrace, st
	}
	return LogLevel(retLevel), StatusOK
}

// Log writes msg at level to the host's log.
func Log(level LogLevel, msg string) {
	proxyLog(uint32(level), strPtr(msg), uint32(len(msg)))
}

// LogBytes is Log for a message built in a byte buffer.
func LogBytes(level LogLevel, msg []byte) {
	proxyLog(uint32(level), bytesPtr(msg), uint32(len(msg)))
}

// PluginConfiguration returns a fresh copy of the plugin configuration
// (size bytes, as announced by proxy_on_configure). The copy is the
// caller's to keep.
func PluginConfiguration(size int) ([]byte, Status) {
	if size <= 0 {
		return nil, StatusEmpty
	}
	st := Status(proxyGetBufferBytes(bufferPluginConfiguration, 0, uint32(size), unsafe.Pointer(&retPtr), unsafe.Pointer(&retSize)))
	if st != StatusOK {
		return nil, st
	}
	b, ok := took()
	if !ok {
		return nil, StatusBadArgument
	}
	return bytes.Clone(b), StatusOK
}

// GetHeader returns the first value of the header key (lowercase) in map
// m. The value aliases guest memory valid until the callback returns.
func GetHeader(m MapType, key string) (string, bool) {
	st := Status(proxyGetHeaderMapValue(uint32(m), strPtr(key), uint32(len(key)), unsafe.Pointer(&retPtr), unsafe.Pointer(&retSize)))
	if st != StatusOK {
		return "", false
	}
	b, ok := took()
	return bytesString(b), ok
}

// GetHeaders returns every header line of map m in one hostcall. The
// strings alias guest memory valid until the callback returns.
func GetHeaders(m MapType) (Pairs, Status) {
	st := Status(proxyGetHeaderMapPairs(uint32(m), unsafe.Pointer(&retPtr), unsafe.Pointer(&retSize)))
	if st != StatusOK {
		return Pairs{}, st
	}
	if retSize == 0 {
		return Pairs{}, StatusOK
	}
	b, ok := took()
	if !ok {
		return Pairs{}, StatusBadArgument
	}
	p, err := decodePairs(b)
	if err != nil {
		return Pairs{}, StatusBadArgument
	}
	return p, StatusOK
}

// AddHeader appends a header line.
func AddHeader(m MapType, key, value string) Status {
	return Status(proxyAddHeaderMapValue(uint32(m), strPtr(key), uint32(len(key)), strPtr(value), uint32(len(value))))
}

// ReplaceHeader sets key to value, replacing any value it had, so the map
// holds exactly one line for key.
func ReplaceHeader(m MapType, key, value string) Status {
	return Status(proxyReplaceHeaderMapValue(uint32(m), strPtr(key), uint32(len(key)), strPtr(value), uint32(len(value))))
}

// RemoveHeader removes key from the map.
func RemoveHeader(m MapType, key string) Status {
	return Status(proxyRemoveHeaderMapValue(uint32(m), strPtr(key), uint32(len(key))))
}

// SendLocalResponse replies to the downstream with status, headers and an
// empty body; the request is not forwarded. details is Envoy's response
// code detail: it must not contain spaces.
func SendLocalResponse(status int, details string, headers []Header) Status {
	enc := mem.alloc(encodedSize(headers))
	encodePairs(enc, headers)
	return Status(proxySendLocalResponse(uint32(status), strPtr(details), uint32(len(details)), nil, 0, bytesPtr(enc), uint32(len(enc)), -1))
}

// GetProperty returns the host property at path (one segment, e.g.
// "route_name"). The value aliases guest memory valid until the callback
// returns.
func GetProperty(path string) (string, bool) {
	st := Status(proxyGetProperty(strPtr(path), uint32(len(path)), unsafe.Pointer(&retPtr), unsafe.Pointer(&retSize)))
	if st != StatusOK {
		return "", false
	}
	if retSize == 0 {
		return "", true
	}
	b, ok := took()
	return bytesString(b), ok
}

// DefineCounter defines (or finds) the counter name and returns its id.
func DefineCounter(name string) (uint32, Status) {
	st := Status(proxyDefineMetric(metricCounter, strPtr(name), uint32(len(name)), unsafe.Pointer(&retID)))
	return retID, st
}

// IncrementCounter adds delta to a counter.
func IncrementCounter(id uint32, delta int64) Status {
	return Status(proxyIncrementMetric(id, delta))
}

// SetTickPeriod asks the host to call proxy_on_tick on the current root
// context every ms milliseconds (0 stops the timer). Call it from a root
// context callback (configure): the host ties the timer to that context.
func SetTickPeriod(ms uint32) Status {
	return Status(proxySetTickPeriodMilliseconds(ms))
}
