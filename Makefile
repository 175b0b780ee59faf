# a2a-bridge: `make run` serves the bridge, `make test` proves it.
GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOLANGCI    := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
NODE_DIR    := testdata/node
ARGS        ?=

.PHONY: help run build test unit helm lint node-deps browser-deps redis-deps fuzz bench soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: ## serve on 127.0.0.1:8080 (the demo agent a2a/echo when no agent is configured); ARGS='--agent x=URL'
	$(GO) run ./cmd/a2a-bridge $(ARGS)

build: ## build bin/a2a-bridge
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/a2a-bridge ./cmd/a2a-bridge

test: lint node-deps browser-deps redis-deps ## lint, every test with the race detector (real A2A peers and OpenAI clients), then each fuzz target briefly
	$(GO) test -race -shuffle=on -count=1 -timeout 8m ./...
	$(MAKE) --no-print-directory helm
	$(MAKE) --no-print-directory fuzz FUZZTIME=10000x

unit: node-deps ## the tests of transform and stream only (no peers; o200k is checked against npm tiktoken)
	$(GO) test -race -count=1 ./transform/... ./stream/

helm: ## helm lint and helm template of deploy/helm/a2a-bridge (the helm CLI and its Go packages, v3.22.0 pinned in deploy/go.mod), the manifests checked; the Dockerfile's build run with them
	cd deploy && $(GO) tool helm lint --strict helm/a2a-bridge && $(GO) tool helm lint --strict helm/a2a-bridge -f testdata/scaled-values.yaml
	cd deploy && $(GO) tool helm template bridge helm/a2a-bridge -f testdata/scaled-values.yaml > /dev/null
	cd deploy && $(GO) test -count=1 -timeout 10m ./...

lint: ## go vet, staticcheck, golangci-lint (.golangci.yml: size budget, errorlint, zerologlint, bodyclose), gofmt, go mod tidy check
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(GOLANGCI) run ./...
	@test -z "$$(gofmt -l cmd bridge transform stream deploy)" || { gofmt -l cmd bridge transform stream deploy; echo "gofmt needed"; exit 1; }
	$(GO) mod tidy -diff
	cd testdata/peers/go03 && $(GO) vet ./... && $(GO) mod tidy -diff
	cd testdata/peers/gov2 && $(GO) vet ./... && $(GO) mod tidy -diff
	cd testdata/clients/go && $(GO) vet ./... && $(GO) mod tidy -diff
	cd deploy && $(GO) vet ./... && $(GO) mod tidy -diff

node-deps: $(NODE_DIR)/node_modules/.package-lock.json ## install the Node test peers and clients from the lock file

browser-deps: ## install headless Chromium (Debian's chromium) for the status page's browser test, when missing
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

redis-deps: ## install redis-server (Debian's redis-server) for the shared-state tests, when missing; each test runs its own
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

$(NODE_DIR)/node_modules/.package-lock.json: $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund

# make test fuzzes by count, not time: a -fuzztime duration races Go 1.26's
# fuzz coordinator, which can fail a target with a bare "context deadline
# exceeded" and no crasher at the deadline (golang/go#75804, fixed in 1.27).
FUZZTIME ?= 30s
FUZZ_TRANSFORM := FuzzParseRequest FuzzReadResponse FuzzReadCard FuzzDeltas FuzzTranslator FuzzParseResponses FuzzMergeCard \
                  FuzzResponseEvents FuzzConvertRequest FuzzConvertResponse FuzzConvertSame FuzzReadEvent \
                  FuzzParseResponsesRef FuzzResponseComplete
FUZZ_JSONWALK  := FuzzWalk
FUZZ_JSONENC   := FuzzAppendString
FUZZ_O200K     := FuzzCountTokens FuzzVocabularyRank FuzzASCIIPiece
FUZZ_STREAM    := FuzzEvents
FUZZ_BRIDGE    := FuzzExpandEnv FuzzParseRPC FuzzTraceOf FuzzRESTStream FuzzStoredResponse

fuzz: ## run each fuzz target for FUZZTIME (default 30s); crashers land in <pkg>/testdata/fuzz
	@for f in $(FUZZ_TRANSFORM); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./transform/ || exit 1; done
	@for f in $(FUZZ_JSONWALK); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./transform/internal/jsonwalk/ || exit 1; done
	@for f in $(FUZZ_JSONENC); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./transform/internal/jsonenc/ || exit 1; done
	@for f in $(FUZZ_O200K); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./transform/internal/o200k/ || exit 1; done
	@for f in $(FUZZ_STREAM); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./stream/ || exit 1; done
	@for f in $(FUZZ_BRIDGE); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) ./bridge/ || exit 1; done

BENCHSTAT   := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
BENCH_ARGS  ?= -rounds 3
MICRO_FLAGS ?= -count=6
MICRO_BASE  ?= $(lastword $(sort $(wildcard testdata/bench/micro-2*.txt)))

bench: ## the bridge vs a bare httputil.ReverseProxy hop (table, testdata/bench/latest.{json,md}), then the micro-benchmarks compared with MICRO_BASE by benchstat
	$(GO) run ./bench $(BENCH_ARGS)
	$(GO) test -run='^$$' -bench=. -benchmem $(MICRO_FLAGS) ./transform/... ./stream/ > testdata/bench/micro-latest.txt
	$(if $(MICRO_BASE),$(GO) run $(BENCHSTAT) $(MICRO_BASE) testdata/bench/micro-latest.txt)

soak: ## 1,000 concurrent streams for SOAK_DURATION (default 30s): zero errors, flat memory
	bash -o pipefail -c "A2A_BRIDGE_SOAK=1 SOAK_DURATION=$(or $(SOAK_DURATION),30s) $(GO) test -count=1 -run '^TestSoak$$' -v -timeout 10m ./bridge/ 2>&1 | grep -v harness_test.go"

clean:
	rm -rf bin
