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

# Every step that can take more than a few seconds on a fresh machine
# (downloading modules, a cold build cache) first says what it does: a
# silent minute reads as a hang. The times quoted were measured on a
# 2-core machine, cold (empty GOCACHE and GOMODCACHE) and warm; see
# docs/first-use.md.
$(OVERLAY): FORCE
	@mkdir -p build
	@$(GO) run ./internal/pollpatch -go $(GO) -o build/overlay >/dev/null

$(WASM): $(OVERLAY) FORCE
	@echo "==> building $@ (the filter; the first build downloads modules: ~15 s, then ~1 s)"
	@$(WASM_ENV) $(GO) build $(WASM_FLAGS) -overlay $(OVERLAY) -o $@ .

# A module built the same way that does nothing: the baseline that the
# benchmarks and footprint numbers are measured against.
$(NOOP_WASM): $(OVERLAY) FORCE
	@echo "==> building $@ (an empty module: the baseline for benchmarks)"
	@$(WASM_ENV) $(GO) build $(WASM_FLAGS) -overlay $(OVERLAY) -o $@ ./internal/noopfilter

$(UNPATCHED_WASM): FORCE
	@mkdir -p build
	@echo "==> building $@ (the filter without the poll_oneoff overlay, for the tests that prove Envoy's host kills it)"
	@$(WASM_ENV) $(GO) build $(WASM_FLAGS) -o $@ .

# soak: 1,000,000 requests through one instance of build/cors.wasm
# (TestSoak, also part of `make test`); reports linear-memory pages.
# SOAK=n changes the count.
SOAK ?= 1000000
soak: wasm $(UNPATCHED_WASM)
	CORSWASM_SOAK_REQUESTS=$(SOAK) $(GO) test -count=1 -run '^TestSoak$$' -v .

# bench-filter: the filter's benchmarks only (cors.wasm next to noop.wasm),
# with a CPU profile in build/cpu.prof.
bench-filter: wasm $(UNPATCHED_WASM)
	$(GO) test -run='^$$' -bench=. -benchmem -cpuprofile build/cpu.prof .

# vet runs in the groups `make test` uses, each announced: on a fresh
# machine vet compiles every dependency first (about a minute in all), and
# one silent minute reads as a hang.
vet:
	@echo "==> [vet 1/6] policy, corsctl, corshttp, schema"
	@$(GO) vet $(filter-out ./deploy,$(TEST_UNIT))
	@echo "==> [vet 2/6] deploy-file checks (first run: compiles Envoy's, Istio's and Compose's packages, ~1 min)"
	@$(GO) vet ./deploy
	@echo "==> [vet 3/6] the module's packages, natively"
	@$(GO) vet $(TEST_MODULE)
	@echo "==> [vet 4/6] corsgateway and e2e"
	@$(GO) vet $(TEST_GATEWAY)
	@echo "==> [vet 5/6] browser tests (first run: compiles chromedp)"
	@$(GO) vet $(TEST_BROWSER) $(TEST_REST)
	@echo "==> [vet 6/6] the module as Envoy loads it (GOOS=wasip1 GOARCH=wasm)"
	@$(WASM_ENV) $(GO) vet .

# check: the fast static checks (formatting, vet, config files against
# their schemas' tests are part of `test`).
check: vet
	@echo "==> gofmt -l (every tracked Go file)"
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@echo "==> staticcheck $(STATICCHECK_VERSION) (first run: downloads and builds it, ~40 s)"
	@GOBIN=$(abspath build/bin) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@build/bin/staticcheck ./...
	@echo "==> staticcheck, the module's packages as Envoy loads them (GOOS=wasip1 GOARCH=wasm, without U1000)"
	@$(WASM_ENV) build/bin/staticcheck -tests=false -checks inherit,-U1000 . ./internal/abi ./internal/filter ./internal/noopfilter ./policy/...

# staticcheck runs twice. Natively it checks everything, unused code
# (U1000) included; the few functions only the wasip1 build calls carry a
# //lint:ignore U1000 saying so (internal/abi/arena.go). Under
# GOOS=wasip1 it checks the files only the module compiles, minus U1000:
# the //go:wasmexport functions (internal/abi/abi_callback_*.go) are
# called by the host, which staticcheck cannot see, so U1000 would call
# every export, and all they reach, unused. That is the one exception.
STATICCHECK_VERSION := v0.8.2

