//go:build wasip1

package abi

//go:wasmexport proxy_on_request_headers
func proxyOnRequestHeaders(id, numHeaders, endOfStream uint32) uint32 {
	mem.reset()
	return uint32(plugin.OnRequestHeaders(id, int(numHeaders), endOfStream != 0))
}

//go:wasmexport proxy_on_response_headers
func proxyOnResponseHeaders(id, numHeaders, endOfStream uint32) uint32 {
	mem.reset()
	return uint32(plugin.OnResponseHeaders(id, int(numHeaders), endOfStream != 0))
}
