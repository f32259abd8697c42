# schedlab developer targets. The two set-up commands need no make:
#   go run ./cmd/schedlab      (the embedded default comparison)
#   go test ./...              (the tests)

GO      ?= go
# Scratch directory of the results sweeps (kept, so `make results` resumes).
WORK    ?= $(or $(TMPDIR),/tmp)/schedlab-results
# Scenarios for `make results`: empty = every built-in scenario.
SCENARIOS ?=
PARALLEL ?= 0

.PHONY: all build test vet bench results clean-results conformance-deep reproduce reproduce-quick

all: vet test

build:
	$(GO) build ./...

test:
	$(GO) test ./...

vet:
	$(GO) vet ./...

# Simulator speed: decisions/s and events/s at 1k/10k/100k nodes (compare runs with benchstat).
bench:
	$(GO) test ./bench/families -run '^$$' -bench 'Perf/sched=monolithic$$/placer=(bestfit|firstfit|worstfit)$$' -benchtime 1x -count 3

# Conformance at depth: every shipped scheduler and placer configuration (the
# package suites and the catalogue of bench/families/conformance_test.go) at DEEP_N cases per
# property, then every placer under every catalogue configuration at CROSS_N.
# Override the seed with SEED=S to explore new cases; save counterexamples with
# OUT=DIR. Long: see the README for its wall time on 2 cores.
DEEP_N  ?= 2000
CROSS_N ?= 200
SEED    ?= 0
OUT     ?=
DEEP_FLAGS = -count=1 -timeout 90m -schedtest.seed=$(SEED) $(if $(OUT),-schedtest.out=$(OUT))
conformance-deep:
	$(GO) test ./scheduler/... ./policies/... ./bench/families -run 'Conformance' -skip 'TestCataloguePlacers' $(DEEP_FLAGS) -schedtest.n=$(DEEP_N)
	$(GO) test ./bench/families -run 'TestCataloguePlacers' $(DEEP_FLAGS) -schedtest.n=$(CROSS_N)

# Regenerate bench/RESULTS.md and bench/results/ (plots) from every built-in scenario,
# opened by the scoreboard of every claim at full scale (bench/results/scoreboard.json),
# recording the machine and the source revision.
results:
	mkdir -p $(WORK)
	$(GO) run ./cmd/schedlab reproduce --parallel $(PARALLEL) --format json --out bench/results/scoreboard.json --reports $(WORK)/claims \
		|| test $$? -eq 1 # 1: some claim could not run (its input is missing); the scoreboard says which
	$(GO) run ./cmd/schedlab bench results --parallel $(PARALLEL) --work $(WORK) --scoreboard bench/results/scoreboard.json \
		--revision "$$(git describe --always --dirty 2>/dev/null)" --command "make results" $(SCENARIOS)

# The scoreboard alone: every claim at full scale (schedlab reproduce), as a table.
reproduce:
	$(GO) run ./cmd/schedlab reproduce --parallel $(PARALLEL)

# The same at quick scale (what the tests run).
reproduce-quick:
	$(GO) run ./cmd/schedlab reproduce --quick --parallel $(PARALLEL)

clean-results:
	rm -rf $(WORK)
