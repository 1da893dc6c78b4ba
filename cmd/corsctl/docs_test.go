package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The commands the documentation shows must exist: a reader who copies
// `make soak` or `corsctl explain … --creds` from a code block and gets
// "No rule to make target" or "flag provided but not defined" stops
// trusting the rest. This test reads every fenced code block of README.md
// and docs/*.md and checks each make target against the Makefile, and each
// corsctl subcommand and flag against corsctl's own flag sets.

// codeLines returns the command lines of the fenced code blocks in md:
// every line of a shell block (```sh, ```bash, ```shell), and the "$ "
// lines of any other block, ```console included (the rest of those is
// output, e.g. an error
// message that happens to start with "make"). Continuation lines are
// joined, prompts removed, "#" comments cut.
func codeLines(md string) []string {
	var out []string
	in, shell := false, false
	var cont string
	sc := bufio.NewScanner(strings.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if fence, ok := strings.CutPrefix(strings.TrimSpace(line), "```"); ok {
			in = !in
			shell = in && slices.Contains([]string{"sh", "bash", "shell"}, strings.TrimSpace(fence))
			cont = ""
			continue
		}
		if !in {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cont += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line = strings.TrimSpace(cont + line)
		cont = ""
		var prompt bool
		line, prompt = strings.CutPrefix(line, "$ ")
		if !shell && !prompt {
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		out = append(out, line)
	}
	return out
}

// commands splits a shell line into simple commands (at &&, ||, ;, |) and
// each into words.
func commands(line string) [][]string {
	var out [][]string
	for _, part := range regexp.MustCompile(`&&|\|\||;|\|`).Split(line, -1) {
		if f := strings.Fields(part); len(f) > 0 {
			out = append(out, f)
		}
	}
	return out
}

var makeTarget = regexp.MustCompile(`^([A-Za-z0-9_.-]+)\s*:([^=]|$)`)

// makeTargets lists the targets a Makefile defines.
func makeTargets(makefile string) map[string]bool {
	targets := map[string]bool{}
	for _, line := range strings.Split(makefile, "\n") {
		if m := makeTarget.FindStringSubmatch(line); m != nil {
			targets[m[1]] = true
		}
	}
	return targets
}

// corsctlFlags are corsctl's subcommands and each one's flags, from the
// flag sets themselves.
func corsctlFlags() map[string]map[string]bool {
	cmds := map[string]map[string]bool{"help": {}, "schema": {}}
	for name, fs := range map[string]*flag.FlagSet{
		"validate": flagSetOf(validateFlags(io.Discard)),
		"explain":  flagSetOf(explainFlags(io.Discard)),
		"probe":    flagSetOf(probeFlags(io.Discard)),
		"import":   flagSetOf(importFlags(io.Discard)),
	} {
		cmds[name] = map[string]bool{"h": true, "help": true}
		fs.VisitAll(func(f *flag.Flag) { cmds[name][f.Name] = true })
	}
	return cmds
}

func flagSetOf[T any](fs *flag.FlagSet, _ T) *flag.FlagSet { return fs }

// checkDocCommands returns one problem per command in md that does not
// exist.
func checkDocCommands(file, md string, targets map[string]bool, ctl map[string]map[string]bool) []string {
	var problems []string
	for _, line := range codeLines(md) {
		for _, words := range commands(line) {
			switch {
			case words[0] == "make":
				for _, w := range words[1:] {
					if strings.HasPrefix(w, "-") || strings.Contains(w, "=") {
						continue // make's own flags, variable overrides
					}
					if !targets[w] {
						problems = append(problems, fmt.Sprintf("%s: %q: make target %q: got no such target in the Makefile; want one", file, line, w))
					}
				}
			case isCorsctl(words):
				args := words[1:]
				if words[0] == "go" {
					args = words[3:]
				}
				problems = append(problems, checkCorsctl(file, line, args, ctl)...)
			}
		}
	}
	return problems
}

func isCorsctl(words []string) bool {
	switch words[0] {
	case "corsctl", "./build/corsctl", "build/corsctl":
		return true
	}
	return len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/corsctl"
}

func checkCorsctl(file, line string, args []string, ctl map[string]map[string]bool) []string {
	if len(args) == 0 {
		return nil
	}
	sub := args[0]
	flags, ok := ctl[sub]
	if !ok {
		if sub == "-h" || sub == "--help" || sub == "…" || sub == "..." {
			return nil
		}
		return []string{fmt.Sprintf("%s: %q: corsctl subcommand %q: got no such command; want one of %v", file, line, sub, slices.Sorted(maps.Keys(ctl)))}
	}
	var problems []string
	for _, a := range args[1:] {
		a = strings.Trim(a, "[]")
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "" || strings.HasPrefix(name, "…") || strings.HasPrefix(name, ".") {
			continue
		}
		if !flags[name] {
			problems = append(problems, fmt.Sprintf("%s: %q: corsctl %s flag %q: got no such flag; want one corsctl defines", file, line, sub, a))
		}
	}
	return problems
}

func TestDocumentedCommandsExist(t *testing.T) {
	root := filepath.Join("..", "..")
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets, ctl := makeTargets(string(makefile)), corsctlFlags()
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, filepath.Join(root, "README.md"))
	checked := 0
	for _, f := range files {
		md, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		for _, p := range checkDocCommands(rel, string(md), targets, ctl) {
			t.Error(p)
		}
		for _, line := range codeLines(string(md)) {
			for _, words := range commands(line) {
				if words[0] == "make" || isCorsctl(words) {
					checked++
				}
			}
		}
	}
	// The README shows make run, make test and corsctl commands: finding
	// none would mean the parser, not the docs, is broken.
	if checked < 3 {
		t.Errorf("checked %d documented commands; want at least 3 (make run, make test, corsctl)", checked)
	}
	t.Logf("checked %d documented commands in %d files", checked, len(files))
}

// TestDocCommandCheckFindsMistakes: the checker above catches each kind
// of mistake it is there for.
func TestDocCommandCheckFindsMistakes(t *testing.T) {
	targets := map[string]bool{"run": true, "test": true, "wasm": true}
	ctl := corsctlFlags()
	tests := []struct {
		name, md string
		want     string // part of the one problem; "" for none
	}{
		{"existing commands", "```sh\nmake run\n$ corsctl validate --strict a.json\ngo run ./cmd/corsctl explain f --origin https://a --preflight\n```\n", ""},
		{"prose is not checked", "run `make nothing` or corsctl frobnicate\n", ""},
		{"output is not checked", "```\nmake test needs Chromium\ncorsctl: unknown command\n```\n", ""},
		{"prompt in an output block", "```\n$ make nothing\n```\n", `make target "nothing"`},
		{"unknown make target", "```sh\nmake wasm soak   # soak test\n```\n", `make target "soak"`},
		{"variable override is not a target", "```sh\nmake test GO=go1.26\n```\n", ""},
		{"unknown subcommand", "```bash\ncorsctl lint a.json\n```\n", `subcommand "lint"`},
		{"unknown flag", "```sh\n./build/corsctl explain f --origin o --creds\n```\n", `flag "--creds"`},
		{"flag of another subcommand", "```sh\ncorsctl validate --preflight a.json\n```\n", `flag "--preflight"`},
		{"bracketed optional flag", "```sh\ncorsctl validate [--strikt] FILE...\n```\n", `flag "--strikt"`},
		{"continued line", "```sh\ncorsctl explain f \\\n  --origni o\n```\n", `flag "--origni"`},
		{"after &&", "```sh\nmake wasm && make tset\n```\n", `make target "tset"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkDocCommands("x.md", tt.md, targets, ctl)
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("got problems %q; want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("got problems %q; want exactly one containing %q", got, tt.want)
			}
		})
	}
}
