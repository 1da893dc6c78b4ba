package abi

// SendLocalResponseWithBody is SendLocalResponse with a body (issue 11:
// a refused request gets a one-line reason). Kept in its own file, next to
// SendLocalResponse rather than changing its signature, so that this
// addition cannot conflict with other work on the ABI layer.
func SendLocalResponseWithBody(status int, details, body string, headers []Header) Status {
	enc := mem.alloc(encodedSize(headers))
	encodePairs(enc, headers)
	return Status(proxySendLocalResponse(uint32(status), strPtr(details), uint32(len(details)), strPtr(body), uint32(len(body)), bytesPtr(enc), uint32(len(enc)), -1))
}
