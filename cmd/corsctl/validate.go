package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// runValidate checks every file and prints, per configuration found:
// errors as `FILE: [WHERE: ]ERROR` (the filter's own message, one line per
// problem) and warnings as `warning: FILE: [WHERE: ]WARNING` on stderr,
// and a one-line verdict on stdout. Exit 0 when every configuration is
// valid, 1 when one is not (or has warnings under --strict, or a file holds
// no configuration), 2 when a file cannot be read or the usage is wrong.
func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("validate", stderr)
	strict := fs.Bool("strict", false, "treat warnings as errors")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "corsctl validate: no FILE given\n"+usage)
		return exitUsage
	}
	code := exitOK
	for _, name := range files {
		code = max(code, validateFile(name, *strict, stdout, stderr))
	}
	return code
}

func validateFile(name string, strict bool, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(stderr, "corsctl: %v\n", err)
		return exitUsage
	}
	sources, err := load(data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		fmt.Fprintf(stdout, "%s: invalid\n", name)
		return exitInvalid
	}
	code := exitOK
	for _, src := range sources {
		label := name
		if src.where != "" {
			label += ": " + src.where
		}
		p, errs := compile(src)
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s: %s\n", label, e)
		}
		var warnings []policy.Warning
		if p != nil {
			warnings = p.Warnings()
		}
		for _, w := range warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", label, w)
		}
		switch {
		case len(errs) > 0:
			fmt.Fprintf(stdout, "%s: invalid (%s)\n", label, count(len(errs), "error"))
			code = exitInvalid
		case strict && len(warnings) > 0:
			fmt.Fprintf(stdout, "%s: invalid under --strict (%s)\n", label, count(len(warnings), "warning"))
			code = exitInvalid
		case len(warnings) > 0:
			fmt.Fprintf(stdout, "%s: valid (%s)\n", label, count(len(warnings), "warning"))
		default:
			fmt.Fprintf(stdout, "%s: valid\n", label)
		}
	}
	return code
}

// compile runs the filter's own entry point and splits its joined error
// into one message per problem. A wrapping problem (see source.problem)
// comes first.
func compile(src source) (*policy.Policy, []string) {
	var errs []string
	if src.problem != "" {
		errs = append(errs, src.problem)
	}
	if src.config == nil {
		return nil, errs
	}
	p, err := policy.Compile(src.config)
	if err != nil {
		errs = append(errs, strings.Split(err.Error(), "\n")...)
		return nil, errs
	}
	return p, errs
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
