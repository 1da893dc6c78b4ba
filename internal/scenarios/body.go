package scenarios

import (
	"fmt"
	"strings"
)

// CheckLocalBody checks the body of the filter's own reply: a refusal
// (403) says why in one line of text, for people reading it with curl,
// and echoes nothing from the request (a reflected value in a reply is an
// injection point); an allowed preflight's body is empty. It returns one
// message per problem, reading "got …; want …".
func (s Scenario) CheckLocalBody(status int, body string) []string {
	var errs []string
	if status != 403 {
		if body != "" {
			errs = append(errs, fmt.Sprintf("local reply body: got %q; want none on a %d", body, status))
		}
		return errs
	}
	if body == "" || !strings.HasSuffix(body, "\n") || strings.Count(body, "\n") != 1 {
		errs = append(errs, fmt.Sprintf("local reply body: got %q; want one line of text ending in a newline", body))
	}
	for _, h := range s.Headers {
		// The request values a reflection would show: the origin and
		// the requested method and headers (enumerated values such as
		// Sec-Fetch-Site's "cross-site" may occur in the reason itself).
		switch strings.ToLower(h[0]) {
		case "origin", "access-control-request-method", "access-control-request-headers":
		default:
			continue
		}
		if v := strings.TrimSpace(h[1]); v != "" && strings.Contains(body, v) {
			errs = append(errs, fmt.Sprintf("local reply body: got %q; want nothing from the request (it contains %s %q)", body, h[0], v))
		}
	}
	return errs
}
