package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/corswasm/corswasm/policy"
)

// importOptions are import's flags.
type importOptions struct {
	from        string
	out         string
	explainDiff bool
}

// importFlags defines import's flags; the help text lists them from here.
func importFlags(stderr io.Writer) (*flag.FlagSet, *importOptions) {
	fs := newFlagSet("import", stderr)
	o := &importOptions{}
	fs.StringVar(&o.from, "from", "", "the source format: istio (VirtualServices), envoy (bootstrap or RouteConfiguration) or rscors (rs/cors Options as JSON or YAML)")
	fs.StringVar(&o.out, "out", "", "write the policy to this file instead of stdout")
	fs.BoolVar(&o.explainDiff, "explain-diff", false, "list the requests whose answer changes, old setup against the new policy, with one sample origin each")
	return fs, o
}

// runImport translates an existing CORS setup into a corswasm policy:
// the policy on stdout (or --out), the audit on stderr, one line per
// finding: "hole:" (the source allowed more than it meant; a safe
// replacement was chosen), "TODO:" (the operator decides; exit 1) or
// "note:". The policy always passes corsctl validate.
func runImport(args []string, stdout, stderr io.Writer) int {
	fs, o := importFlags(stderr)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err, stdout, stderr)
	}
	if o.from != "istio" && o.from != "envoy" && o.from != "rscors" {
		fmt.Fprintf(stderr, "corsctl import: --from must be istio, envoy or rscors\n%s", usage)
		return exitUsage
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "corsctl import: no FILE given\n"+usage)
		return exitUsage
	}
	var a audit
	var olds, uncovered []*oldPolicy
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "corsctl: %v\n", err)
			return exitUsage
		}
		before := len(a.findings)
		o, u, err := readSource(o.from, data, &a)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitInvalid
		}
		if len(files) > 1 {
			for i := before; i < len(a.findings); i++ {
				a.findings[i].where = name + ": " + a.findings[i].where
			}
			for _, p := range append(o, u...) {
				p.where = name + ": " + p.where
			}
		}
		olds, uncovered = append(olds, o...), append(uncovered, u...)
	}
	res, err := convert(olds, uncovered, &a)
	if err != nil {
		fmt.Fprintf(stderr, "corsctl import: %v\n", err)
		return exitInvalid
	}
	js, err := marshalConfig(res.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "corsctl: %v\n", err)
		return exitUsage
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, js, 0o644); err != nil {
			fmt.Fprintf(stderr, "corsctl: %v\n", err)
			return exitUsage
		}
	} else {
		stdout.Write(js)
	}
	for _, f := range res.audit.findings {
		fmt.Fprintln(stderr, f)
	}
	for _, w := range res.policy.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if o.explainDiff {
		writeDiff(stderr, explainDiff(res))
	}
	fmt.Fprintln(stderr, importSummary(res))
	if res.audit.todos() > 0 {
		return exitInvalid
	}
	return exitOK
}

func readSource(from string, data []byte, a *audit) (olds, uncovered []*oldPolicy, err error) {
	switch from {
	case "istio":
		return readIstio(data, a)
	case "envoy":
		return readEnvoy(data, a)
	}
	olds, err = readRSCors(data, a)
	return olds, nil, err
}

// marshalConfig renders the policy as the filter reads it.
func marshalConfig(cfg policy.Config) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cfg); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func importSummary(res *importResult) string {
	counts := [3]int{}
	for _, f := range res.audit.findings {
		counts[f.sev]++
	}
	top := ""
	if res.cfg.Rules.AllowOrigins != nil || res.cfg.Rules.AllowOriginRegexes != nil {
		top = " and a top-level policy"
	}
	s := fmt.Sprintf("corsctl import: %s%s; %s, %s, %s; the policy passes corsctl validate",
		count(len(res.cfg.Routes), "route"), top, count(counts[sevHole], "hole"), count(counts[sevTODO], "TODO"), count(counts[sevNote], "note"))
	if counts[sevTODO] > 0 {
		s += "; resolve the TODOs before deploying (exit 1)"
	}
	return s
}
