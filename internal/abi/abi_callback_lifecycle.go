//go:build wasip1

package abi

// proxy_abi_version_0_2_1 tells the host which ABI the module speaks.
//
//go:wasmexport proxy_abi_version_0_2_1
func proxyABIVersion021() {}

//go:wasmexport proxy_on_vm_start
func proxyOnVMStart(rootID, vmConfigSize uint32) uint32 {
	mem.reset()
	return boolU32(plugin.OnVMStart(int(vmConfigSize)))
}

//go:wasmexport proxy_on_configure
func proxyOnConfigure(rootID, pluginConfigSize uint32) uint32 {
	mem.reset()
	ok := plugin.OnConfigure(rootID, int(pluginConfigSize))
	letRuntimeRun()
	return boolU32(ok)
}

//go:wasmexport proxy_on_context_create
func proxyOnContextCreate(id, parentID uint32) {
	mem.reset()
	plugin.OnContextCreate(id, parentID)
}

// proxy_on_tick: the timer set with SetTickPeriod fired for root context
// rootID.
//
//go:wasmexport proxy_on_tick
func proxyOnTick(rootID uint32) {
	mem.reset()
	plugin.OnTick(rootID)
}

//go:wasmexport proxy_on_done
func proxyOnDone(id uint32) uint32 {
	mem.reset()
	return boolU32(plugin.OnDone(id))
}

//go:wasmexport proxy_on_log
func proxyOnLog(id uint32) {
	mem.reset()
	plugin.OnLog(id)
	streamEnded()
}

//go:wasmexport proxy_on_delete
func proxyOnDelete(id uint32) {
	mem.reset()
	plugin.OnDelete(id)
	streamEnded()
}

func boolU32(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
