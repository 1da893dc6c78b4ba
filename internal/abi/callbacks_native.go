//go:build !wasip1

package abi

// Natively there are no exports for a host to call: a test calls these
// instead, in the order the proxy would. Each does what its
// //go:wasmexport twin in abi_callback_*.go does (reset the arena,
// dispatch to the registered Plugin, give the runtime its turn), so a
// native run goes through the same steps as the module's.

// CallOnVMStart is proxy_on_vm_start.
func CallOnVMStart(vmConfigSize int) bool {
	mem.reset()
	return plugin.OnVMStart(vmConfigSize)
}

// CallOnConfigure is proxy_on_configure.
func CallOnConfigure(rootID uint32, size int) bool {
	mem.reset()
	ok := plugin.OnConfigure(rootID, size)
	letRuntimeRun()
	return ok
}

// CallOnContextCreate is proxy_on_context_create.
func CallOnContextCreate(id, parentID uint32) {
	mem.reset()
	plugin.OnContextCreate(id, parentID)
}

// CallOnTick is proxy_on_tick.
func CallOnTick(rootID uint32) {
	mem.reset()
	plugin.OnTick(rootID)
}

// CallOnRequestHeaders is proxy_on_request_headers.
func CallOnRequestHeaders(id uint32, numHeaders int, endOfStream bool) Action {
	mem.reset()
	return plugin.OnRequestHeaders(id, numHeaders, endOfStream)
}

// CallOnResponseHeaders is proxy_on_response_headers.
func CallOnResponseHeaders(id uint32, numHeaders int, endOfStream bool) Action {
	mem.reset()
	return plugin.OnResponseHeaders(id, numHeaders, endOfStream)
}

// CallOnDone is proxy_on_done.
func CallOnDone(id uint32) bool {
	mem.reset()
	return plugin.OnDone(id)
}

// CallOnLog is proxy_on_log.
func CallOnLog(id uint32) {
	mem.reset()
	plugin.OnLog(id)
	streamEnded()
}

// CallOnDelete is proxy_on_delete.
func CallOnDelete(id uint32) {
	mem.reset()
	plugin.OnDelete(id)
	streamEnded()
}
