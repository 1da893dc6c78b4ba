package psl

import "testing"

// benchDomains is what a config check asks: hosts of wildcard origins.
var benchDomains = []string{"example.com", "co.uk", "github.io", "eu-west-1.compute.amazonaws.com", "internal"}

// BenchmarkPSLFirstLookup is the cost of the first wildcard origin checked
// in a process: parsing the embedded list, then one lookup. It is paid once
// (sync.OnceValue), at configuration time, never per request.
func BenchmarkPSLFirstLookup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		tab := parse(listData)
		if ps, _ := tab.publicSuffix("github.io"); ps != "github.io" {
			b.Fatalf("publicSuffix(github.io): got %q; want %q", ps, "github.io")
		}
	}
}

// BenchmarkIsPublicSuffix is a lookup once the list is parsed.
func BenchmarkIsPublicSuffix(b *testing.B) {
	rules() // parse outside the timed loop
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range benchDomains {
			IsPublicSuffix(d)
		}
	}
}

// BenchmarkXNetIsPublicSuffix is the baseline: the same lookups through
// golang.org/x/net/publicsuffix, whose list is compiled into tables.
func BenchmarkXNetIsPublicSuffix(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range benchDomains {
			xnetIsPublicSuffix(d)
		}
	}
}
