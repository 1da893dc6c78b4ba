// Command noopfilter is a proxy-wasm module that lets every request
// through untouched. Built exactly like build/cors.wasm (same binding, same
// flags), it is the baseline the benchmarks and footprint numbers compare
// against: the difference is what the CORS policy costs.
package main

import "github.com/corswasm/corswasm/internal/abi"

func init() { abi.SetPlugin(abi.NopPlugin{}) }

// main is not called in a reactor (-buildmode=c-shared); the host calls
// _initialize, which runs init.
func main() {}
