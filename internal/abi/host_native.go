//go:build !wasip1

package abi

// Outside wasm there is no proxy-wasm host. The raw imports below (the
// native twins of abi_hostcalls_*.go) hand each call to a Host that tests
// register with SetHost, as the proxy-wasm Go SDK routes its native build
// to a mock host: a plugin written against this package then runs
// natively, with coverage, through the same typed API and the same wire
// formats (header pairs, return slots) as in the module. Without a
// registered host every call reports StatusUnimplemented, so packages
// using this binding still build and vet natively.

// Host is what a native test stands in for the proxy: one method per
// proxy-wasm import this binding uses, with Go values instead of guest
// addresses. Header names reach it lowercase, as Envoy stores them.
type Host interface {
	Log(level LogLevel, msg string) Status
	LogLevel() (LogLevel, Status)
	// PluginConfiguration is proxy_get_buffer_bytes on the plugin
	// configuration buffer.
	PluginConfiguration() ([]byte, Status)
	// HeaderValue is the first line of key in map m.
	HeaderValue(m MapType, key string) (string, Status)
	// HeaderPairs is every line of map m, in order.
	HeaderPairs(m MapType) ([]Header, Status)
	AddHeader(m MapType, key, value string) Status
	ReplaceHeader(m MapType, key, value string) Status
	RemoveHeader(m MapType, key string) Status
	SendLocalResponse(status int, details, body string, headers []Header) Status
	Property(path string) (string, Status)
	DefineCounter(name string) (uint32, Status)
	IncrementCounter(id uint32, delta int64) Status
	SetTickPeriod(ms uint32) Status
}

var host Host = noHost{}

// SetHost routes this package's host calls to h and returns a function
// that restores the previous host (nil restores the default, which
// implements nothing).
func SetHost(h Host) (restore func()) {
	prev := host
	if h == nil {
		h = noHost{}
	}
	host = h
	return func() { host = prev }
}

// noHost answers every call with StatusUnimplemented.
type noHost struct{}

func (noHost) Log(LogLevel, string) Status                            { return StatusUnimplemented }
func (noHost) LogLevel() (LogLevel, Status)                           { return LogTrace, StatusUnimplemented }
func (noHost) PluginConfiguration() ([]byte, Status)                  { return nil, StatusUnimplemented }
func (noHost) HeaderValue(MapType, string) (string, Status)           { return "", StatusUnimplemented }
func (noHost) HeaderPairs(MapType) ([]Header, Status)                 { return nil, StatusUnimplemented }
func (noHost) AddHeader(MapType, string, string) Status               { return StatusUnimplemented }
func (noHost) ReplaceHeader(MapType, string, string) Status           { return StatusUnimplemented }
func (noHost) RemoveHeader(MapType, string) Status                    { return StatusUnimplemented }
func (noHost) SendLocalResponse(int, string, string, []Header) Status { return StatusUnimplemented }
func (noHost) Property(string) (string, Status)                       { return "", StatusUnimplemented }
func (noHost) DefineCounter(string) (uint32, Status)                  { return 0, StatusUnimplemented }
func (noHost) IncrementCounter(uint32, int64) Status                  { return StatusUnimplemented }
func (noHost) SetTickPeriod(uint32) Status                            { return StatusUnimplemented }
