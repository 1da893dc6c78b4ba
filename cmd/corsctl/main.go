// Command corsctl checks corswasm CORS policies before they ship and
// explains what the filter does with a given request.
//
//	corsctl validate [--strict] FILE...
//	corsctl explain FILE --origin O [--method M] [--header H]... [--url URL] [--preflight]
//	                [--private-network] [--credentials] [--sec-fetch-site V] [--route-name N]
//	                [--config N] [--json]
//	corsctl import --from istio|envoy|rscors [--out FILE] [--explain-diff] FILE...
//	corsctl schema
//
// Exit codes: 0 valid / explained / imported, 1 invalid config (or, for
// explain, a config that does not load; for import, TODOs left to the
// operator), 2 usage or I/O error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const (
	exitOK      = 0
	exitInvalid = 1
	exitUsage   = 2
)

// synopsis names every flag; flagHelp adds what each one does.
const synopsis = `usage:
  corsctl validate [--strict] FILE...
      check plugin configs (JSON or YAML), envoy.yaml files and Istio
      WasmPlugin manifests; print errors and warnings
  corsctl explain FILE --origin ORIGIN [--method M] [--header NAME]... [--url URL]
                  [--preflight] [--private-network] [--credentials]
                  [--sec-fetch-site V] [--route-name N] [--config N] [--json]
      show what the filter does with one request, and for a denial the
      config change that would allow it
  corsctl probe --config FILE [--dry-run] [--json] [--max-requests N] [--rate R] URL
      send requests derived from the policy to URL's host and report every
      answer that differs from the filter's prediction (exit 1)
  corsctl import --from istio|envoy|rscors [--out FILE] [--explain-diff] FILE...
      translate an existing CORS setup into a corswasm policy and audit it:
      holes closed, TODOs left to the operator (exit 1 when any)
  corsctl schema
      print the JSON Schema of the plugin config
  corsctl help
      print this text (also -h, --help)
`

const exitHelp = `
exit status: 0 ok, 1 invalid config (probe: a response not as predicted),
2 usage or I/O error
`

// usage is the help text: the synopsis, then every flag of every command
// as the flag sets define it, so a new flag cannot be left out.
var usage string

func init() {
	var b strings.Builder
	b.WriteString(synopsis)
	validate, _ := validateFlags(io.Discard)
	explain, _ := explainFlags(io.Discard)
	writeFlags(&b, "validate", validate)
	writeFlags(&b, "explain", explain)
	probe, _ := probeFlags(io.Discard)
	writeFlags(&b, "probe", probe)
	imp, _ := importFlags(io.Discard)
	writeFlags(&b, "import", imp)
	b.WriteString(exitHelp)
	usage = b.String()
}

// argNames are the placeholders the synopsis uses for flag values.
var argNames = map[string]string{
	"origin": "ORIGIN", "method": "M", "header": "NAME", "url": "URL",
	"sec-fetch-site": "V", "route-name": "N", "config": "N", "from": "istio|envoy|rscors", "out": "FILE",
}

// writeFlags lists a command's flags, one per line: "--name ARG  what it
// does (default D)". ARG is the synopsis' placeholder, or the value's type.
func writeFlags(b *strings.Builder, command string, fs *flag.FlagSet) {
	type row struct{ name, help string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		if n, ok := argNames[f.Name]; ok && arg != "" && arg == strings.ToLower(arg) {
			arg = n
		}
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			help += " (default " + f.DefValue + ")"
		}
		rows = append(rows, row{name, help})
		width = max(width, len(name))
	})
	fmt.Fprintf(b, "\n%s flags:\n", command)
	for _, r := range rows {
		fmt.Fprintf(b, "  %-*s  %s\n", width, r.name, r.help)
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command, testable without a process.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "explain":
		return runExplain(args[1:], stdout, stderr)
	case "probe":
		return runProbe(args[1:], stdout, stderr)
	case "schema":
		return runSchema(args[1:], stdout, stderr)
	case "import":
		return runImport(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "corsctl: unknown command %q\n%s", args[0], helpHint)
	return exitUsage
}

// helpHint follows a usage error: one line on where the full text is,
// rather than the full text, which would bury the error above it.
const helpHint = "run `corsctl help` for the commands and their flags\n"

// parseInterspersed parses flags that may come before or after the
// positional arguments ("explain FILE --origin O" and "explain --origin O
// FILE" both work), returning the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("corsctl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// The flag package prints its error, then calls Usage; flagExit adds
	// the rest, which depends on whether help was asked for.
	fs.Usage = func() {}
	return fs
}

// flagExit finishes a flag parsing error: --help prints the usage and is
// not an error; anything else gets the help hint under the flag package's
// one-line message.
func flagExit(err error, stdout, stderr io.Writer) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprint(stderr, helpHint)
	return exitUsage
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
