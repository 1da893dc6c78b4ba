package deploy

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/corswasm/corswasm/policy"
	"github.com/corswasm/corswasm/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compilePolicy runs a plugin configuration through the same validation the
// filter's configure step uses (policy.Compile) and through the published
// JSON Schema that editors use, and returns the policy's warnings (legal
// but risky settings) rendered like validation errors.
func compilePolicy(data []byte) ([]string, error) {
	p, err := policy.Compile(data)
	if err != nil {
		return nil, err
	}
	if err := matchesSchema(data); err != nil {
		return nil, err
	}
	var warnings []string
	for _, w := range p.Warnings() {
		warnings = append(warnings, w.String())
	}
	return warnings, nil
}

var (
	schemaOnce sync.Once
	configSch  *jsonschema.Schema
	schemaErr  error
)

func matchesSchema(data []byte) error {
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.JSON))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		if schemaErr = c.AddResource(schema.ID, doc); schemaErr != nil {
			return
		}
		configSch, schemaErr = c.Compile(schema.ID)
	})
	if schemaErr != nil {
		return fmt.Errorf("schema/corswasm.schema.json: %v", schemaErr)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	if err := configSch.Validate(inst); err != nil {
		return fmt.Errorf("accepted by policy.Compile but not by schema/corswasm.schema.json: %v", err)
	}
	return nil
}
