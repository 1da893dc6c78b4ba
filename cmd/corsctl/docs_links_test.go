package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// The README was split into docs/, one topic per file, and the pages link
// to each other's sections. A link to a moved section, or to a heading
// that was reworded, fails silently on GitHub: the page opens at the top.
// These tests check that every relative link and #anchor in README.md and
// docs/*.md resolves, and that the README's make-target table names every
// target the Makefile defines.

// mdLink finds inline links and images, [text](target) and ![alt](target),
// with an optional title after the target.
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// inlineCode is a code span; links inside one are text, not links.
var inlineCode = regexp.MustCompile("`+[^`]*`+")

// proseLines returns md's lines outside fenced code blocks, each with its
// code spans removed, and the headings among them.
func proseLines(md string) (lines, headings []string) {
	in := false
	sc := bufio.NewScanner(strings.NewReader(md))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in = !in
			continue
		}
		if in {
			continue
		}
		if h, ok := heading(line); ok {
			headings = append(headings, h)
		}
		lines = append(lines, inlineCode.ReplaceAllString(line, "``"))
	}
	return lines, headings
}

var atxHeading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)

func heading(line string) (string, bool) {
	m := atxHeading.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// anchors returns the fragment ids GitHub gives md's headings: the
// heading's text (a link counts as its text) lowercased, punctuation
// removed, spaces turned into hyphens; a repeated id gets -1, -2, ….
func anchors(md string) map[string]bool {
	_, headings := proseLines(md)
	ids := map[string]bool{}
	seen := map[string]int{}
	linkText := regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	for _, h := range headings {
		h = linkText.ReplaceAllString(h, "$1")
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r):
				b.WriteRune(r)
			}
		}
		id := b.String()
		if n := seen[id]; n > 0 {
			seen[id] = n + 1
			id = fmt.Sprintf("%s-%d", id, n)
		} else {
			seen[id] = 1
		}
		ids[id] = true
	}
	return ids
}

// checkLinks returns one problem per relative link in the markdown files
// (paths in fsys, slash-separated) whose file or #anchor does not exist.
func checkLinks(fsys fs.FS, files []string) []string {
	anchorCache := map[string]map[string]bool{}
	anchorsOf := func(name string) (map[string]bool, error) {
		if a, ok := anchorCache[name]; ok {
			return a, nil
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		anchorCache[name] = anchors(string(b))
		return anchorCache[name], nil
	}
	var problems []string
	for _, file := range files {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		lines, _ := proseLines(string(b))
		for _, line := range lines {
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue // not ours to check: no network in tests
				}
				p, frag, _ := strings.Cut(target, "#")
				name := file
				if p != "" {
					name = path.Clean(path.Join(path.Dir(file), p))
					if _, err := fs.Stat(fsys, name); err != nil {
						problems = append(problems, fmt.Sprintf("%s: link %q: got no file %s; want an existing file", file, target, name))
						continue
					}
				}
				if frag == "" {
					continue
				}
				if !strings.HasSuffix(name, ".md") {
					problems = append(problems, fmt.Sprintf("%s: link %q: got an anchor into %s; want anchors only into markdown files", file, target, name))
					continue
				}
				ids, err := anchorsOf(name)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: link %q: %v", file, target, err))
					continue
				}
				if !ids[frag] {
					problems = append(problems, fmt.Sprintf("%s: link %q: got no heading with id %q in %s; want one of %v", file, target, frag, name, slices.Sorted(mapKeys(ids))))
				}
			}
		}
	}
	return problems
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// docFiles are README.md and docs/*.md, relative to the repository root.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func TestDocLinksResolve(t *testing.T) {
	root := filepath.Join("..", "..")
	files := docFiles(t, root)
	if len(files) < 10 {
		t.Fatalf("found %d documentation files; want README.md and the docs/ pages", len(files))
	}
	for _, p := range checkLinks(os.DirFS(root), files) {
		t.Error(p)
	}
}

