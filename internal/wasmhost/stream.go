package wasmhost

import (
	"fmt"
	"github.com/tetratelabs/wazero/api"
	"strconv"
	"strings"
)

// Header is one header line; names are lowercase, as in Envoy.
type Header = [2]string

// Stream is one HTTP stream through an Instance.
type Stream struct {
	in       *Instance
	ID       uint32
	Request  []Header
	Response []Header
	// LocalReply is what the module sent with proxy_send_local_response,
	// nil if it sent none.
	LocalReply *LocalReply
}

// LocalReply is a proxy_send_local_response call.
type LocalReply struct {
	Status  int
	Details string
	Body    string
	Headers []Header
}

// NewStream creates an HTTP context under the root context.
func (in *Instance) NewStream() (*Stream, error) {
	s := &Stream{in: in, ID: in.nextID}
	in.nextID++
	_, err := in.call(in.onContextCreate, uint64(s.ID), RootID)
	return s, err
}

// RequestHeaders runs proxy_on_request_headers with headers (names are
// lowercased). It returns the module's action: 0 Continue, 1 Pause.
func (s *Stream) RequestHeaders(headers []Header, endOfStream bool) (uint32, error) {
	s.Request = lower(headers)
	return s.run(s.in.onRequestHeaders, len(headers), endOfStream)
}

// ResponseHeaders runs proxy_on_response_headers with headers, which
// include ":status".
func (s *Stream) ResponseHeaders(headers []Header, endOfStream bool) (uint32, error) {
	s.Response = lower(headers)
	return s.run(s.in.onResponseHeaders, len(headers), endOfStream)
}

// LocalReplyPass does what Envoy does after a filter sends a local reply:
// it runs the same filter's response-header callback on the reply's
// headers. It returns the headers as the callback left them.
func (s *Stream) LocalReplyPass() ([]Header, uint32, error) {
	if s.LocalReply == nil {
		return nil, 0, fmt.Errorf("stream %d sent no local reply", s.ID)
	}
	h := append([]Header{{":status", strconv.Itoa(s.LocalReply.Status)}}, s.LocalReply.Headers...)
	action, err := s.ResponseHeaders(h, true)
	return s.Response, action, err
}

// End runs proxy_on_done, proxy_on_log and proxy_on_delete, Envoy's order
// at stream end.
func (s *Stream) End() error {
	if _, err := s.in.call(s.in.onDone, uint64(s.ID)); err != nil {
		return err
	}
	if _, err := s.in.call(s.in.onLog, uint64(s.ID)); err != nil {
		return err
	}
	_, err := s.in.call(s.in.onDel, uint64(s.ID))
	return err
}

func (s *Stream) run(f api.Function, n int, eos bool) (uint32, error) {
	s.in.active = s
	defer func() { s.in.active = nil }()
	var e uint64
	if eos {
		e = 1
	}
	res, err := s.in.call(f, uint64(s.ID), uint64(n), e)
	return uint32(res), err
}

func lower(h []Header) []Header {
	out := make([]Header, len(h))
	for i, kv := range h {
		out[i] = Header{strings.ToLower(kv[0]), kv[1]}
	}
	return out
}

// Get returns the values of name in headers.
func Get(headers []Header, name string) []string {
	var out []string
	for _, kv := range headers {
		if kv[0] == name {
			out = append(out, kv[1])
		}
	}
	return out
}
