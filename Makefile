# corswasm: a CORS filter for Envoy, compiled from standard Go to a
# proxy-wasm module. Everything a developer or CI runs goes through here.

GO        ?= go
WASM      := build/cors.wasm
NOOP_WASM := build/noop.wasm
WASM_ENV  := GOOS=wasip1 GOARCH=wasm
# -buildmode=c-shared makes a WASI reactor (exports _initialize), which is
# what Envoy's wasm host expects from a standard-Go module.
WASM_FLAGS := -buildmode=c-shared -trimpath -ldflags='-s -w'

.PHONY: all wasm test run bench check vet clean soak bench-filter corsctl

all: wasm

wasm: $(WASM) $(NOOP_WASM)

$(WASM): FORCE
	@mkdir -p build
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ .

# A module built the same way that does nothing: the baseline that the
# benchmarks and footprint numbers are measured against.
$(NOOP_WASM): FORCE
	@mkdir -p build
	$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ ./internal/noopfilter

# soak: 1,000,000 requests through one instance of build/cors.wasm
# (TestSoak, also part of `make test`); reports linear-memory pages.
# SOAK=n changes the count.
SOAK ?= 1000000
soak: wasm
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

test: check wasm
	@if command -v docker-compose >/dev/null 2>&1; then \
		docker-compose -f e2e/docker-compose.yaml config -q && echo "e2e/docker-compose.yaml: valid"; \
	else echo "docker-compose not installed: .ci/run installs it" >&2; exit 1; fi
	@if [ -n "$$CORSWASM_SKIP_BROWSERS" ]; then \
		echo "NOTE: CORSWASM_SKIP_BROWSERS=$$CORSWASM_SKIP_BROWSERS: these browser engines are NOT tested (e2e/browser)" >&2; fi
	$(GO) test -count=1 ./...

bench: wasm
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# run: the module on the embedded local gateway (:10000) with the demo page
# (:8080). Built, then run, so Ctrl-C ends it cleanly (go run reports an
# interrupted child as a failure).
run: wasm
	$(GO) build -o build/corsgateway ./cmd/corsgateway
	./build/corsgateway -module $(WASM) -config examples/config.json

# corsctl: the operator tool (validate, explain, schema) in build/.
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
