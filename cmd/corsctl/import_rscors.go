package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/rs/cors"
	"sigs.k8s.io/yaml"
)

// rsCorsFuncs are Options fields that hold Go code (and Logger, an
// interface): a JSON or YAML rendering can only name them.
var rsCorsFuncs = []string{"AllowOriginFunc", "AllowOriginRequestFunc", "AllowOriginVaryRequestFunc", "Logger"}

// readRSCors reads a JSON or YAML rendering of github.com/rs/cors Options
// (the Go field names, e.g. {"AllowedOrigins": ["*"], "AllowCredentials":
// true}) into cors.Options itself. One Options guards one handler, so it
// becomes the top-level policy.
func readRSCors(data []byte, a *audit) ([]*oldPolicy, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, fmt.Errorf("want an object of rs/cors Options fields: %v", err)
	}
	for k := range raw {
		for _, f := range rsCorsFuncs {
			if !strings.EqualFold(k, f) {
				continue
			}
			delete(raw, k)
			if f == "Logger" {
				continue
			}
			a.add(sevTODO, f, "", "a Go function decides which origins are allowed; rs/cors then ignores AllowedOrigins",
				"not carried over; list the origins it allows in allowOrigins")
		}
	}
	js, _ = json.Marshal(raw)
	var opts cors.Options
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&opts); err != nil {
		return nil, fmt.Errorf("rs/cors Options: %v", err)
	}
	p := &oldPolicy{where: "rs/cors Options", engine: engineRSCors, top: true, sampleHost: "api.example.com", samplePath: "/",
		enabled: true, rscors: &opts, originsPath: "AllowedOrigins"}
	if len(opts.AllowedOrigins) == 0 {
		// rs/cors: "Default value is ["*"]".
		a.add(sevNote, "AllowedOrigins", "", `empty, which rs/cors reads as ["*"]`, "")
		p.origins = []oldMatcher{{path: "AllowedOrigins", kind: matchStar, value: "*"}}
	}
	for i, o := range opts.AllowedOrigins {
		p.origins = append(p.origins, oldMatcher{path: indexed("AllowedOrigins", i), kind: matchStar, value: o})
	}
	p.allowMethods, p.methodsPath = opts.AllowedMethods, "AllowedMethods"
	if len(opts.AllowedMethods) == 0 {
		p.allowMethods = []string{"GET", "POST", "HEAD"} // rs/cors's default
	}
	p.allowHeaders, p.headersPath = opts.AllowedHeaders, "AllowedHeaders"
	if len(opts.AllowedHeaders) == 0 {
		p.allowHeaders = []string{"accept", "content-type", "x-requested-with"} // rs/cors's default
	}
	p.exposeHeaders, p.exposePath = opts.ExposedHeaders, "ExposedHeaders"
	switch {
	case opts.MaxAge > 0:
		p.maxAge = strconv.Itoa(opts.MaxAge)
	case opts.MaxAge < 0:
		p.maxAge = "0" // rs/cors sends 0 for a negative MaxAge
	}
	p.maxAgePath = "MaxAge"
	p.credentials, p.credentialsPath = opts.AllowCredentials, "AllowCredentials"
	p.privateNetwork = opts.AllowPrivateNetwork
	return []*oldPolicy{p}, nil
}

// applyRSCors carries the settings only rs/cors has.
func applyRSCors(e *emitted, p *oldPolicy, a *audit) {
	o := p.rscors
	switch o.OptionsSuccessStatus {
	case 0, 204:
	case 200:
		e.rules.PreflightStatus = 200
	default:
		a.add(sevTODO, "OptionsSuccessStatus", strconv.Itoa(o.OptionsSuccessStatus), "corswasm answers preflights with 200 or 204",
			"carried over as 204; choose 200 if an old client needs it")
	}
	if o.OptionsPassthrough {
		a.add(sevNote, "OptionsPassthrough", "true", "preflights went on to your handler after rs/cors",
			"corswasm answers preflights itself; your handler no longer sees them")
	}
}
