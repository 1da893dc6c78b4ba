package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/corswasm/corswasm/policy"
)

// corsctl probe checks a live deployment against its policy: it derives
// requests from the policy, sends them to one host, and compares every
// response with what the engine (the same one explain uses) predicts.
//
// Exit status: 0 every response as predicted (or --dry-run), 1 some
// response differs, 2 usage, config or network errors.
const exitMismatch = 1

// probeOptions are probe's flags.
type probeOptions struct {
	config     string
	index      int
	max        int
	rate       float64
	timeout    time.Duration
	routeName  string
	credential string
	dryRun     bool
	json       bool
}

func probeFlags(stderr io.Writer) (*flag.FlagSet, *probeOptions) {
	fs := newFlagSet("probe", stderr)
	o := &probeOptions{}
	fs.StringVar(&o.config, "config", "", "the policy the deployment should enforce, `FILE`: a plugin config, envoy.yaml or Istio WasmPlugin (required)")
	fs.IntVar(&o.index, "index", 1, "use the `N`th configuration of FILE, when it holds several")
	fs.IntVar(&o.max, "max-requests", 200, "send at most `N` requests (1-1000); the least telling are left out first")
	fs.Float64Var(&o.rate, "rate", 10, "send at most `R` requests per second (0.1-1000), one at a time")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "give each request at most `D`")
	fs.StringVar(&o.routeName, "route-name", "", "Envoy's route_name for requests to URL, when routes select on routeNames")
	fs.StringVar(&o.credential, "credential-header", "Cookie: corsctl_probe=1", "the `HEADER` (\"Name: value\") that requests \"with credentials\" carry")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the plan and the predicted answers; send nothing")
	fs.BoolVar(&o.json, "json", false, "print a JSON report")
	return fs, o
}

// probeReport is probe's result; --json prints it as is.
type probeReport struct {
	Target      string        `json:"target"`
	Config      string        `json:"config"`
	Source      string        `json:"source,omitempty"` // where in the file the config is
	DryRun      bool          `json:"dryRun"`
	Planned     int           `json:"planned"`
	Dropped     int           `json:"dropped"` // left out by --max-requests
	Sent        int           `json:"sent"`
	AsPredicted int           `json:"asPredicted"`
	Mismatched  int           `json:"mismatched"`
	Errors      int           `json:"errors"`
	Notes       []string      `json:"notes,omitempty"`
	Groups      []probeGroup  `json:"groups"`
	Requests    []probeResult `json:"requests"`
}

// probeResult is one request, its prediction and what came back.
type probeResult struct {
	probeRequest
	Observed   *observation `json:"observed,omitempty"`
	Mismatches []mismatch   `json:"mismatches,omitempty"`
}

// probeGroup gathers the requests whose mismatches share a likely cause.
type probeGroup struct {
	cause
	Requests []int `json:"requests"` // ids
}

func runProbe(args []string, stdout, stderr io.Writer) int {
	fs, o := probeFlags(stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return flagExit(err, stdout, stderr)
	}
	target, msg := checkProbeArgs(o, pos)
	if msg != "" {
		fmt.Fprintf(stderr, "corsctl probe: %s\n", msg)
		return exitUsage
	}
	credential, err := parseCredential(o.credential)
	if err != nil {
		fmt.Fprintf(stderr, "corsctl probe: %v\n", err)
		return exitUsage
	}
	cfg, p, where, code := loadProbeConfig(o, stderr)
	if code != exitOK {
		return code
	}
	pathAndQuery := target.EscapedPath()
	if pathAndQuery == "" {
		pathAndQuery = "/"
	}
	if target.RawQuery != "" {
		pathAndQuery += "?" + target.RawQuery
	}
	pl := buildPlan(&cfg, p, planOptions{authority: target.Host, path: pathAndQuery, routeName: o.routeName, max: o.max})
	rep := probeReport{
		Target: target.String(), Config: o.config, Source: where, DryRun: o.dryRun,
		Planned: len(pl.Requests), Dropped: pl.Dropped, Notes: pl.Notes, Groups: []probeGroup{},
	}
	if len(pl.Requests) == 0 {
		fmt.Fprintf(stderr, "corsctl probe: no policy of %s applies to %s: nothing to probe\n", o.config, target.Host)
		for _, n := range pl.Notes {
			fmt.Fprintf(stderr, "note: %s\n", n)
		}
		return exitUsage
	}
	var obs []observation
	if !o.dryRun {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		obs = newProber(target, o.rate, o.timeout, credential).send(ctx, pl.Requests)
	}
	tally(&rep, pl.Requests, obs)
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "corsctl: %v\n", err)
			return exitUsage
		}
	} else {
		printProbe(stdout, &rep)
	}
	switch {
	case rep.Mismatched > 0:
		return exitMismatch
	case rep.Errors > 0:
		return exitUsage
	}
	return exitOK
}

