// Package deploy holds no code. Its tests check the files operators load
// (envoy.yaml, e2e/docker-compose.yaml, deploy/istio/wasmplugin.yaml and
// deploy/Dockerfile) against Envoy's and Istio's own API schemas and run the
// policy each one embeds through policy.Compile (and the published JSON
// Schema, schema/corswasm.schema.json), because neither Envoy nor a
// Docker engine nor a Kubernetes API server is available where they run.
package deploy
