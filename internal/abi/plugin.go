package abi

// Plugin receives the host's callbacks. The module registers one with
// SetPlugin during package initialisation; the exports dispatch to it.
// Callbacks never run concurrently.
type Plugin interface {
	// OnVMStart: the VM started with a vm configuration of size bytes.
	OnVMStart(vmConfigSize int) bool
	// OnConfigure: root context rootID has a new plugin configuration of
	// size bytes (read it with PluginConfiguration). false rejects it.
	OnConfigure(rootID uint32, size int) bool
	// OnContextCreate: a root context (parentID 0) or an HTTP stream
	// context whose plugin is parentID.
	OnContextCreate(id, parentID uint32)
	// OnTick: the timer of root context rootID fired (see SetTickPeriod).
	OnTick(rootID uint32)
	OnRequestHeaders(id uint32, numHeaders int, endOfStream bool) Action
	OnResponseHeaders(id uint32, numHeaders int, endOfStream bool) Action
	// OnDone: the host is done with the context (a stream, or a root
	// context at plugin shutdown); true means the plugin is done too.
	OnDone(id uint32) bool
	// OnLog: the stream completed (access-log time).
	OnLog(id uint32)
	// OnDelete: the context is gone; its id may be reused.
	OnDelete(id uint32)
}

// NopPlugin does nothing and lets everything through. Embed it to
// implement only some callbacks.
type NopPlugin struct{}

func (NopPlugin) OnVMStart(int) bool                         { return true }
func (NopPlugin) OnConfigure(uint32, int) bool               { return true }
func (NopPlugin) OnContextCreate(uint32, uint32)             {}
func (NopPlugin) OnTick(uint32)                              {}
func (NopPlugin) OnRequestHeaders(uint32, int, bool) Action  { return Continue }
func (NopPlugin) OnResponseHeaders(uint32, int, bool) Action { return Continue }
func (NopPlugin) OnDone(uint32) bool                         { return true }
func (NopPlugin) OnLog(uint32)                               {}
func (NopPlugin) OnDelete(uint32)                            {}

var plugin Plugin = NopPlugin{}

// SetPlugin registers the plugin the exports dispatch to.
func SetPlugin(p Plugin) { plugin = p }
