//go:build !wasip1

package fakehost

import (
	"strconv"

	"github.com/corswasm/corswasm/internal/abi"
)

// RootID is the root context (plugin) the drivers below use.
const RootID = 1

// Configure creates the root context and hands it h.Config, as a proxy
// does when it loads the plugin or pushes a new configuration. It returns
// the plugin's verdict.
func (h *Host) Configure() bool {
	abi.CallOnContextCreate(RootID, 0)
	return abi.CallOnConfigure(RootID, len(h.Config))
}

// Exchange is one stream's request and what came of it.
type Exchange struct {
	// RequestAction is what the request callback returned.
	RequestAction abi.Action
	// Local is the plugin's local reply, nil if the request was forwarded.
	Local *LocalReply
	// Status and Response are what the client receives: the local reply
	// as the plugin's own response pass left it, or the upstream's
	// response as the plugin decorated it.
	Status   int
	Response []abi.Header
}

// Stream runs one stream (context id) through the plugin: request headers;
// then, if the plugin replied locally, that reply's own response pass (as
// Envoy runs one), else the upstream's response (status, header lines);
// then the end of the stream (log, delete).
func (h *Host) Stream(id uint32, request []abi.Header, status int, upstream []abi.Header) Exchange {
	abi.CallOnContextCreate(id, RootID)
	h.Request, h.Response, h.Local = request, nil, nil
	var x Exchange
	x.RequestAction = abi.CallOnRequestHeaders(id, len(request), true)
	x.Local = h.Local
	if x.Local != nil {
		status = x.Local.Status
		upstream = x.Local.Headers
	}
	h.Response = append([]abi.Header{{Name: ":status", Value: strconv.Itoa(status)}}, upstream...)
	abi.CallOnResponseHeaders(id, len(h.Response), false)
	x.Status, x.Response = status, h.Response[1:]
	abi.CallOnLog(id)
	abi.CallOnDelete(id)
	return x
}

// FireTick fires the root context's timer.
func (h *Host) FireTick() { abi.CallOnTick(RootID) }

// Shutdown ends the root context: proxy_on_done, then proxy_on_delete.
func (h *Host) Shutdown() {
	abi.CallOnDone(RootID)
	abi.CallOnDelete(RootID)
}
