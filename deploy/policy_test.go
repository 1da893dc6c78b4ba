package deploy

import "github.com/corswasm/corswasm/policy"

// compilePolicy runs a plugin configuration through the same validation the
// filter's configure step uses (policy.Compile), and returns the policy's
// warnings (legal but risky settings) rendered like validation errors.
func compilePolicy(data []byte) ([]string, error) {
	p, err := policy.Compile(data)
	if err != nil {
		return nil, err
	}
	var warnings []string
	for _, w := range p.Warnings() {
		warnings = append(warnings, w.String())
	}
	return warnings, nil
}
