package corshttp_test

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/corshttp"
)

// TestHandlerOverHTTP sends raw HTTP/1.1 requests to a real server on
// 127.0.0.1, so repeated header lines reach the adapter the way a client
// sent them, and checks the response as it is on the wire.
func TestHandlerOverHTTP(t *testing.T) {
	p := mustCompile(t, testConfig)
	srv := httptest.NewServer(corshttp.Handler(p, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*") // a backend that answers CORS itself
		w.Write([]byte("hello"))
	})))
	defer srv.Close()

	tests := []struct {
		name       string
		head       string // request line and headers, CRLF-separated, without the final blank line
		wantStatus int
		want       map[string]string // "" = absent
	}{
		{"allowed preflight",
			"OPTIONS /api HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type",
			204, map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Credentials": "true", "Vary": preflightVary}},
		{"split Access-Control-Request-Headers lines",
			"OPTIONS /api HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\nAccess-Control-Request-Headers: x-request-id",
			204, map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}},
		{"refused preflight",
			"OPTIONS /api HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com.evil.com\r\nAccess-Control-Request-Method: PUT",
			403, map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": ""}},
		{"allowed actual: the backend's * is replaced",
			"GET /api HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com",
			200, map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Vary": "Origin"}},
		{"two Origin lines: the backend's * is stripped, nothing allowed",
			"GET /api HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com\r\nOrigin: https://evil.com",
			200, map[string]string{"Access-Control-Allow-Origin": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte(tc.head + "\r\nConnection: close\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tc.wantStatus {
				t.Errorf("status: got %d; want %d", res.StatusCode, tc.wantStatus)
			}
			for name, want := range tc.want {
				if got := strings.Join(res.Header.Values(name), " | "); got != want {
					t.Errorf("%s: got %q; want %q", name, got, want)
				}
			}
		})
	}
}
