package main

import (
	"fmt"
	"io"

	"github.com/corswasm/corswasm/schema"
)

// runSchema prints the embedded JSON Schema, so editors can be pointed at
// a local copy: corsctl schema > corswasm.schema.json.
func runSchema(args []string, stdout, stderr io.Writer) int {
	if len(args) != 0 {
		fmt.Fprintf(stderr, "corsctl schema: takes no arguments\n")
		return exitUsage
	}
	stdout.Write(schema.JSON)
	return exitOK
}
