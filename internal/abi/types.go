package abi

// Status is a proxy-wasm call result.
type Status uint32

// Status values used by this binding (proxy-wasm ABI 0.2.1).
const (
	StatusOK            Status = 0
	StatusNotFound      Status = 1
	StatusBadArgument   Status = 2
	StatusEmpty         Status = 7
	StatusUnimplemented Status = 12
)

// MapType selects a header map.
type MapType uint32

// Header maps of an HTTP stream.
const (
	RequestHeaders  MapType = 0
	ResponseHeaders MapType = 2
)

// bufferPluginConfiguration is the proxy-wasm buffer type of the plugin
// configuration.
const bufferPluginConfiguration uint32 = 7

// LogLevel is a proxy_log level.
type LogLevel uint32

// Log levels.
const (
	LogTrace    LogLevel = 0
	LogDebug    LogLevel = 1
	LogInfo     LogLevel = 2
	LogWarn     LogLevel = 3
	LogError    LogLevel = 4
	LogCritical LogLevel = 5
)

// Action is what a header callback returns to the host.
type Action uint32

// Actions.
const (
	// Continue lets the host run the next filter.
	Continue Action = 0
	// Pause stops filter iteration (StopIteration), e.g. after a local reply.
	Pause Action = 1
)

// metricCounter is the proxy-wasm metric type of a counter.
const metricCounter uint32 = 0
