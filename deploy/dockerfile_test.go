package deploy

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
)

// checkDockerfile checks deploy/Dockerfile statically (no Docker engine runs
// in CI): Istio's wasm image format wants an image whose only content is
// the module at /plugin.wasm, so the file must be exactly a FROM scratch
// stage that copies build/cors.wasm to plugin.wasm at the root. A RUN could
// not even execute in scratch (no shell); a second FROM would start a new
// stage and drop the module.
func checkDockerfile(dockerfile, dockerignore []byte) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var instrs [][]string // instruction words, keyword upper-cased
	for _, line := range strings.Split(string(dockerfile), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			return []string{"deploy/Dockerfile: line continuations are not expected in this two-line file"}
		}
		words := strings.Fields(line)
		words[0] = strings.ToUpper(words[0])
		instrs = append(instrs, words)
	}
	if len(instrs) == 0 || !slices.Equal(instrs[0], []string{"FROM", "scratch"}) {
		fail("deploy/Dockerfile: first instruction: got %q; want FROM scratch", first(instrs))
	}
	copies := 0
	for i, in := range instrs[min(1, len(instrs)):] {
		switch in[0] {
		case "COPY":
			copies++
			args := slices.DeleteFunc(slices.Clone(in[1:]), func(a string) bool { return strings.HasPrefix(a, "--") })
			if len(args) != 2 || args[0] != "build/cors.wasm" || path.Clean("/"+args[1]) != "/plugin.wasm" {
				fail("deploy/Dockerfile: instruction %d: got %q; want COPY build/cors.wasm ./plugin.wasm", i+2, strings.Join(in, " "))
			}
		case "LABEL":
			// Metadata only.
		default:
			fail("deploy/Dockerfile: instruction %d: got %q; want only FROM scratch, COPY and LABEL", i+2, strings.Join(in, " "))
		}
	}
	if copies != 1 {
		fail("deploy/Dockerfile: got %d COPY instructions; want exactly one, of build/cors.wasm", copies)
	}

	// The ignore file must let the module into the build context.
	var rules []string
	for _, line := range strings.Split(string(dockerignore), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			rules = append(rules, line)
		}
	}
	if i := slices.Index(rules, "!build/cors.wasm"); i < 0 || slices.Contains(rules[i+1:], "*") {
		fail("deploy/Dockerfile.dockerignore: got rules %q; want the last word on build/cors.wasm to be !build/cors.wasm", rules)
	}
	return problems
}

func first(instrs [][]string) string {
	if len(instrs) == 0 {
		return ""
	}
	return strings.Join(instrs[0], " ")
}

func TestDockerfile(t *testing.T) {
	shipped := repoFile(t, "deploy/Dockerfile")
	ignore := repoFile(t, "deploy/Dockerfile.dockerignore")
	tests := []struct {
		name       string
		dockerfile func(t *testing.T) []byte
		ignore     []byte
		want       string
	}{
		{"shipped Dockerfile", func(*testing.T) []byte { return shipped }, ignore, ""},
		{"base image", func(t *testing.T) []byte {
			return mutate(t, shipped, "FROM scratch", "FROM alpine:3.20")
		}, ignore, "want FROM scratch"},
		{"module under another name", func(t *testing.T) []byte {
			return mutate(t, shipped, "COPY build/cors.wasm ./plugin.wasm", "COPY build/cors.wasm /cors.wasm")
		}, ignore, "want COPY build/cors.wasm ./plugin.wasm"},
		{"the no-op module", func(t *testing.T) []byte {
			return mutate(t, shipped, "COPY build/cors.wasm ./plugin.wasm", "COPY build/noop.wasm ./plugin.wasm")
		}, ignore, "want COPY build/cors.wasm ./plugin.wasm"},
		{"no COPY", func(t *testing.T) []byte {
			return mutate(t, shipped, "COPY build/cors.wasm ./plugin.wasm", "")
		}, ignore, "got 0 COPY instructions"},
		{"a RUN step", func(t *testing.T) []byte {
			return mutate(t, shipped, "COPY build/cors.wasm ./plugin.wasm", "COPY build/cors.wasm ./plugin.wasm\nRUN true")
		}, ignore, `got "RUN true"`},
		{"module ignored", func(*testing.T) []byte { return shipped }, []byte("*\n"), "want the last word on build/cors.wasm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, checkDockerfile(tt.dockerfile(t), tt.ignore), tt.want)
		})
	}
}
