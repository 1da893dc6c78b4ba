// Package deploy holds no code. Its tests check the files operators load
// (envoy.yaml, e2e/docker-compose.yaml and deploy/istio/wasmplugin.yaml)
// against Envoy's and Istio's own API schemas and run the policy each one
// embeds through policy.Compile (and the published JSON Schema,
// schema/corswasm.schema.json), because neither Envoy nor a Docker engine
// nor a Kubernetes API server is available where they run. The WasmPlugin
// must also pin the digest of the image `make oci` builds from the current
// build/cors.wasm (istio_sha_test.go; `make wasmplugin-sha` updates it).
package deploy
