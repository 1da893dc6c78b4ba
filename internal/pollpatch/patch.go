package main

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
)

// importDecl is how Go's runtime declares poll_oneoff in os_wasip1.go
// (unchanged from Go 1.21, when wasip1 arrived, to Go 1.26).
const importDecl = "//go:wasmimport wasi_snapshot_preview1 poll_oneoff\n" +
	"//go:noescape\n" +
	"func poll_oneoff(in *subscription, out *event, nsubscriptions size, nevents *size) errno\n"

// replacement is the in-module poll_oneoff added to package runtime.
//
//go:embed poll_oneoff_runtime.go.in
var replacement []byte

// removeImport returns os_wasip1.go without the poll_oneoff import. It
// fails, rather than guess, unless the declaration appears exactly once
// as above: a Go release that changes it needs this tool looked at.
func removeImport(src []byte) ([]byte, error) {
	switch n := bytes.Count(src, []byte(importDecl)); n {
	case 1:
		return bytes.Replace(src, []byte(importDecl), nil, 1), nil
	case 0:
		if bytes.Contains(src, []byte("poll_oneoff")) {
			return nil, errors.New("os_wasip1.go declares poll_oneoff in a form this tool does not know; update internal/pollpatch for this Go release")
		}
		return nil, errors.New("os_wasip1.go does not declare poll_oneoff: is this a wasip1 runtime?")
	default:
		return nil, fmt.Errorf("os_wasip1.go declares poll_oneoff %d times; want 1", n)
	}
}
