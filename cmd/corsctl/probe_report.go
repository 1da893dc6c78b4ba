package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// shownPerGroup bounds the examples printed under each cause; --json
// lists every request.
const shownPerGroup = 5

// printProbe writes the human-readable report: the verdict first, then
// one section per likely cause with its fix and a few examples.
func printProbe(w io.Writer, rep *probeReport) {
	src := rep.Config
	if rep.Source != "" {
		src += " (" + rep.Source + ")"
	}
	fmt.Fprintf(w, "corsctl probe %s against %s\n", rep.Target, src)
	for _, n := range rep.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if rep.Dropped > 0 {
		fmt.Fprintf(w, "note: %d more requests left out by --max-requests\n", rep.Dropped)
	}
	if rep.DryRun {
		printPlan(w, rep)
		return
	}
	fmt.Fprintf(w, "%d requests sent: %d as predicted, %d not as predicted, %d failed\n",
		rep.Sent, rep.AsPredicted, rep.Mismatched, rep.Errors)
	byID := map[int]*probeResult{}
	for i := range rep.Requests {
		byID[rep.Requests[i].ID] = &rep.Requests[i]
	}
	for _, g := range rep.Groups {
		fmt.Fprintf(w, "\n%s: %s (%s)\n", g.Key, g.Title, count(len(g.Requests), "request"))
		fmt.Fprintf(w, "  fix: %s\n", g.Fix)
		// The examples that differ the most first: for an auth filter in
		// front, the preflight that got 401 instead of 204.
		ids := slices.Clone(g.Requests)
		slices.SortStableFunc(ids, func(a, b int) int {
			return countCause(byID[b], g.Key) - countCause(byID[a], g.Key)
		})
		for i, id := range ids {
			if i == shownPerGroup {
				fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", len(g.Requests)-shownPerGroup)
				break
			}
			r := byID[id]
			fmt.Fprintf(w, "  #%d %s -> %d\n", r.ID, requestLine(&r.probeRequest), r.Observed.Status)
			for _, m := range r.Mismatches {
				if m.Cause == g.Key {
					fmt.Fprintf(w, "      %s: got %s; want %s\n", m.Field, quoteValue(m.Observed), quoteValue(m.Predicted))
				}
			}
		}
	}
	if rep.Errors > 0 {
		fmt.Fprintf(w, "\nfailed requests (%d):\n", rep.Errors)
		shown := 0
		for i := range rep.Requests {
			r := &rep.Requests[i]
			if r.Observed == nil || r.Observed.Error == "" {
				continue
			}
			if shown++; shown > shownPerGroup {
				fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", rep.Errors-shownPerGroup)
				break
			}
			fmt.Fprintf(w, "  #%d %s\n      %s\n", r.ID, requestLine(&r.probeRequest), r.Observed.Error)
		}
	}
	switch {
	case rep.Mismatched > 0:
		fmt.Fprintf(w, "\nverdict: the deployment does not answer as %s predicts\n", rep.Config)
	case rep.Errors > 0:
		fmt.Fprintf(w, "\nverdict: incomplete: %s failed\n", count(rep.Errors, "request"))
	default:
		fmt.Fprintf(w, "\nverdict: every response as %s predicts\n", rep.Config)
	}
}

// printPlan lists every planned request with its prediction.
func printPlan(w io.Writer, rep *probeReport) {
	fmt.Fprintf(w, "dry run: %s planned, none sent\n", count(rep.Planned, "request"))
	for i := range rep.Requests {
		r := &rep.Requests[i]
		fmt.Fprintf(w, "#%d %s\n      predicted: %s\n", r.ID, requestLine(&r.probeRequest), predictionLine(&r.Predicted))
	}
}

// requestLine: `[route] OPTIONS /path Origin: o ACRM: m ACRH: h (label)`.
func requestLine(r *probeRequest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s %s", r.Route, r.Method, r.Path)
	if r.Origin != "" {
		b.WriteString(" Origin: " + r.Origin)
	}
	if r.ACRM != "" {
		b.WriteString(" ACRM: " + r.ACRM)
	}
	if r.ACRH != "" {
		b.WriteString(" ACRH: " + r.ACRH)
	}
	if r.Credentials {
		b.WriteString(" +credentials")
	}
	b.WriteString("  (" + r.Label + ")")
	return b.String()
}

// predictionLine summarizes an expectation in one line.
func predictionLine(e *expectation) string {
	var parts []string
	switch {
	case e.Shadow:
		parts = append(parts, "shadow mode: nothing changes on the wire")
	case e.Status != 0:
		parts = append(parts, "local reply "+strconv.Itoa(e.Status))
	default:
		parts = append(parts, "forwarded")
	}
	if e.Reason != "none" {
		parts = append(parts, strings.ReplaceAll(e.Reason, "_", " "))
	}
	var names []string
	for n := range e.Headers {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return slices.Index(comparedHeaders, a) - slices.Index(comparedHeaders, b) })
	for _, n := range names {
		parts = append(parts, n+": "+e.Headers[n])
	}
	if len(names) == 0 && !e.Shadow {
		parts = append(parts, "no CORS headers")
	}
	if e.Vary != "" {
		parts = append(parts, "vary: "+e.Vary)
	}
	return strings.Join(parts, "; ")
}

func quoteValue(v string) string {
	if v == absent || strings.HasPrefix(v, "includes ") {
		return v
	}
	return strconv.Quote(v)
}

// countCause counts r's mismatches of one cause.
func countCause(r *probeResult, key string) int {
	n := 0
	for _, m := range r.Mismatches {
		if m.Cause == key {
			n++
		}
	}
	return n
}
