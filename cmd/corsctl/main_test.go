package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// binary is corsctl built once by TestMain: every command is also tested
// as a real process (arguments, stdout, stderr, exit status).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "corsctl-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "corsctl")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one corsctl invocation produced.
type result struct {
	stdout, stderr string
	code           int
}

// exe runs the built binary from the repository root, so file names in
// the output are the repository-relative paths operators type.
func exe(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = "../.."
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("run corsctl: %v", err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// inRepo runs run() in-process with paths relative to the repository root.
func inRepo(t *testing.T, args ...string) result {
	t.Helper()
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return result{stdout.String(), stderr.String(), code}
}

func (r result) check(t *testing.T, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit code: got %d; want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	if r.stdout != stdout {
		t.Errorf("stdout: got\n%s\nwant\n%s", r.stdout, stdout)
	}
	if r.stderr != stderr {
		t.Errorf("stderr: got\n%s\nwant\n%s", r.stderr, stderr)
	}
}

func lines(s ...string) string {
	if len(s) == 0 {
		return ""
	}
	return strings.Join(s, "\n") + "\n"
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string // stdout
		err  string // start of stderr
	}{
		{"no command", nil, exitUsage, "", "usage:\n"},
		{"unknown command", []string{"lint"}, exitUsage, "", "corsctl: unknown command \"lint\"\n" + helpHint},
		{"help", []string{"help"}, exitOK, usage, ""},
		{"validate without files", []string{"validate"}, exitUsage, "", "corsctl validate: no FILE given\n" + helpHint},
		{"validate unknown flag", []string{"validate", "--fast", "examples/config.json"}, exitUsage, "", "flag provided but not defined: -fast\n" + helpHint},
		{"validate missing file", []string{"validate", "no/such.json"}, exitUsage, "", "corsctl: open no/such.json: no such file or directory\n"},
		{"explain without file", []string{"explain", "--origin", "https://a.example"}, exitUsage, "", "corsctl explain: want exactly one FILE\n" + helpHint},
		{"explain two files", []string{"explain", "examples/config.json", "envoy.yaml"}, exitUsage, "", "corsctl explain: want exactly one FILE\n"},
		{"explain bad url", []string{"explain", "examples/config.json", "--url", "api.example.com/x"}, exitUsage, "",
			"corsctl explain: --url \"api.example.com/x\": want an absolute http(s) URL, e.g. https://api.example.com/v1/items\n"},
		{"explain config index out of range", []string{"explain", "examples/config.json", "--config", "2"}, exitUsage, "",
			"corsctl explain: --config 2: examples/config.json holds 1 configuration(s)\n"},
		{"schema with arguments", []string{"schema", "x"}, exitUsage, "", "corsctl schema: takes no arguments\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exe(t, tt.args...)
			// A usage error is the error and the help hint, nothing more.
			wantWhole := tt.code == exitUsage && strings.HasSuffix(tt.err, helpHint)
			if r.code != tt.code || r.stdout != tt.out || !strings.HasPrefix(r.stderr, tt.err) || wantWhole && r.stderr != tt.err {
				t.Errorf("got code %d, stdout %q, stderr %q; want code %d, stdout %q, stderr starting %q",
					r.code, r.stdout, r.stderr, tt.code, tt.out, tt.err)
			}
		})
	}
}

func TestSchemaCommand(t *testing.T) {
	r := exe(t, "schema")
	want, err := os.ReadFile("../../schema/corswasm.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	r.check(t, exitOK, string(want), "")
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
