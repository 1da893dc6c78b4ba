package policy

import (
	_ "embed"
	"strings"
)

// pslVersion is the line `make psl` writes next to the Public Suffix List
// the filter embeds (internal/psl), e.g. "Debian publicsuffix
// 20230209.2326-1".
//
//go:embed internal/psl/public_suffix_list.version
var pslVersion string

// PublicSuffixListVersion names the copy of the Public Suffix List that
// validation uses to refuse wildcard origins over a public suffix. The list
// is frozen into the module at build time, so suffixes registered since are
// unknown to the filter: corsctl uses this to say how old the list is when
// its own, newer list (golang.org/x/net/publicsuffix) knows better.
func PublicSuffixListVersion() string { return strings.TrimSpace(pslVersion) }
