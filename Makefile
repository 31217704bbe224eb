# tictactoe: build, run, test and benchmark. `make help` lists every target.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

SWIFT ?= swift
RELEASE_BIN := .build/release/tictactoe
DEBUG_BIN := .build/debug/tictactoe
# A YAML config for `make run`; empty means the built-in defaults (the seed's 3×3 game).
CONFIG ?=
PYTEST := python3 -m pytest -q -p no:cacheprovider

.PHONY: help deps build release run check-config solve test test-unit test-e2e test-browser bench clean

help: ## List targets and variables
	@echo "Targets:"
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-14s %s\n", $$1, $$2}'
	@echo "Variables:"
	@echo "  CONFIG=FILE     YAML config for run and check-config (default: built-in)"
	@echo "  PORT=N          overrides server.port for run"

deps: ## Install the system libraries the build needs (libyaml-dev)
	@scripts/ensure-deps.sh build

build: deps ## Debug build
	$(SWIFT) build

release: deps ## Release build of bin tictactoe (reused by tests and benchmarks)
	$(SWIFT) build -c release --product tictactoe

run: release ## Play: serve the game (CONFIG=file, else built-in defaults) on http://localhost:5000
	@echo "open http://localhost:$${PORT:-5000} (or the port CONFIG names); Ctrl-C stops"
	$(RELEASE_BIN) serve $(if $(CONFIG),--config $(CONFIG))

check-config: release ## Validate CONFIG and print the resolved settings
	@test -n "$(CONFIG)" || { echo "usage: make check-config CONFIG=variants/classic.yaml"; exit 2; }
	$(RELEASE_BIN) check-config $(CONFIG)

solve: release ## Solve the standard proof boards (3,3,3) (4,4,4) (5,4,4)
	$(RELEASE_BIN) solve --rows 3 --cols 3 --win 3
	$(RELEASE_BIN) solve --rows 4 --cols 4 --win 4
	$(RELEASE_BIN) solve --rows 5 --cols 4 --win 4

test: ## Everything CI runs: unit tests, then black-box and browser tests on the release binary
	@scripts/ensure-deps.sh test
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory release
	$(MAKE) --no-print-directory test-e2e

test-unit: deps ## Swift unit tests (Game, Config, Server routes)
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-e2e: ## Black-box and real-browser tests against the release binary
	TICTACTOE_BIN=$(abspath $(RELEASE_BIN)) $(PYTEST) Tests/e2e

bench: release ## Print throughput, computer and solver timings, and memory figures
	@scripts/ensure-deps.sh bench
	python3 scripts/bench.py $(RELEASE_BIN)

clean: ## Remove build products
	rm -rf .build build
