package deploy

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// minEnvoy is the oldest Envoy that runs Go 1.24+ wasip1 modules and has
// the wasm failure_policy field (both in Envoy's 1.33.0 changelog).
var minEnvoy = [3]int{1, 33, 0}

// composeFile is the part of the Compose specification these checks read.
// Syntax and the Compose schema are TestComposeFileValid's job (compose-go,
// as `docker compose config -q`); this test checks that the file agrees
// with envoy.yaml.
type composeFile struct {
	Services map[string]composeService `json:"services"`
}

type composeService struct {
	Image       string            `json:"image"`
	Command     []string          `json:"command"`
	Ports       []string          `json:"ports"`
	Expose      []string          `json:"expose"`
	Environment map[string]string `json:"environment"`
	Volumes     []composeVolume   `json:"volumes"`
}

// composeVolume is the long volume syntax, which the file uses so that a
// missing build/cors.wasm fails instead of becoming an empty directory.
type composeVolume struct {
	Type     string `json:"type"`
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"read_only"`
}

var envoyTag = regexp.MustCompile(`^envoyproxy/envoy:v(\d+)\.(\d+)\.(\d+)$`)

// checkCompose checks e2e/docker-compose.yaml against envoy.yaml: the
// module and config are mounted where Envoy loads them, read-only; the
// Envoy image is pinned at or above minEnvoy; the listener port is
// published; the upstream cluster is a service of the file.
func checkCompose(compose, envoy []byte) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	js, err := yamlToJSON(compose)
	if err != nil {
		return []string{"e2e/docker-compose.yaml: " + err.Error()}
	}
	var cf composeFile
	if err := json.Unmarshal(js, &cf); err != nil {
		return []string{"e2e/docker-compose.yaml: " + err.Error()}
	}
	ec := checkEnvoy(envoy)
	if len(ec.problems) > 0 {
		return append([]string{"envoy.yaml has problems (see TestEnvoyConfig)"}, ec.problems...)
	}

	envoySvc, ok := cf.Services["envoy"]
	if !ok {
		return []string{`services: no "envoy" service`}
	}
	m := envoyTag.FindStringSubmatch(envoySvc.Image)
	if m == nil {
		fail("services.envoy.image: %q: want an exact release tag like envoyproxy/envoy:v1.40.0, never a floating one", envoySvc.Image)
	} else {
		var v [3]int
		for i := range v {
			v[i], _ = strconv.Atoi(m[i+1])
		}
		if slices.Compare(v[:], minEnvoy[:]) < 0 {
			fail("services.envoy.image: %q: older than Envoy v%d.%d.%d, which standard-Go wasm modules need", envoySvc.Image, minEnvoy[0], minEnvoy[1], minEnvoy[2])
		}
	}

	// Envoy's config path: from the command, else the image's default.
	configPath := "/etc/envoy/envoy.yaml"
	for i, arg := range envoySvc.Command {
		if i+1 >= len(envoySvc.Command) {
			break
		}
		switch arg {
		case "-c", "--config-path":
			configPath = envoySvc.Command[i+1]
		case "--config-yaml":
			// Merged over envoy.yaml by Envoy: it must be a valid Bootstrap
			// fragment, and may only move the admin interface, never touch
			// the listener or the filter that the envoy.yaml checks vouch for.
			if err := checkAdminOverride(envoySvc.Command[i+1]); err != nil {
				fail("services.envoy.command: --config-yaml: %v", err)
			}
		}
	}
	moduleTarget := ec.plugin.GetVmConfig().GetCode().GetLocal().GetFilename()
	mounts := map[string]string{ // target -> wanted source, relative to e2e/
		moduleTarget: "../build/cors.wasm",
		configPath:   "../envoy.yaml",
	}
	for target, source := range mounts {
		i := slices.IndexFunc(envoySvc.Volumes, func(v composeVolume) bool { return v.Target == target })
		if i < 0 {
			fail("services.envoy.volumes: nothing mounted at %q; want %s there", target, source)
			continue
		}
		v := envoySvc.Volumes[i]
		if v.Type != "bind" || path.Clean(v.Source) != source {
			fail("services.envoy.volumes[%d]: got %s %q at %q; want bind %q", i, v.Type, v.Source, target, source)
		}
		if !v.ReadOnly {
			fail("services.envoy.volumes[%d]: %q is writable; want read_only: true", i, target)
		}
	}

	published := false
	for _, p := range envoySvc.Ports {
		// "10000:10000" or "127.0.0.1:10000:10000": container port last.
		if strings.HasSuffix(p, ":"+strconv.Itoa(listenerPort)) {
			published = true
		}
	}
	if !published {
		fail("services.envoy.ports: got %q; want the listener port %d published", envoySvc.Ports, listenerPort)
	}

	host, port := upstreamAddress(envoy)
	up, ok := cf.Services[host]
	switch {
	case !ok:
		fail("services: envoy.yaml's upstream cluster points at %q; want a service of that name", host)
	case !slices.Contains(up.Expose, port) && up.Environment["PORT"] != port:
		fail("services.%s: does not listen on %s, the port envoy.yaml's upstream cluster uses", host, port)
	case !strings.Contains(up.Image, ":") || strings.HasSuffix(up.Image, ":latest"):
		fail("services.%s.image: %q: want a pinned tag", host, up.Image)
	}
	return problems
}

func checkAdminOverride(fragment string) error {
	js, err := yamlToJSON([]byte(fragment))
	if err != nil {
		return err
	}
	var b bootstrapv3.Bootstrap
	if err := protojson.Unmarshal(js, &b); err != nil {
		return fmt.Errorf("not a v3 Bootstrap fragment: %v", err)
	}
	if b.GetAdmin() == nil || !proto.Equal(&b, &bootstrapv3.Bootstrap{Admin: b.GetAdmin()}) {
		return fmt.Errorf("%s: want an override of admin only", fragment)
	}
	return b.GetAdmin().ValidateAll()
}

// upstreamAddress returns the host and port of the `upstream` cluster's
// first endpoint in envoy.yaml (as parsed by TestEnvoyConfig's loader).
func upstreamAddress(envoy []byte) (host, port string) {
	js, err := yamlToJSON(envoy)
	if err != nil {
		return "", ""
	}
	var doc struct {
		StaticResources struct {
			Clusters []struct {
				Name           string `json:"name"`
				LoadAssignment struct {
					Endpoints []struct {
						LbEndpoints []struct {
							Endpoint struct {
								Address struct {
									SocketAddress struct {
										Address   string `json:"address"`
										PortValue int    `json:"port_value"`
									} `json:"socket_address"`
								} `json:"address"`
							} `json:"endpoint"`
						} `json:"lb_endpoints"`
					} `json:"endpoints"`
				} `json:"load_assignment"`
			} `json:"clusters"`
		} `json:"static_resources"`
	}
	if json.Unmarshal(js, &doc) != nil {
		return "", ""
	}
	for _, c := range doc.StaticResources.Clusters {
		if c.Name != "upstream" {
			continue
		}
		for _, e := range c.LoadAssignment.Endpoints {
			for _, lb := range e.LbEndpoints {
				sa := lb.Endpoint.Address.SocketAddress
				return sa.Address, strconv.Itoa(sa.PortValue)
			}
		}
	}
	return "", ""
}

func TestComposeMatchesEnvoyConfig(t *testing.T) {
	compose := repoFile(t, "e2e/docker-compose.yaml")
	envoy := repoFile(t, "envoy.yaml")
	tests := []struct {
		name    string
		compose func(t *testing.T) []byte
		want    string
	}{
		{"shipped compose file", func(*testing.T) []byte { return compose }, ""},
		{"floating Envoy tag", func(t *testing.T) []byte {
			return mutate(t, compose, "envoyproxy/envoy:v1.40.0", "envoyproxy/envoy:latest")
		}, "want an exact release tag"},
		{"Envoy too old", func(t *testing.T) []byte {
			return mutate(t, compose, "envoyproxy/envoy:v1.40.0", "envoyproxy/envoy:v1.32.9")
		}, "older than Envoy v1.33.0"},
		{"module mounted elsewhere", func(t *testing.T) []byte {
			return mutate(t, compose, "target: /etc/envoy/cors.wasm", "target: /etc/envoy/plugin.wasm")
		}, `nothing mounted at "/etc/envoy/cors.wasm"`},
		{"module from the wrong file", func(t *testing.T) []byte {
			return mutate(t, compose, "source: ../build/cors.wasm", "source: ../build/noop.wasm")
		}, `want bind "../build/cors.wasm"`},
		{"module writable", func(t *testing.T) []byte {
			return mutate(t, compose, "target: /etc/envoy/cors.wasm\n        read_only: true", "target: /etc/envoy/cors.wasm\n        read_only: false")
		}, "is writable"},
		{"config path changed on the command line", func(t *testing.T) []byte {
			return mutate(t, compose, "      - /etc/envoy/envoy.yaml\n", "      - /etc/envoy/other.yaml\n")
		}, `nothing mounted at "/etc/envoy/other.yaml"`},
		{"listener port not published", func(t *testing.T) []byte {
			return mutate(t, compose, `"127.0.0.1:10000:10000"`, `"127.0.0.1:10001:10001"`)
		}, "want the listener port 10000 published"},
		{"override touching more than admin", func(t *testing.T) []byte {
			return mutate(t, compose, `"admin: {address: {socket_address: {address: 0.0.0.0, port_value: 9901}}}"`,
				`"static_resources: {listeners: []}"`)
		}, "want an override of admin only"},
		{"override not a Bootstrap", func(t *testing.T) []byte {
			return mutate(t, compose, `"admin: {address: {socket_address: {address: 0.0.0.0, port_value: 9901}}}"`,
				`"admin: {adress: {}}"`)
		}, "not a v3 Bootstrap fragment"},
		{"upstream service renamed", func(t *testing.T) []byte {
			return mutate(t, compose, "  echo:\n", "  backend:\n")
		}, `points at "echo"`},
		{"upstream on another port", func(t *testing.T) []byte {
			doc := mutate(t, compose, `PORT: "8080"`, `PORT: "9090"`)
			return mutate(t, doc, `- "8080"`, `- "9090"`)
		}, "does not listen on 8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkProblems(t, checkCompose(tt.compose(t), envoy), tt.want)
		})
	}
}
