// Command corswasm is the CORS filter for Envoy: a proxy-wasm module built
// from standard Go (GOOS=wasip1 GOARCH=wasm -buildmode=c-shared, see the
// Makefile). The filter itself lives in internal/filter, where it is
// tested natively; this package only registers it with the ABI binding.
package main

import (
	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/internal/filter"
)

func init() { abi.SetPlugin(filter.New()) }

// main is not called: the module is a reactor, the host calls _initialize.
func main() {}