# The test packages in groups, each announced before it runs, slowest
# last; `go test` prints one "ok" line per package as it finishes. Any
# package not named in a group runs in the last one, so none is skipped.
TEST_UNIT    = ./policy/... ./schema ./cmd/corsctl ./corshttp ./deploy
TEST_MODULE  = . ./internal/...
TEST_GATEWAY = ./cmd/corsgateway ./e2e
TEST_BROWSER = ./e2e/browser
# TEST_REST is left to the shell of the one recipe line that uses it (make
# would expand it before the line, silently, while go list resolves the
# module graph on a fresh machine).
TEST_REST    = $$($(GO) list ./... | grep -vxF "$$($(GO) list $(TEST_UNIT) $(TEST_MODULE) $(TEST_GATEWAY) $(TEST_BROWSER))")

# browsers: the browser tests drive Chromium, Firefox and WebKitGTK (with
# Xvfb and libfaketime), the one thing `make test` cannot fetch itself, so
# they are checked before anything else runs. CORSWASM_SKIP_BROWSERS
# (a comma list of chromium, firefox, webkit, faketime, or all) opts
# engines out, and `make test` says so.
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)
BROWSER_PKGS := chromium firefox-esr webkit2gtk-driver xvfb faketime
.PHONY: browsers
browsers:
	@missing=""; \
	case ",$$CORSWASM_SKIP_BROWSERS," in *,chromium,*|*,all,*) ;; *) [ -n "$(CHROMIUM)" ] || missing="$$missing chromium";; esac; \
	case ",$$CORSWASM_SKIP_BROWSERS," in *,firefox,*|*,all,*) ;; *) command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 || missing="$$missing firefox-esr";; esac; \
	case ",$$CORSWASM_SKIP_BROWSERS," in *,webkit,*|*,all,*) ;; *) command -v WebKitWebDriver >/dev/null 2>&1 || missing="$$missing webkit2gtk-driver"; command -v Xvfb >/dev/null 2>&1 || missing="$$missing xvfb";; esac; \
	case ",$$CORSWASM_SKIP_BROWSERS," in *,faketime,*|*,all,*) ;; *) [ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || missing="$$missing faketime";; esac; \
	if [ -n "$$missing" ]; then echo "make test needs the browser engines:$$missing missing: apt-get install $(BROWSER_PKGS) (.ci/run installs them; CORSWASM_SKIP_BROWSERS=firefox,webkit,faketime|all opts out)" >&2; exit 1; fi

test: browsers check wasm $(UNPATCHED_WASM)
	@if [ -n "$$CORSWASM_SKIP_BROWSERS" ]; then \
		echo "NOTE: CORSWASM_SKIP_BROWSERS=$$CORSWASM_SKIP_BROWSERS: these browser engines are NOT tested (e2e/browser)" >&2; fi
	@echo "==> [1/4] policy, corsctl, corshttp, schema and deploy-file tests"
	@$(GO) test -count=1 $(TEST_UNIT)
	@echo "==> corshttp's header-ownership tests under the race detector (a header slice shared between responses is a reported race)"
	@$(GO) test -race -count=1 -run Mutation ./corshttp/
	@echo "==> [2/4] the module under both Envoy host profiles: scenario table, host calls, hostile soak, 1,000,000-request soaks (~60 s on an idle 2-core machine)"
	@$(GO) test -count=1 $(TEST_MODULE)
	@echo "==> [3/4] corsgateway and the HTTP replay against it"
	@$(GO) test -count=1 $(TEST_GATEWAY)
	@echo "==> [4/4] browser tests in Chromium ($(CHROMIUM)), Firefox and WebKit, one process per engine (~50 s)"
	@CHROMIUM=$(CHROMIUM) $(GO) test -count=1 $(TEST_BROWSER) $(TEST_REST)

bench: wasm $(UNPATCHED_WASM)
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# bench-report: the benchmarks behind docs/performance.md, each run
# BENCH_COUNT times, summarized by benchstat (medians with 95 % intervals)
# and printed as the page's Markdown tables, with machine, load and date.
# The tables are also written to build/bench/report.md; the raw outputs
# stay in build/bench/ for benchstat A/B runs. About 9 minutes on 2 cores
# with the defaults; fewer than 6 runs give no confidence interval. On a
# shared machine, compare only within one run: every ratio is same-run.
BENCH_COUNT ?= 8
BENCH_TIME  ?= 250ms
BENCH_DIR   := build/bench
BENCHSTAT   ?= $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
.PHONY: bench-report
bench-report: wasm $(UNPATCHED_WASM)
	@mkdir -p $(BENCH_DIR)
	@cat /proc/loadavg > $(BENCH_DIR)/load-before.txt 2>/dev/null || true
	@echo "==> [1/3] policy: BenchmarkEvaluate x$(BENCH_COUNT)" >&2
	@$(GO) test -run='^$$' -bench='^BenchmarkEvaluate$$' -benchmem -count=$(BENCH_COUNT) -benchtime=$(BENCH_TIME) ./policy/ > $(BENCH_DIR)/engine.txt
	@echo "==> [2/3] corshttp, rs/cors, jub0bs/cors: BenchmarkMiddleware x$(BENCH_COUNT)" >&2
	@$(GO) test -run='^$$' -bench='^BenchmarkMiddleware$$' -benchmem -count=$(BENCH_COUNT) -benchtime=$(BENCH_TIME) ./corshttp/ > $(BENCH_DIR)/middleware.txt
	@$(GO) test -run='^$$' -bench='^BenchmarkMiddlewareFreshHeader$$' -benchmem -count=$(BENCH_COUNT) -benchtime=$(BENCH_TIME) ./corshttp/ > $(BENCH_DIR)/middleware-fresh.txt
	@echo "==> [3/3] wasm request cycle: BenchmarkCycle x$(BENCH_COUNT)" >&2
	@$(GO) test -run='^$$' -bench='^BenchmarkCycle$$' -benchmem -count=$(BENCH_COUNT) -benchtime=$(BENCH_TIME) . > $(BENCH_DIR)/cycle.txt
	@cat /proc/loadavg > $(BENCH_DIR)/load-after.txt 2>/dev/null || true
	@echo "==> benchstat and the tables (first run downloads benchstat)" >&2
	@$(GO) run ./internal/benchreport -dir $(BENCH_DIR) -benchstat '$(BENCHSTAT)' | tee $(BENCH_DIR)/report.md

# run: the module on the embedded local gateway (:10000) with the demo page
# (:8080). Built, then run, so Ctrl-C ends it cleanly (go run reports an
# interrupted child as a failure). Only cors.wasm is built: the gateway
# does not use noop.wasm.
#
# Ctrl-C: the terminal sends SIGINT to its whole foreground process group,
# make included, and make then kills itself with the same signal, so the
# shell would see 130 although the gateway stopped cleanly. On a terminal
# the gateway is therefore started as a job of its own (sh -m puts it in a
# new process group and makes that the terminal's foreground group): Ctrl-C
# reaches only the gateway, and make exits with the gateway's status, 0.
# Without a terminal, SIGINT or SIGTERM to the process group stops both as
# before.
run: $(WASM)
	@echo "==> building build/corsgateway (the local stand-in for Envoy; first build compiles wazero: ~25 s)"
	@$(GO) build -o build/corsgateway ./cmd/corsgateway
	@echo "==> starting: $(RUN_GATEWAY)"
	@if [ -t 0 ]; then exec sh -mc '$(RUN_GATEWAY)'; else exec $(RUN_GATEWAY); fi

# DEMO moves the demo page (make run DEMO=127.0.0.1:8090); the gateway
# then says what to add to the config if it does not allow that origin.
RUN_GATEWAY = ./build/corsgateway -module $(WASM) -config examples/config.json$(if $(DEMO), -demo $(DEMO))

# corsctl: the operator tool (validate, explain, probe, schema) in build/.
corsctl:
	@echo "==> building build/corsctl"
	@$(GO) build -o build/corsctl ./cmd/corsctl
	@echo "built ./build/corsctl; run it as ./build/corsctl help, or put build/ on your PATH"

clean:
	rm -rf build

FORCE:

# psl: refresh the Public Suffix List that policy/ embeds (policy/internal/psl)
# from Debian's publicsuffix package (the official list, MPL-2.0, header
# kept), record the package version next to it, compile it into the sorted
# rules file the module embeds, and re-run the matcher's tests, including
# the comparison with golang.org/x/net/publicsuffix.
PSL_SRC := /usr/share/publicsuffix/public_suffix_list.dat
PSL_DIR := policy/internal/psl
.PHONY: psl
psl:
	@test -f $(PSL_SRC) || apt-get install -y publicsuffix
	cp $(PSL_SRC) $(PSL_DIR)/public_suffix_list.dat
	dpkg-query -W -f='Debian publicsuffix $${Version}\n' publicsuffix > $(PSL_DIR)/public_suffix_list.version
	$(GO) test -count=1 -run '^TestRulesFileIsCurrent$$' ./$(PSL_DIR) -update
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
