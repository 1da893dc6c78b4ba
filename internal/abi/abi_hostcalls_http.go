//go:build wasip1

package abi

import "unsafe"

// proxy_send_local_response(status, details, body, headers, grpc_status):
// the host replies to the downstream without forwarding the request.
//
//go:wasmimport env proxy_send_local_response
func proxySendLocalResponse(status uint32, details unsafe.Pointer, detailsSize uint32, body unsafe.Pointer, bodySize uint32, headers unsafe.Pointer, headersSize uint32, grpcStatus int32) uint32
