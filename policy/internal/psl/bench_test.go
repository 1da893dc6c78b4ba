package psl

import "testing"

// benchDomains is what a config check asks: hosts of wildcard origins.
var benchDomains = []string{"example.com", "co.uk", "github.io", "eu-west-1.compute.amazonaws.com", "internal"}

// BenchmarkIsPublicSuffix is the lookups a config check makes. There is
// no first-use cost: the list is compiled into sorted text, searched in
// place.
func BenchmarkIsPublicSuffix(b *testing.B) {
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
