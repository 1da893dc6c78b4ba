package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corswasm/corswasm/policy"
)

// runValidate checks every file and prints, per configuration found:
// errors as `FILE: [WHERE: ]ERROR` (the filter's own message, one line per
// problem) and warnings as `warning: FILE: [WHERE: ]WARNING` on stderr,
// and a one-line verdict on stdout. Wildcard origins over a public suffix
// newer than the filter's list are reported the same way (crossCheckPSL):
// an error with allowCredentials, a warning without. Exit 0 when every configuration is
// valid, 1 when one is not (or has warnings under --strict, or a file holds
// no configuration), 2 when a file cannot be read or the usage is wrong.
func runValidate(args []string, stdout, stderr io.Writer) int {
	fs, strict := validateFlags(stderr)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err, stdout, stderr)
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "corsctl validate: no FILE given\n"+helpHint)
		return exitUsage
	}
	code := exitOK
	for _, name := range files {
		code = max(code, validateFile(name, *strict, stdout, stderr))
	}
	return code
}

// validateFlags defines validate's flags; the help text lists them from
// here.
func validateFlags(stderr io.Writer) (*flag.FlagSet, *bool) {
	fs := newFlagSet("validate", stderr)
	return fs, fs.Bool("strict", false, "treat warnings as errors (exit 1)")
}

func validateFile(name string, strict bool, stdout, stderr io.Writer) int {
	sources, code := loadFile(name, stderr)
	if code == exitInvalid {
		fmt.Fprintf(stdout, "%s: invalid\n", name)
	}
	if code != exitOK {
		return code
	}
	for _, src := range sources {
		label := name
		if src.where != "" {
			label += ": " + src.where
		}
		c := compile(src)
		errs := c.errors()
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s: %s\n", label, e)
		}
		warnings := c.warnings
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

// checked is what corsctl finds in one configuration.
type checked struct {
	policy *policy.Policy // nil when the filter refuses the config
	// filterErrs are the filter's own: a wrapping problem (see
	// source.problem) first, then policy.Compile's errors, one per
	// problem. Any of them stops the filter from starting.
	filterErrs []string
	// pslErrs are credentialed wildcard origins over a public suffix that
	// only corsctl's newer list knows (see crossCheckPSL): the filter
	// would load the config, corsctl refuses it.
	pslErrs []string
	// warnings are the filter's, then the cross-check's, and only for a
	// config the filter accepts (the filter reports warnings only then).
	warnings []policy.Warning
}

// errors lists every error, the filter's first.
func (c *checked) errors() []string {
	return append(slices.Clip(c.filterErrs), c.pslErrs...)
}

// compile runs the filter's own entry point, splits its joined error into
// one message per problem, and adds what the public suffix cross-check
// finds. validate and explain both load configs through here.
func compile(src source) checked {
	var c checked
	if src.problem != "" {
		c.filterErrs = append(c.filterErrs, src.problem)
	}
	if src.config == nil {
		return c
	}
	p, err := policy.Compile(src.config)
	if err != nil {
		c.filterErrs = append(c.filterErrs, strings.Split(err.Error(), "\n")...)
	}
	pslErrs, pslWarnings := crossCheckPSL(src.config)
	c.pslErrs = pslErrs
	if p != nil {
		c.policy = p
		c.warnings = append(p.Warnings(), pslWarnings...)
	}
	return c
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