// checkProbeArgs validates the flags and the URL; msg says what is wrong.
func checkProbeArgs(o *probeOptions, pos []string) (target *url.URL, msg string) {
	switch {
	case len(pos) != 1:
		return nil, "want exactly one URL\n" + usage
	case o.config == "":
		return nil, "--config FILE is required: the policy the deployment should enforce"
	case o.max < 1 || o.max > 1000:
		return nil, fmt.Sprintf("--max-requests %d: want 1 to 1000", o.max)
	case !(o.rate >= 0.1 && o.rate <= 1000):
		return nil, fmt.Sprintf("--rate %g: want 0.1 to 1000 requests per second", o.rate)
	case o.timeout <= 0:
		return nil, fmt.Sprintf("--timeout %s: want a positive duration", o.timeout)
	}
	u, err := url.Parse(pos[0])
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, fmt.Sprintf("%q: want an absolute http(s) URL without user info, e.g. https://api.example.com/v1/items", pos[0])
	}
	return u, ""
}

// loadProbeConfig reads and compiles the policy, refusing one the filter
// would not load: there would be nothing to predict from.
func loadProbeConfig(o *probeOptions, stderr io.Writer) (policy.Config, *policy.Policy, string, int) {
	sources, code := loadFile(o.config, stderr)
	if code != exitOK {
		return policy.Config{}, nil, "", exitUsage
	}
	if o.index < 1 || o.index > len(sources) {
		fmt.Fprintf(stderr, "corsctl probe: --index %d: %s holds %d configuration(s)\n", o.index, o.config, len(sources))
		return policy.Config{}, nil, "", exitUsage
	}
	src := sources[o.index-1]
	if len(sources) > 1 {
		fmt.Fprintf(stderr, "note: %s holds %d configurations; probing with number %d (%s); choose with --index N\n", o.config, len(sources), o.index, src.where)
	}
	c := compile(src)
	if len(c.filterErrs) > 0 || c.policy == nil {
		for _, e := range c.errors() {
			fmt.Fprintf(stderr, "%s: %s\n", o.config, e)
		}
		fmt.Fprintf(stderr, "%s: invalid: the filter would not start with this config; run corsctl validate\n", o.config)
		return policy.Config{}, nil, "", exitUsage
	}
	cfg, err := policy.ParseConfig(src.config)
	if err != nil { // cannot happen: compile succeeded on the same bytes
		fmt.Fprintf(stderr, "%s: %v\n", o.config, err)
		return policy.Config{}, nil, "", exitUsage
	}
	return cfg, c.policy, src.where, exitOK
}

// tally compares each observation with its prediction and groups the
// mismatches by cause. obs is nil for a dry run.
func tally(rep *probeReport, reqs []probeRequest, obs []observation) {
	byCause := map[string][]int{}
	for i := range reqs {
		res := probeResult{probeRequest: reqs[i]}
		if obs != nil {
			o := obs[i]
			res.Observed = &o
			rep.Sent++
			switch {
			case o.Error != "":
				rep.Errors++
			default:
				res.Mismatches = compare(&reqs[i], &o)
				if len(res.Mismatches) == 0 {
					rep.AsPredicted++
					break
				}
				rep.Mismatched++
				seen := map[string]bool{}
				for _, m := range res.Mismatches {
					if !seen[m.Cause] {
						seen[m.Cause] = true
						byCause[m.Cause] = append(byCause[m.Cause], res.ID)
					}
				}
			}
		}
		rep.Requests = append(rep.Requests, res)
	}
	for _, c := range causes {
		if ids := byCause[c.Key]; len(ids) > 0 {
			rep.Groups = append(rep.Groups, probeGroup{cause: c, Requests: ids})
		}
	}
}
