// Command benchreport prints the performance tables of docs/performance.md
// from raw `go test -bench` output, through benchstat. `make bench-report`
// runs the benchmarks and then this; nothing in the tables is typed by
// hand, so a number in the docs is one this command printed.
//
// Usage:
//
//	benchreport -dir build/bench -benchstat 'go run golang.org/x/perf/cmd/benchstat@VERSION'
//
// It reads engine.txt (policy BenchmarkEvaluate), middleware.txt and
// middleware-fresh.txt (corshttp BenchmarkMiddleware and
// BenchmarkMiddlewareFreshHeader) and cycle.txt (BenchmarkCycle) from -dir,
// plus load-before.txt and load-after.txt (/proc/loadavg), runs benchstat
// on each with the projections that make one row per case, and prints
// Markdown. Values are benchstat's medians with its 95 % confidence
// interval; ratios are of medians.
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	dir := flag.String("dir", "build/bench", "directory with the go test outputs")
	bs := flag.String("benchstat", "benchstat", "the benchstat command (split on spaces)")
	flag.Parse()
	r := &report{dir: *dir, benchstat: strings.Fields(*bs)}
	if err := r.run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

type report struct {
	dir       string
	benchstat []string
	out       bytes.Buffer
}

func (r *report) run() error {
	engine, err := r.stat("engine.txt", "/origins", "/case")
	if err != nil {
		return err
	}
	mw, err := r.stat("middleware.txt", "/impl", "/origins,/case")
	if err != nil {
		return err
	}
	fresh, err := r.stat("middleware-fresh.txt", "/impl", "/origins,/case")
	if err != nil {
		return err
	}
	cyc, err := r.stat("cycle.txt", "/module", "/case")
	if err != nil {
		return err
	}
	r.header(mw)
	r.engineTable(engine)
	r.middlewareTable(mw, "### corshttp next to rs/cors and jub0bs/cors (`BenchmarkMiddleware`)")
	r.middlewareTable(fresh, "### The same with a new header map per request, as net/http gives each response (`BenchmarkMiddlewareFreshHeader`)")
	r.cycleTable(cyc)
	_, err = os.Stdout.Write(r.out.Bytes())
	return err
}

func (r *report) printf(format string, args ...any) { fmt.Fprintf(&r.out, format, args...) }

// header states where and when: the numbers mean nothing without it.
func (r *report) header(s *stats) {
	commit := gitOut("rev-parse", "--short=12", "HEAD")
	if gitOut("status", "--porcelain", "--untracked-files=no") != "" {
		commit += " (with uncommitted changes)"
	}
	r.printf("Measured %s by `make bench-report` at commit `%s`.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), commit)
	r.printf("- Machine: %s, %d CPUs, %s/%s, %s.\n", s.meta["cpu"], runtime.NumCPU(), s.meta["goos"], s.meta["goarch"], runtime.Version())
	r.printf("- Load average (1, 5, 15 min) before: %s; after: %s.\n", r.load("load-before.txt"), r.load("load-after.txt"))
	r.printf("- Each cell is benchstat's median of every run (`-count`) ± its 95 %% confidence interval; ratios are of medians.\n\n")
}

func (r *report) load(name string) string {
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		return "not recorded"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "not recorded"
	}
	return strings.Join(f[:3], " ")
}

func (r *report) engineTable(s *stats) {
	t := s.table("sec/op")
	allocs := s.table("allocs/op")
	r.printf("### The engine: `policy.Evaluate` (`BenchmarkEvaluate`)\n\n")
	r.printf("| Request |")
	for _, c := range t.cols {
		r.printf(" %s origins |", thousands(c))
	}
	r.printf(" allocs/op |\n|---|")
	for range t.cols {
		r.printf("---:|")
	}
	r.printf("---:|\n")
	for _, row := range t.rows {
		r.printf("| %s |", row)
		for _, c := range t.cols {
			r.printf(" %s |", t.cell(row, c).ns())
		}
		r.printf(" %s |\n", allocs.maxCount(row))
	}
	r.printf("\n")
}

// peers are the middlewares corshttp is compared with, by -col value.
var peers = []struct{ key, name string }{{"rscors", "rs/cors v1.11.1"}, {"jub0bs", "jub0bs/cors v0.6.0"}}

func (r *report) middlewareTable(s *stats, title string) {
	t := s.table("sec/op")
	bytesT := s.table("B/op")
	allocs := s.table("allocs/op")
	r.printf("%s\n\n", title)
	r.printf("Ratio: corshttp ÷ the fastest peer in that row (below 1 means corshttp is faster; `~`: benchstat finds no significant difference).\n\n")
	r.printf("| Origins | Case | corshttp |")
	for _, p := range peers {
		r.printf(" %s |", p.name)
	}
	r.printf(" Ratio | B/op (corshttp, rs, jub0bs) | allocs/op (corshttp, rs, jub0bs) |\n|---:|---|---:|")
	for range peers {
		r.printf("---:|")
	}
	r.printf("---:|---:|---:|\n")
	for _, row := range t.rows {
		origins, name, _ := strings.Cut(row, " ")
		ours := t.cell(row, "corshttp")
		r.printf("| %s | %s | %s |", thousands(origins), name, ours.ns())
		best := -1
		for i, p := range peers {
			c := t.cell(row, p.key)
			r.printf(" %s |", c.ns())
			if c.ok && (best < 0 || c.center < t.cell(row, peers[best].key).center) {
				best = i
			}
		}
		ratio := "n/a"
		if best >= 0 && ours.ok {
			fastest := t.cell(row, peers[best].key)
			ratio = fmt.Sprintf("%.2f×", ours.center/fastest.center)
			if fastest.vs == "~" {
				ratio += " ~"
			}
		}
		r.printf(" %s | %s | %s |\n", ratio,
			joinCells(bytesT, row, "corshttp", "rscors", "jub0bs"),
			joinCells(allocs, row, "corshttp", "rscors", "jub0bs"))
	}
	r.printf("\n")
}

