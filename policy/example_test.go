package policy_test

import (
	"fmt"

	"github.com/corswasm/corswasm/policy"
)

// New validates a whole configuration at once: every problem comes back
// in one error, each naming its JSON path, the value and the fix.
func ExampleNew() {
	_, err := policy.New(policy.Config{Rules: policy.Rules{
		AllowOrigins:     []string{"*", "https://*.github.io"},
		AllowCredentials: true,
	}})
	fmt.Println(err)
	// Output:
	// allowOrigins[0]: "*": cannot be combined with allowCredentials: browsers reject "Access-Control-Allow-Origin: *" on credentialed requests, and reflecting any origin would let every site read users' data; list the trusted origins
	// allowOrigins[1]: "https://*.github.io": a wildcard over a public suffix trusts every site registered under it; list the origins you trust instead
}

// A legal but risky setting loads, with a Warning whose Code tools can
// match on.
func ExamplePolicy_Warnings() {
	p, err := policy.New(policy.Config{Rules: policy.Rules{
		AllowOrigins: []string{"https://app.example.com"},
		AllowMethods: []string{"GET", "delete"},
	}})
	if err != nil {
		panic(err)
	}
	for _, w := range p.Warnings() {
		fmt.Println(w.Code, w.Path)
	}
	// Output:
	// method-case allowMethods[1]
}

// Evaluate decides a request without I/O or allocation; the adapter
// carries the Decision out: here, a preflight answered by a local reply.
func ExamplePolicy_Evaluate() {
	p, err := policy.New(policy.Config{Rules: policy.Rules{
		AllowOrigins:     []string{"https://app.example.com"},
		AllowMethods:     []string{"GET", "PUT"},
		AllowCredentials: true,
	}})
	if err != nil {
		panic(err)
	}
	d := p.Evaluate(&policy.Request{
		Method:                     "OPTIONS",
		Origin:                     "https://app.example.com",
		AccessControlRequestMethod: "PUT",
		Authority:                  "api.example.com",
		Path:                       "/items",
	})
	fmt.Println(d.Allowed, d.Action == policy.Respond, d.Status)
	for _, h := range d.HeaderList() {
		fmt.Printf("%s: %s\n", h.Name, h.Value)
	}
	fmt.Println("vary:", d.Vary)

	// An origin not on the list: refused, and nothing reflected.
	d = p.Evaluate(&policy.Request{Method: "GET", Origin: "https://evil.example", Authority: "api.example.com", Path: "/"})
	fmt.Println(d.Allowed, d.Reason, d.NumHeaders)
	// Output:
	// true true 204
	// access-control-allow-origin: https://app.example.com
	// access-control-allow-credentials: true
	// access-control-allow-methods: GET, PUT
	// vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
	// false origin_not_allowed 0
}
