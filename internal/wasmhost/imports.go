package wasmhost

import (
	"github.com/tetratelabs/wabin/binary"
	"github.com/tetratelabs/wabin/wasm"
)

// Imports lists a module's imported functions as "module.name" by
// decoding it (no compilation, so it is fast even for large modules).
func Imports(module []byte) ([]string, error) {
	mod, err := binary.DecodeModule(module, wasm.CoreFeaturesV2)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, imp := range mod.ImportSection {
		if imp.Type == wasm.ExternTypeFunc {
			out = append(out, imp.Module+"."+imp.Name)
		}
	}
	return out, nil
}
