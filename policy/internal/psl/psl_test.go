package psl

import (
	"strings"
	"testing"
)

// TestIsPublicSuffix runs the list's algorithm over the shipped list.
func TestIsPublicSuffix(t *testing.T) {
	tests := []struct {
		name   string
		domain string
		want   bool
	}{
		{"normal rule, TLD", "com", true},
		{"registrable domain under a TLD", "example.com", false},
		{"subdomain under a TLD", "www.example.com", false},
		{"multi-label normal rule", "co.uk", true},
		{"registrable domain under a multi-label rule", "example.co.uk", false},
		{"TLD of a multi-label rule", "uk", true},
		{"private section", "github.io", true},
		{"user site under a private-section suffix", "me.github.io", false},
		{"private section, s3 style", "s3.amazonaws.com", true},
		{"bucket under s3", "bucket.s3.amazonaws.com", false},
		{"parent of a private-section rule", "amazonaws.com", false},
		{"private wildcard *.compute.amazonaws.com", "eu-west-1.compute.amazonaws.com", true},
		{"host under a private wildcard", "ec2-1-2-3-4.eu-west-1.compute.amazonaws.com", false},
		{"wildcard *.ck matches one label", "foo.ck", true},
		{"wildcard base without its own rule falls to the implicit rule", "ck", true},
		{"under a wildcard match", "a.foo.ck", false},
		{"exception !www.ck", "www.ck", false},
		{"below an exception", "a.www.ck", false},
		{"wildcard *.kawasaki.jp", "foo.kawasaki.jp", true},
		{"wildcard base under a listed TLD is not a suffix", "kawasaki.jp", false},
		{"exception !city.kawasaki.jp", "city.kawasaki.jp", false},
		{"unlisted TLD (implicit * rule)", "internal", true},
		{"under an unlisted TLD", "corp.internal", false},
		{"localhost is unlisted too; callers special-case it", "localhost", true},
		{"IDN rule 公司.cn as punycode", "xn--55qx5d.cn", true},
		{"under an IDN rule", "example.xn--55qx5d.cn", false},
		{"IDN TLD 中国", "xn--fiqs8s", true},
		{"empty", "", false},
		{"leading dot", ".com", false},
		{"trailing dot", "com.", false},
		{"empty inner label", "example..com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsPublicSuffix(tt.domain); got != tt.want {
				t.Errorf("IsPublicSuffix(%q): got %v; want %v", tt.domain, got, tt.want)
			}
		})
	}
}

// TestPublicSuffixAlgorithm checks rule precedence on a small list, where
// the cases the real list does not contain (an exception under a longer
// normal rule, competing wildcard and normal rules) can be written down.
func TestPublicSuffixAlgorithm(t *testing.T) {
	tab := parse(`// comment line
// ===BEGIN ICANN DOMAINS===
com
*.jp
kyoto.jp
*.kobe.jp
!city.kobe.jp
ck trailing text after whitespace is ignored
*.ck
!www.ck
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
*.platform.com
!www.platform.com
deep.www.platform.com
// ===END PRIVATE DOMAINS===
`)
	if len(tab.skipped) != 0 {
		t.Fatalf("skipped rules: got %q; want none", tab.skipped)
	}
	tests := []struct {
		name   string
		domain string
		want   string
	}{
		{"normal rule", "example.com", "com"},
		{"implicit * rule", "example.test", "test"},
		{"implicit * rule on a bare TLD", "test", "test"},
		{"wildcard matches one label", "a.b.c.tokyo.jp", "tokyo.jp"},
		{"normal and wildcard agree", "x.kyoto.jp", "kyoto.jp"},
		{"longer wildcard beats shorter wildcard", "a.b.kobe.jp", "b.kobe.jp"},
		{"exception beats the wildcard", "a.city.kobe.jp", "kobe.jp"},
		{"exception is itself no suffix", "city.kobe.jp", "kobe.jp"},
		{"wildcard base with its own normal rule", "ck", "ck"},
		{"exception beats a longer normal rule", "x.deep.www.platform.com", "platform.com"},
		{"private wildcard", "a.app.platform.com", "app.platform.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tab.publicSuffix(tt.domain)
			if !ok || got != tt.want {
				t.Errorf("publicSuffix(%q): got %q, %v; want %q, true", tt.domain, got, ok, tt.want)
			}
		})
	}
}

// TestShippedListParses keeps `make psl` honest: every rule of a refreshed
// list must be one the matcher represents, and both sections must be there.
func TestShippedListParses(t *testing.T) {
	tab := parse(listData)
	if len(tab.skipped) != 0 {
		t.Errorf("skipped rules: got %q; want none", tab.skipped)
	}
	if got, min := len(tab.rules), 8000; got < min {
		t.Errorf("rules parsed: got %d; want at least %d", got, min)
	}
	for _, marker := range []string{"===BEGIN ICANN DOMAINS===", "===BEGIN PRIVATE DOMAINS===", "Mozilla Public"} {
		if !strings.Contains(listData, marker) {
			t.Errorf("shipped list: got no %q; want the official file with its header", marker)
		}
	}
}

// TestRegistrableDomain: the site of a domain, per the shipped list.
func TestRegistrableDomain(t *testing.T) {
	tests := []struct {
		domain, want string
		ok           bool
	}{
		{"example.com", "example.com", true},
		{"a.b.example.com", "example.com", true},
		{"x.example.co.uk", "example.co.uk", true},
		{"me.github.io", "me.github.io", true},
		{"a.me.github.io", "me.github.io", true},
		{"bucket.s3.amazonaws.com", "bucket.s3.amazonaws.com", true},
		{"www.ck", "www.ck", true},
		{"a.www.ck", "www.ck", true},
		{"corp.internal", "corp.internal", true},
		{"com", "", false},
		{"github.io", "", false},
		{"foo.ck", "", false},
		{"", "", false},
		{"example..com", "", false},
	}
	for _, tt := range tests {
		if got, ok := RegistrableDomain(tt.domain); got != tt.want || ok != tt.ok {
			t.Errorf("RegistrableDomain(%q): got %q, %v; want %q, %v", tt.domain, got, ok, tt.want, tt.ok)
		}
	}
}

// TestRuleBelow: a rule strictly below a domain means names under it
// belong to different sites.
func TestRuleBelow(t *testing.T) {
	tests := []struct {
		domain, want string
		ok           bool
	}{
		{"example.com", "", false},
		{"preview.example.com", "", false},
		{"github.io", "", false}, // a suffix itself: IsPublicSuffix's question, not this one
		{"me.github.io", "", false},
		{"amazonaws.com", "s3.amazonaws.com", true},
		{"compute.amazonaws.com", "*.compute.amazonaws.com", true},
		{"kawasaki.jp", "*.kawasaki.jp", true},
		{"com", "", true}, // replaced below: every second-level rule under com
	}
	for _, tt := range tests {
		got, ok := RuleBelow(tt.domain)
		if tt.domain == "com" {
			if !ok || !strings.HasSuffix(got, ".com") {
				t.Errorf("RuleBelow(%q): got %q, %v; want some rule under com", tt.domain, got, ok)
			}
			continue
		}
		if got != tt.want || ok != tt.ok {
			t.Errorf("RuleBelow(%q): got %q, %v; want %q, %v", tt.domain, got, ok, tt.want, tt.ok)
		}
	}
}
