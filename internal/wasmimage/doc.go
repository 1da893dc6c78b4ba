// Package wasmimage packages build/cors.wasm as the OCI image that Istio's
// WasmPlugin pulls (spec.url: oci://...), writes it as an OCI image layout,
// and pushes it to a registry.
//
// # Format
//
// Istio's agent (istio/istio pkg/wasm/imagefetcher.go, PrepareFetch)
// accepts three shapes: a Docker schema 2 image or an OCI image whose last
// layer is a tar+gzip holding plugin.wasm (the "compat" variant of Solo's
// Wasm image spec), or the "oci" variant: exactly two layers, one of them the
// raw module with media type application/vnd.module.wasm.content.layer.v1+wasm.
//
// We build the compat variant with OCI media types: an OCI image manifest,
// an OCI image config, and one application/vnd.oci.image.layer.v1.tar+gzip
// layer holding plugin.wasm. Why:
//
//   - It is an ordinary image, so every registry stores it and every tool
//     copies it (crane, skopeo, docker); some registries refuse manifests
//     with unknown artifact media types, and the "oci" variant's custom
//     config and layer types are exactly that.
//   - Istio tries it before the "oci" variant, and the "oci" variant's
//     fixed layer count (two) is a rule of Istio's reader, not of any spec,
//     that a second reader need not share.
//   - It is what `docker build` of a FROM scratch + COPY plugin.wasm
//     Dockerfile gives (with Docker media types), the form Istio documents.
//
// The price is a gzip+tar wrapper around the module; it compresses the
// module too, so the blob a gateway downloads is smaller than the module.
//
// # Reproducibility
//
// The image digest is a function of the module's bytes only: the tar entry
// and the config carry a fixed time (the Unix epoch, as SOURCE_DATE_EPOCH=0),
// uid/gid 0, no user or host names, and gzip runs at a fixed level with an
// empty header. The one outside input is Go's compress/flate: a toolchain
// whose compressor emits different bytes gives another (equally valid)
// digest for the same module.
package wasmimage
