package filter

import (
	"errors"
	"strings"

	"github.com/corswasm/corswasm/internal/abi"
	"github.com/corswasm/corswasm/policy"
)

var errNoConfig = errors.New("plugin configuration is empty: set the filter's configuration to the corswasm JSON (see examples/config.json)")

// loadPolicy reads the plugin configuration (size bytes) and compiles it.
func loadPolicy(size int) (*policy.Policy, error) {
	data, st := abi.PluginConfiguration(size)
	if st == abi.StatusEmpty || st == abi.StatusNotFound || (st == abi.StatusOK && len(data) == 0) {
		return nil, errNoConfig
	}
	if st != abi.StatusOK {
		return nil, errors.New("cannot read the plugin configuration from the host")
	}
	return policy.Compile(data)
}

// logConfigError logs every problem of a rejected configuration at error
// level, one line each, so the operator can fix them all in one go.
func logConfigError(err error) {
	abi.Log(abi.LogError, "corswasm: configuration rejected:")
	for _, line := range strings.Split(err.Error(), "\n") {
		abi.Log(abi.LogError, "corswasm: "+line)
	}
}