// TestDocLinkCheckFindsMistakes: the checker catches each kind of broken
// link, and accepts the forms GitHub resolves.
func TestDocLinkCheckFindsMistakes(t *testing.T) {
	target := "# Deploying\n\n## Plain Envoy (`envoy.yaml`)\n\n## Pinning the image: `spec.sha256`\n\n## Notes\n\n## Notes\n\n```sh\n# not a heading\n```\n"
	tests := []struct {
		name, md string
		want     string // part of the one problem; "" for none
	}{
		{"file link", "see [deploying](deploying.md)\n", ""},
		{"anchor with punctuation and code", "[a](deploying.md#plain-envoy-envoyyaml) [b](deploying.md#pinning-the-image-specsha256)\n", ""},
		{"repeated heading gets a suffix", "[a](deploying.md#notes-1)\n", ""},
		{"same-file anchor", "# Top\n\n[up](#top)\n", ""},
		{"image", "![shot](demo.png)\n", ""},
		{"up a directory", "[code](../main.go)\n", ""},
		{"external links are not fetched", "[x](https://example.com/missing#nowhere)\n", ""},
		{"links in code are text", "`[a](nowhere.md)`\n\n```\n[b](nowhere.md)\n```\n", ""},
		{"missing file", "[a](deplying.md)\n", `no file docs/deplying.md`},
		{"missing anchor", "[a](deploying.md#envoy-and-istio-versions)\n", `no heading with id "envoy-and-istio-versions"`},
		{"code fence line is not a heading", "[a](deploying.md#not-a-heading)\n", `no heading with id "not-a-heading"`},
		{"missing same-file anchor", "# Top\n\n[a](#bottom)\n", `no heading with id "bottom"`},
		{"anchor into a non-markdown file", "[a](../main.go#L3)\n", "anchors only into markdown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"main.go":           {Data: []byte("package main\n")},
				"docs/deploying.md": {Data: []byte(target)},
				"docs/demo.png":     {Data: []byte{0x89}},
				"docs/page.md":      {Data: []byte(tt.md)},
			}
			got := checkLinks(fsys, []string{"docs/page.md"})
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("got problems %q; want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("got problems %q; want exactly one containing %q", got, tt.want)
			}
		})
	}
}

// readmeMakeTargetsMissing returns the Makefile targets that the README's
// "Make targets" section does not show as `make TARGET`.
func readmeMakeTargetsMissing(readme string, targets map[string]bool) []string {
	_, section, _ := strings.Cut(readme, "\n## Make targets\n")
	section, _, _ = strings.Cut(section, "\n## ")
	var missing []string
	for _, tgt := range slices.Sorted(mapKeys(targets)) {
		if tgt == ".PHONY" || tgt == "FORCE" { // make's own, and a helper no one runs
			continue
		}
		if !regexp.MustCompile("`make " + regexp.QuoteMeta(tgt) + "[ `]").MatchString(section) {
			missing = append(missing, tgt)
		}
	}
	return missing
}

func TestReadmeListsEveryMakeTarget(t *testing.T) {
	root := filepath.Join("..", "..")
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	targets := makeTargets(string(makefile))
	if len(targets) < 5 {
		t.Fatalf("found %d Makefile targets; want the parser to find them all", len(targets))
	}
	if missing := readmeMakeTargetsMissing(string(readme), targets); len(missing) > 0 {
		t.Errorf("README.md \"Make targets\": got no row for %q; want every Makefile target listed", missing)
	}
}

func TestReadmeMakeTargetCheckFindsMissing(t *testing.T) {
	targets := map[string]bool{"run": true, "test": true, "push": true, ".PHONY": true, "FORCE": true}
	section := "# x\n\n## Make targets\n\n| `make run` | … |\n| `make test` | … |\n| `make push IMAGE=…` | … |\n\n## Limitations\n"
	tests := []struct {
		name, readme string
		want         []string
	}{
		{"all listed", section, nil},
		{"one missing", strings.Replace(section, "| `make test` | … |\n", "", 1), []string{"test"}},
		{"mentioned only outside the section", strings.Replace(section, "| `make run` | … |\n", "", 1) + "run `make run` \n", []string{"run"}},
		{"a prefix is not the target", strings.Replace(section, "`make run`", "`make runner`", 1), []string{"run"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readmeMakeTargetsMissing(tt.readme, targets); !slices.Equal(got, tt.want) {
				t.Errorf("got missing %q; want %q", got, tt.want)
			}
		})
	}
}