func (r *report) cycleTable(s *stats) {
	t := s.table("sec/op")
	r.printf("### Full request cycle in wazero (`BenchmarkCycle`, one warm instance per module)\n\n")
	r.printf("| Case | noop | cors-unpatched | cors | cors ÷ noop | cors ÷ cors-unpatched |\n|---|---:|---:|---:|---:|---:|\n")
	for _, row := range t.rows {
		noop, unp, cors := t.cell(row, "noop"), t.cell(row, "cors-unpatched"), t.cell(row, "cors")
		r.printf("| %s | %s | %s | %s | %s | %s |\n", row, noop.ns(), unp.ns(), cors.ns(), ratio(cors, noop), ratio(cors, unp))
	}
	r.printf("\n")
}

func ratio(a, b cell) string {
	if !a.ok || !b.ok || b.center == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a.center/b.center)
}

func joinCells(t *table, row string, cols ...string) string {
	var parts []string
	for _, c := range cols {
		x := t.cell(row, c)
		if !x.ok {
			parts = append(parts, "?")
			continue
		}
		parts = append(parts, strconv.FormatFloat(x.center, 'f', -1, 64))
	}
	return strings.Join(parts, ", ")
}

// stats is one benchstat run: its preamble (goos, cpu, ...) and one table
// per unit.
type stats struct {
	meta   map[string]string
	tables map[string]*table
}

func (s *stats) table(unit string) *table {
	if t, ok := s.tables[unit]; ok {
		return t
	}
	return &table{cells: map[string]cell{}}
}

type table struct {
	cols, rows []string
	cells      map[string]cell // row + "\x00" + col
}

type cell struct {
	center float64
	ci     string // "3%", "∞" below 6 samples
	vs     string // change against the first column: "+12.00%", "~"
	ok     bool
}

func (t *table) cell(row, col string) cell { return t.cells[row+"\x00"+col] }

// maxCount is the largest value of a row, for counts such as allocs/op.
func (t *table) maxCount(row string) string {
	m, any := 0.0, false
	for _, c := range t.cols {
		if x := t.cell(row, c); x.ok {
			m, any = max(m, x.center), true
		}
	}
	if !any {
		return "?"
	}
	return strconv.FormatFloat(m, 'f', -1, 64)
}

// ns formats seconds per op as nanoseconds with its interval.
func (c cell) ns() string {
	if !c.ok {
		return "?"
	}
	v := c.center * 1e9
	var s string
	if v >= 100 {
		s = thousands(strconv.FormatFloat(v, 'f', 0, 64))
	} else {
		s = strconv.FormatFloat(v, 'f', 1, 64)
	}
	if c.ci != "" && c.ci != "∞" {
		s += " ± " + c.ci
	}
	return s
}

func thousands(s string) string {
	if len(s) <= 3 || strings.ContainsAny(s, ".e") {
		return s
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

// stat runs benchstat -format csv on one file and parses its tables.
func (r *report) stat(file, col, row string) (*stats, error) {
	path := filepath.Join(r.dir, file)
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	args := append(append([]string{}, r.benchstat[1:]...), "-format", "csv", "-col", col, "-row", row, path)
	cmd := exec.Command(r.benchstat[0], args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return parseCSV(out)
}

// parseCSV reads benchstat's CSV: "key: value" preamble lines, then
// tables separated by blank lines, each with a row of column names (a
// name starts each column's group of cells), a row of units ("sec/op",
// "CI", "vs base", "P"), data rows and a geomean row, which is skipped.
func parseCSV(out []byte) (*stats, error) {
	s := &stats{meta: map[string]string{}, tables: map[string]*table{}}
	for _, block := range strings.Split(string(out), "\n\n") {
		var lines []string
		for _, l := range strings.Split(block, "\n") {
			if k, v, ok := strings.Cut(l, ": "); ok && !strings.Contains(k, ",") {
				s.meta[k] = v
				continue
			}
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) < 3 {
			continue
		}
		rd := csv.NewReader(strings.NewReader(strings.Join(lines, "\n")))
		rd.FieldsPerRecord = -1
		recs, err := rd.ReadAll()
		if err != nil {
			return nil, err
		}
		names, units := recs[0], recs[1]
		t := &table{cells: map[string]cell{}}
		unit := ""
		colAt := map[int]string{}
		for i := 1; i < len(names) && i < len(units); i++ {
			if names[i] != "" {
				colAt[i] = names[i]
				t.cols = append(t.cols, names[i])
				unit = units[i]
			}
		}
		for _, rec := range recs[2:] {
			if rec[0] == "geomean" {
				continue
			}
			t.rows = append(t.rows, rec[0])
			for i, name := range colAt {
				if i >= len(rec) || rec[i] == "" {
					continue
				}
				v, err := strconv.ParseFloat(rec[i], 64)
				if err != nil {
					continue
				}
				c := cell{center: v, ok: true}
				if i+1 < len(rec) && units[i+1] == "CI" {
					c.ci = rec[i+1]
				}
				if i+2 < len(rec) && i+2 < len(units) && units[i+2] == "vs base" {
					c.vs = rec[i+2]
				}
				t.cells[rec[0]+"\x00"+name] = c
			}
		}
		if unit != "" {
			s.tables[unit] = t
		}
	}
	return s, nil
}

func gitOut(args ...string) string {
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
