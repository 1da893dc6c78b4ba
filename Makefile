# corswasm: a CORS filter for Envoy, compiled from standard Go to a
# proxy-wasm module. Everything a developer or CI runs goes through here.

GO        ?= go
WASM      := build/cors.wasm
NOOP_WASM := build/noop.wasm
# The filter built WITHOUT the poll_oneoff overlay: what shipped before
# the fix. Tests prove that the Envoy host profile kills it (so the
# profile can catch the crash) and that the shipped module survives.
UNPATCHED_WASM := build/cors-unpatched.wasm
# The overlay that takes wasi_snapshot_preview1.poll_oneoff out of Go's
# runtime (internal/pollpatch; see docs/envoy-compatibility.md for why).
OVERLAY   := build/overlay/overlay.json
WASM_ENV  := GOOS=wasip1 GOARCH=wasm
# -buildmode=c-shared makes a WASI reactor (exports _initialize), which is
# what Envoy's wasm host expects from a standard-Go module.
WASM_FLAGS := -buildmode=c-shared -trimpath -ldflags='-s -w'

.PHONY: all wasm test run bench check vet clean soak bench-filter corsctl

all: wasm

wasm: $(WASM) $(NOOP_WASM)

$(OVERLAY): FORCE
	@mkdir -p build
	$(GO) run ./internal/pollpatch -go $(GO) -o build/overlay >/dev/null

$(WASM): $(OVERLAY) FORCE
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -overlay $(OVERLAY) -o $@ .

# A module built the same way that does nothing: the baseline that the
# benchmarks and footprint numbers are measured against.
$(NOOP_WASM): $(OVERLAY) FORCE
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -overlay $(OVERLAY) -o $@ ./internal/noopfilter

$(UNPATCHED_WASM): FORCE
	@mkdir -p build
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ .

# soak: 1,000,000 requests through one instance of build/cors.wasm
# (TestSoak, also part of `make test`); reports linear-memory pages.
# SOAK=n changes the count.
SOAK ?= 1000000
soak: wasm $(UNPATCHED_WASM)
	CORSWASM_SOAK_REQUESTS=$(SOAK) $(GO) test -count=1 -run '^TestSoak$$' -v .

# bench-filter: the filter's benchmarks only (cors.wasm next to noop.wasm),
# with a CPU profile in build/cpu.prof.
bench-filter: wasm
	$(GO) test -run='^$$' -bench=. -benchmem -cpuprofile build/cpu.prof .

vet:
	$(GO) vet ./...
	$(WASM_ENV) $(GO) vet .

# check: the fast static checks (formatting, vet, config files against
# their schemas' tests are part of `test`).
check: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test: check wasm $(UNPATCHED_WASM)
	@if command -v docker-compose >/dev/null 2>&1; then \
		docker-compose -f e2e/docker-compose.yaml config -q && echo "e2e/docker-compose.yaml: valid"; \
	else echo "docker-compose not installed: .ci/run installs it" >&2; exit 1; fi
	$(GO) test -count=1 ./...

bench: wasm
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# run: the module on the embedded local gateway (:10000) with the demo page
# (:8080). Built, then run, so Ctrl-C ends it cleanly (go run reports an
# interrupted child as a failure).
run: wasm
	$(GO) build -o build/corsgateway ./cmd/corsgateway
	./build/corsgateway -module $(WASM) -config examples/config.json

# corsctl: the operator tool (validate, explain, probe, schema) in build/.
corsctl:
	$(GO) build -o build/corsctl ./cmd/corsctl

clean:
	rm -rf build

FORCE:

# psl: refresh the Public Suffix List that policy/ embeds (policy/internal/psl)
# from Debian's publicsuffix package (the official list, MPL-2.0, header
# kept), record the package version next to it, and re-run the matcher's
# tests, including the comparison with golang.org/x/net/publicsuffix.
PSL_SRC := /usr/share/publicsuffix/public_suffix_list.dat
PSL_DIR := policy/internal/psl
.PHONY: psl
psl:
	@test -f $(PSL_SRC) || apt-get install -y publicsuffix
	cp $(PSL_SRC) $(PSL_DIR)/public_suffix_list.dat
	dpkg-query -W -f='Debian publicsuffix $${Version}\n' publicsuffix > $(PSL_DIR)/public_suffix_list.version
	$(GO) test -count=1 ./$(PSL_DIR)

# oci: build/cors.wasm as the OCI image Istio's WasmPlugin pulls, written
# reproducibly as an OCI image layout in build/oci/; prints the image digest
# (the value of the WasmPlugin's spec.sha256). docs/deploying-istio.md.
# push: that image to IMAGE (registry/repository:tag) with your Docker
# credentials. wasmplugin-sha: set spec.sha256 in deploy/istio/wasmplugin.yaml
# to the digest of the current build (run it whenever the module changes;
# deploy/istio_sha_test.go fails until you do).
.PHONY: oci push wasmplugin-sha
oci: $(WASM)
	$(GO) run ./cmd/corsoci layout -module $(WASM) -out build/oci

# Checked before anything is built.
ifneq ($(filter push,$(MAKECMDGOALS)),)
ifeq ($(IMAGE),)
$(error usage: make push IMAGE=registry.example.com/corswasm/cors:v0.1.0)
endif
endif
push: oci
	$(GO) run ./cmd/corsoci push -layout build/oci $(IMAGE)

wasmplugin-sha: $(WASM)
	$(GO) run ./cmd/corsoci wasmplugin-sha -module $(WASM) -file deploy/istio/wasmplugin.yaml
