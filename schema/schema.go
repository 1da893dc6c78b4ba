// Package schema holds the JSON Schema (draft 2020-12) of the corswasm
// plugin configuration, for editors and for `corsctl schema`. The policy
// package stays the authority: the schema catches structure (names, types,
// enums, ranges, token syntax) while editing, and schema_test.go keeps the
// two in sync.
package schema

import _ "embed"

// JSON is corswasm.schema.json.
//
//go:embed corswasm.schema.json
var JSON []byte

// ID is the schema's $id.
const ID = "https://raw.githubusercontent.com/corswasm/corswasm/main/schema/corswasm.schema.json"
