package policy_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/corswasm/corswasm/policy"
)

// BenchmarkCompile is plugin start's share of the engine natively: one
// policy.Compile of the 10,000-origin config BenchmarkColdStart (root
// package) sends to the module, and of examples/config.json.
func BenchmarkCompile(b *testing.B) {
	example, err := os.ReadFile("../examples/config.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		config []byte
	}{{"10k-origins", origins10k()}, {"example-config", example}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := policy.Compile(c.config); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func origins10k() []byte {
	var sb strings.Builder
	sb.WriteString(`{"allowOrigins": [`)
	for i := range 10000 {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(`"https://app` + strconv.Itoa(i) + `.example.com"`)
	}
	sb.WriteString(`], "allowCredentials": true, "allowMethods": ["GET", "POST", "PUT"]}`)
	return []byte(sb.String())
}
