//go:build wasip1

package abi

// took reads the (address, size) the host returned and maps it back into
// arena memory.
func took() ([]byte, bool) {
	b, ok := mem.lookup(retPtr, retSize)
	retPtr, retSize = 0, 0
	return b, ok
}
