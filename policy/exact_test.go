package policy

import "testing"

// TestExactKeysParse: matchOrigin answers an exact hit without parsing the
// request's Origin, which is sound only if every exact key is itself a
// strictly well-formed request Origin (so reflecting it is safe). New
// normalizes config origins; this pins that the result always parses.
func TestExactKeysParse(t *testing.T) {
	p, err := New(Config{Rules: Rules{AllowOrigins: []string{
		"https://app.example.com", "https://APP2.Example.COM", "https://bücher.example:8443",
		"https://[::1]:8443", "https://[::ffff:102:304]", "http://localhost:3000", "http://127.0.0.1",
		"chrome-extension://abcdefghijklmnop", "https://a-b_c.example.com", "https://xn--bcher-kva.example",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.def.exact) == 0 {
		t.Fatal("got no exact origins; want the config's")
	}
	for k := range p.def.exact {
		if _, ok := parseRequestOrigin(k); !ok || len(k) > maxOriginLen {
			t.Errorf("exact key %q: got rejected by parseRequestOrigin; want every key a well-formed Origin", k)
		}
	}
}
