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
# The throwaway PostgreSQL that unit tests use (scripts/test-postgres.sh); loopback only.
TEST_PG_DIR := $(abspath .build/test-postgres)
TEST_PG_PORT ?= 55432

.PHONY: help deps build release run check-config solve test lint check-facts format test-unit test-e2e test-images test-images-full test-reproducible bench bench-compare bench-images clean \
        image images run-image push print-version print-variants variant-archs variant-facts smoke-image sbom scan verify-signature \
        taskdef taskdefs stack verify deploy destroy diff status logs url rollback releases drift exec dashboard cost run-task test-fargate smoke \
        run-local run-local-deploy run-local-status run-local-logs run-local-stop run-local-destroy test-run-local test-run-local-full

# Images: `make image ARCH=arm64 VARIANT=perfect`, `make images`, `make push`.
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
VARIANT ?= classic
VARIANTS := $(sort $(basename $(notdir $(wildcard variants/*.yaml))))
# Where the deploy targets read VARIANT.yaml (images always build from variants/, their context).
VARIANTS_DIR ?= variants
REPO ?= tictactoe
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# VERSION reaches recipes, tags and labels: checked here with make's own functions, before any
# shell sees it (a tag may be named anything).
VERSION_CHARS := a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J K L M N O P Q R S T U V W X Y Z \
  0 1 2 3 4 5 6 7 8 9 . _ + -
without-chars = $(if $(2),$(call without-chars,$(subst $(firstword $(2)),,$(1)),$(wordlist 2,$(words $(2)),$(2))),$(1))
ifneq ($(words $(VERSION)) $(call without-chars,$(VERSION),$(VERSION_CHARS)),1 )
$(error VERSION '$(VERSION)' may hold only letters, digits and . _ + - (one word))
endif
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
DOCKER ?= docker
# Image builds (scripts/image.sh); unset means the Dockerfiles' defaults: the official Swift image
# with the Static Linux SDK, runtime `scratch`. SWIFT_SDK_<arch> set but empty builds natively.
BUILDER_IMAGE ?=
RUNTIME_IMAGE_amd64 ?=
RUNTIME_IMAGE_arm64 ?=
SWIFTPM_MIRROR ?=
BUILD_NETWORK ?=
NO_CACHE ?=
# Amazon RDS's CA bundle, which images of PostgreSQL variants carry for verify-full, is pinned by
# this lock file: the first PostgreSQL image build records it (commit it), a changed bundle stops
# the build and lists the certificates added and removed (scripts/build/rds-ca-lock.py).
RDS_CA_BUNDLE_LOCK ?= rds-ca-bundle.lock
# Signing what make push pushes (a sigstore/cosign private key and the file with its passphrase),
# and the public key make verify and make deploy check images against (unset: not checked).
SIGNING_KEY ?=
SIGNING_PASSPHRASE_FILE ?=
VERIFY_KEY ?=
# A release binary to package instead of compiling in the builder (must be for ARCH).
BINARY ?=
# Which images the image tests compile in the builder: arm64 (make test) or all (make test-images-full).
IMAGE_COMPILES ?= arm64
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_ENV = DOCKER=$(DOCKER) REPO=$(REPO) VERSION=$(VERSION) REVISION=$(REVISION) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
  BUILDER_IMAGE=$(BUILDER_IMAGE) RUNTIME_IMAGE=$(RUNTIME_IMAGE_$(ARCH)) SWIFTPM_MIRROR=$(SWIFTPM_MIRROR) BUILD_NETWORK=$(BUILD_NETWORK) NO_CACHE=$(NO_CACHE) BINARY=$(BINARY) \
  $(if $(filter-out undefined,$(origin SWIFT_SDK_$(ARCH))),SWIFT_SDK=$(SWIFT_SDK_$(ARCH))) \
  $(if $(filter-out undefined,$(origin SWIFT_SDK_URL)),SWIFT_SDK_URL=$(SWIFT_SDK_URL)) \
  $(if $(SWIFT_SDK_CHECKSUM),SWIFT_SDK_CHECKSUM=$(SWIFT_SDK_CHECKSUM)) \
  $(if $(filter-out undefined,$(origin RDS_CA_BUNDLE_URL)),RDS_CA_BUNDLE_URL=$(RDS_CA_BUNDLE_URL)) RDS_CA_BUNDLE_LOCK=$(RDS_CA_BUNDLE_LOCK)
# A variant's facts (`tictactoe variant facts`), exported by the image build's facts stage (no host
# Swift needed), and what make reads of them.
export_facts = $(IMAGE_ENV) scripts/image.sh facts $(HOST_ARCH) $(1) >/dev/null
variant_archs = $$($(call export_facts,$(1)) && . build/docker/facts/$(1)/facts.env && echo $$ARCHITECTURES)
# The local tag of VARIANT's ARCH image, as its last build named it.
image_tag = $$(f=build/docker/facts/$(VARIANT)/facts.env; [ -f $$f ] && . $$f && echo "$(REPO):$$IMAGE_TAG_$(ARCH)")
# ECR coordinates, looked up only when a target needs them.
# Each is looked up at its first use and kept (one aws call at most per make run).
AWS_REGION ?= $(eval AWS_REGION := $(shell aws configure get region 2>/dev/null || echo us-east-1))$(AWS_REGION)
AWS_ACCOUNT ?= $(eval AWS_ACCOUNT := $(shell aws sts get-caller-identity --query Account --output text 2>/dev/null))$(AWS_ACCOUNT)
REGISTRY ?= $(AWS_ACCOUNT).dkr.ecr.$(AWS_REGION).amazonaws.com
TT := $(RELEASE_BIN)
# Reads variants for the deploy scripts (names, facts) without the server: seconds to build.
VARIANT_TOOL := .build/debug/tictactoe-variant

##@ Play and build
help: ## List targets by concern, and the variables they take
	@awk 'BEGIN { FS = ":.*## " } /^##@ / { printf "\n%s\n", substr($$0, 5) } /^[a-z][a-z0-9-]*:.*## / { printf "  make %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "Variables (make TARGET NAME=value)"
	@echo "  play:    CONFIG=FILE (run, check-config; default: built-in)  PORT=N (overrides server.port)"
	@echo "  images:  ARCH=amd64|arm64 (default $(HOST_ARCH))  VARIANT=name ($(VARIANTS); default classic)  BINARY=FILE (package a release binary)"
	@echo "           BUILDER_IMAGE=  SWIFT_SDK_amd64=  SWIFT_SDK_arm64=  SWIFT_SDK_URL=  SWIFT_SDK_CHECKSUM=  (builder and Swift SDKs; default official, pinned)"
	@echo "           RUNTIME_IMAGE_amd64=  RUNTIME_IMAGE_arm64=  (runtime bases; default scratch)  SWIFTPM_MIRROR=DIR  BUILD_NETWORK=host  NO_CACHE=1"
	@echo "           RDS_CA_BUNDLE_LOCK=rds-ca-bundle.lock  (PostgreSQL variants: pins Amazon RDS's CA bundle)  RDS_CA_BUNDLE_URL=  (another source, file:// too)"
	@echo "           REPO=tictactoe  VERSION=(git describe)  REGISTRY=(ECR of AWS_ACCOUNT in AWS_REGION, or host:port)"
	@echo "           SIGNING_KEY=FILE.key SIGNING_PASSPHRASE_FILE=FILE (push signs; scripts/sigstore-keygen.py makes a pair)"
	@echo "  test:    IMAGE_COMPILES=arm64|all (test-images; all = test-images-full)  ARCHS='amd64 arm64' (test-reproducible)"
	@echo "  deploy:  VARIANT=name  AWS_ACCOUNT=  AWS_REGION=  (default: the aws CLI's, looked up once)  YES=1 (no prompt)  WAIT=seconds (600)"
	@echo "           VARIANTS_DIR=variants (where VARIANT.yaml is read)  VERIFY_KEY=FILE.pub (verify and deploy refuse images it did not sign)"
	@echo "           DIGEST=sha256:…  VPC_ID=vpc-…  SUBNETS=subnet-…,subnet-…  REPLACE_DATABASE=1  SMOKE=0 (no smoke game)  SMOKE_WAIT=120  SMOKE_URL=  URL= (smoke)"
	@echo "  operate: FOLLOW=1 SINCE=10m LEVEL=error FILTER='status=500 route=/api' TASK=id PREVIOUS=1 (logs)  TO=version (rollback)  CMD='tictactoe healthcheck' TASK=id (exec)"

deps: ## Install the system libraries the build needs (libyaml-dev)
	@scripts/ensure-deps.sh build

build: deps ## Debug build
	@scripts/write-version.sh $(VERSION)
	$(SWIFT) build

$(VARIANT_TOOL): Package.swift $(shell find Sources/Config Sources/Deploy Sources/VariantCommand Sources/YAML Sources/Game -type f 2>/dev/null)
	@scripts/ensure-deps.sh build
	$(SWIFT) build --product tictactoe-variant
	@touch $@

# The release binary, rebuilt only when a source changes; targets that just use it depend on this.
$(RELEASE_BIN): Package.swift scripts/build/release-flags scripts/build/static-libs.sh $(shell find Sources -type f 2>/dev/null)
	@$(MAKE) --no-print-directory release
	@touch $@  # SwiftPM leaves an up-to-date binary untouched; make would rebuild it every time

release: deps ## Release build of tictactoe: static Swift runtime, stripped (reused by tests and benchmarks; images compile their own)
	@scripts/write-version.sh $(VERSION)
	scripts/build/static-libs.sh
	PKG_CONFIG_PATH=$(CURDIR)/.build/static-libs xargs -a scripts/build/release-flags $(SWIFT) build

run: release ## Play: serve the game (CONFIG=file, else built-in defaults) on http://localhost:5000; a postgres config with no database gets a throwaway one
	@scripts/run.sh $(RELEASE_BIN) $(CONFIG)

check-config: $(RELEASE_BIN) ## Validate CONFIG and print the resolved settings
	@test -n "$(CONFIG)" || { echo "usage: make check-config CONFIG=variants/classic.yaml"; exit 2; }
	$(RELEASE_BIN) check-config $(CONFIG)

solve: $(RELEASE_BIN) ## Solve the standard proof boards (3,3,3) (4,4,4) (5,4,4)
	$(RELEASE_BIN) solve --rows 3 --cols 3 --win 3
	$(RELEASE_BIN) solve --rows 4 --cols 4 --win 4
	$(RELEASE_BIN) solve --rows 5 --cols 4 --win 4

##@ Test (make test runs lint, test-unit, release, test-e2e, test-images, test-run-local and test-fargate; the others are fuller checks)
test: ## Everything CI runs (unit, release, e2e, images, fargate), then a table of what each phase cost
	@Tests/support/phases.sh

lint: ## Check the Swift sources' formatting (swift format, .swift-format: Hummingbird's settings); make format applies it
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests

check-facts: $(RELEASE_BIN) ## Check that every image and deploy fact is written once, by its owner (scripts/check-facts.py)
	python3 scripts/check-facts.py $(RELEASE_BIN)

format: ## Format the Swift sources in place (swift format, .swift-format)
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests

test-unit: deps ## Swift unit tests (Game, Config, Server routes; the store contract on memory, sqlite and a local PostgreSQL)
	@scripts/ensure-deps.sh postgres
	@scripts/write-version.sh $(VERSION)
	$(SWIFT) build --build-tests
	url=$$(scripts/test-postgres.sh start $(TEST_PG_DIR) $(TEST_PG_PORT)); \
	  trap 'scripts/test-postgres.sh stop $(TEST_PG_DIR) $(TEST_PG_PORT)' EXIT; \
	  TICTACTOE_TEST_POSTGRES_URL=$$url $(SWIFT) test --skip-build

test-e2e: ## Black-box and real-browser tests against the release binary (starts its own PostgreSQL)
	@scripts/ensure-deps.sh postgres
	TICTACTOE_BIN=$(abspath $(RELEASE_BIN)) $(PYTEST) Tests/e2e

test-images: $(RELEASE_BIN) ## Build, run, push and pull images with a local engine and registry: arm64 compiled in the builder (both flavours), amd64 packaging the release binary
	@scripts/ensure-deps.sh images
	@scripts/ensure-deps.sh postgres
	TICTACTOE_BIN=$(abspath $(RELEASE_BIN)) TICTACTOE_IMAGE_COMPILES=$(IMAGE_COMPILES) $(PYTEST) Tests/images
	@echo "Image figures:"; cat build/figures/images.txt

test-images-full: ## test-images with amd64 compiled in the builder too (two more compiles, about 25 minutes; not in make test)
	@$(MAKE) --no-print-directory test-images IMAGE_COMPILES=all

test-reproducible: ## Build perfect per ARCHS (default: amd64 arm64) from nothing, and incrementally at another path after the previous commit; compare digests (not in make test: two compiles from nothing per architecture)
	@scripts/ensure-deps.sh images
	rm -f build/figures/reproducible.txt
	TICTACTOE_REPRODUCIBILITY=1 TICTACTOE_REPRODUCIBLE_ARCHS="$(or $(ARCHS),amd64 arm64)" $(PYTEST) Tests/images/test_reproducible.py; \
	  status=$$?; cat build/figures/reproducible.txt 2>/dev/null; exit $$status

test-fargate: ## Render, register, verify, deploy, diff and destroy against moto_server on loopback
	@scripts/ensure-deps.sh fargate
	TICTACTOE_BIN=$(abspath $(RELEASE_BIN)) $(PYTEST) Tests/fargate

test-run-local: $(RELEASE_BIN) ## make run-local of shared: its tasks behind the balancer, an online game across tasks, status, logs, stop (in make test)
	@scripts/ensure-deps.sh images
	@scripts/ensure-deps.sh run-local
	TICTACTOE_BIN=$(abspath $(RELEASE_BIN)) $(PYTEST) -s Tests/run_local

test-run-local-full: $(RELEASE_BIN) ## test-run-local, then a killed task, the database stopped 20 s, a rolling deploy under live play and a rollback (about 8 minutes; not in make test)
	@scripts/ensure-deps.sh images
	@scripts/ensure-deps.sh run-local
	TICTACTOE_BIN=$(abspath $(RELEASE_BIN)) TICTACTOE_RUN_LOCAL_FULL=1 $(PYTEST) -s Tests/run_local

##@ Images
image: ## Build one image: ARCH=amd64|arm64 (default: host) VARIANT=name; needs only Docker with buildx
	@$(IMAGE_ENV) scripts/image.sh build $(ARCH) $(VARIANT)

run-image: ## Run the image of VARIANT and ARCH here on its port (a foreign ARCH needs binfmt/qemu)
	@$(IMAGE_ENV) scripts/image.sh run $(ARCH) $(VARIANT)

images: ## Build every variant for the architectures its deploy.architectures names
	+@for v in $(VARIANTS); do for a in $(call variant_archs,$$v); do \
	  $(MAKE) --no-print-directory image VARIANT=$$v ARCH=$$a || exit 1; done; done

variant-archs: ## Print the architectures VARIANT's deploy.architectures lists (read in the image build, no Swift needed)
	@echo $(call variant_archs,$(VARIANT))

variant-facts: ## Print every fact of VARIANT (tictactoe variant facts, read in the image build): eval "$$(make -s variant-facts VARIANT=v)"
	@$(call export_facts,$(VARIANT)) && cat build/docker/facts/$(VARIANT)/facts.env

print-variants: ## Print the names of the variants (variants/*.yaml)
	@echo $(VARIANTS)

smoke-image: ## Run the image of VARIANT and ARCH here and play one short game against it (variants without a database)
	@$(IMAGE_ENV) scripts/image.sh smoke $(ARCH) $(VARIANT)

sbom: ## Write the SPDX 2.3 SBOM of the image of VARIANT and ARCH to build/sbom/ (make push attaches it in the registry)
	@scripts/ensure-deps.sh supply-chain
	@tag="$(image_tag)"; test -n "$$tag" || { echo "error: no image of $(VARIANT) built here: make image VARIANT=$(VARIANT) ARCH=$(ARCH)"; exit 1; }; \
	  DOCKER=$(DOCKER) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) python3 scripts/sbom.py write "$$tag" "build/sbom/$${tag##*:}.spdx.json"
	@echo "in the registry after make push: $(REGISTRY)/$(REPO):sha256-<digest of $(VARIANT)-$(ARCH)>.sbom, an OCI artifact whose subject is the image"

scan: ## Scan VARIANT-ARCH's SBOM for known vulnerabilities with the trivy or grype you have (none is bundled)
	@scripts/scan.sh build/sbom/$(VARIANT)-$(ARCH).spdx.json

verify-signature: ## Check that VERIFY_KEY signed what REGISTRY/REPO:VARIANT names now (and each image it lists)
	@test -n "$(VERIFY_KEY)" || { echo "usage: make verify-signature VARIANT=name VERIFY_KEY=FILE.pub [REGISTRY=host:port]"; exit 2; }
	@scripts/ensure-deps.sh supply-chain
	@python3 scripts/signatures.py verify $(REGISTRY)/$(REPO):$(VARIANT) --key $(VERIFY_KEY)

push: ## Push VARIANT's images and one manifest list per tag (REGISTRY=host[:port] for any registry); SIGNING_KEY signs them; attaches SBOMs
	@scripts/ensure-deps.sh supply-chain
	+@$(call export_facts,$(VARIANT)); \
	  DOCKER=$(DOCKER) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) scripts/push.sh $(if $(findstring n,$(firstword -$(MAKEFLAGS))),--dry-run) \
	  --registry "$(REGISTRY)" --repo "$(REPO)" --facts build/docker/facts/$(VARIANT)/facts.env --version "$(VERSION)" \
	  --region "$(AWS_REGION)" \
	  $(if $(SIGNING_KEY),--signing-key "$(SIGNING_KEY)" --passphrase-file "$(SIGNING_PASSPHRASE_FILE)")

##@ Rehearse Fargate here (docs/run-local.md)
RUN_LOCAL = python3 scripts/run-local.py
RUN_LOCAL_ARGS = --variants-dir $(VARIANTS_DIR)
IMAGE ?=
# An earlier release binary, for make bench-compare.
BASELINE ?=

run-local: $(RELEASE_BIN) ## Run VARIANT's tasks as its stack says, behind HAProxy with its PostgreSQL, on loopback; plays a smoke game, prints the URL
	@scripts/ensure-deps.sh run-local
	@tag="$(image_tag)"; test -n "$$tag" && $(DOCKER) image inspect "$$tag" >/dev/null 2>&1 || $(MAKE) --no-print-directory image
	@$(RUN_LOCAL) up $(VARIANT) $(RUN_LOCAL_ARGS) --binary $(RELEASE_BIN) --arch $(ARCH) --repository $(REPO) --wait $(WAIT)

run-local-deploy: ## Build VARIANT's image again (or take IMAGE=ref) and roll it out to the rehearsal by the service's rules
	@$(if $(IMAGE),true,$(MAKE) --no-print-directory image)
	@$(RUN_LOCAL) deploy $(VARIANT) $(RUN_LOCAL_ARGS) $(if $(IMAGE),--image $(IMAGE)) --wait $(WAIT)

run-local-status: ## The rehearsal's tasks: revision, address, container health, state in the balancer
	@$(RUN_LOCAL) status $(VARIANT) $(RUN_LOCAL_ARGS)

run-local-logs: ## Every task's JSON log lines, each after its task's name
	@$(RUN_LOCAL) logs $(VARIANT) $(RUN_LOCAL_ARGS)

run-local-stop: ## Stop everything the rehearsal started (tasks, balancer, database); keep the database's data
	@$(RUN_LOCAL) stop $(VARIANT) $(RUN_LOCAL_ARGS)

run-local-destroy: ## run-local-stop, then delete the rehearsal's data (database, secret, certificates)
	@$(RUN_LOCAL) destroy $(VARIANT) $(RUN_LOCAL_ARGS)

##@ Measure
bench-images: ## Image sizes, start-up, throughput and build-time figures (after make test-images)
	@scripts/ensure-deps.sh bench
	python3 scripts/bench/bench_images.py $(RELEASE_BIN)

bench-compare: $(RELEASE_BIN) ## GET / and a game's life, BASELINE=binary (before) against this tree's release binary (after), alternating rounds
	@test -x "$(BASELINE)" || { echo "usage: make bench-compare BASELINE=path/to/an/earlier/release/tictactoe"; exit 2; }
	@scripts/ensure-deps.sh bench
	python3 scripts/bench/bench.py $(RELEASE_BIN) compare $(BASELINE)

bench: $(RELEASE_BIN) ## Print throughput, computer and solver timings, and memory figures
	@scripts/ensure-deps.sh bench
	python3 scripts/bench/bench.py $(RELEASE_BIN)

##@ Deploy on ECS Fargate
# ECS Fargate. Account and region come from AWS_ACCOUNT/AWS_REGION or the aws CLI's config.
ECR_REPOSITORY ?= $(REGISTRY)/$(REPO)
FARGATE_ENV = VARIANT=$(VARIANT) VARIANTS_DIR=$(VARIANTS_DIR) REGION=$(AWS_REGION) ACCOUNT=$(AWS_ACCOUNT) REPOSITORY=$(ECR_REPOSITORY) \
  TT=$(TT) VT=$(VARIANT_TOOL) VERSION=$(VERSION) YES=$(YES) WAIT=$(WAIT) VPC_ID=$(VPC_ID) SUBNETS=$(SUBNETS) DIGEST=$(DIGEST) SMOKE=$(SMOKE) SMOKE_WAIT=$(SMOKE_WAIT) SMOKE_URL=$(SMOKE_URL) REPLACE_DATABASE=$(REPLACE_DATABASE) VERIFY_KEY=$(VERIFY_KEY) \
  TO=$(call quoted,$(TO)) FOLLOW=$(call quoted,$(FOLLOW)) SINCE=$(call quoted,$(SINCE)) LEVEL=$(call quoted,$(LEVEL)) FILTER=$(call quoted,$(FILTER)) \
  TASK=$(call quoted,$(TASK)) PREVIOUS=$(call quoted,$(PREVIOUS)) CMD=$(call quoted,$(CMD))
# A value in single quotes for the shell, each ' written '\'': what a user types reaches the
# scripts as text, never as shell syntax.
quoted = '$(subst ','\'',$(1))'
DRY_RUN = $(if $(findstring n,$(firstword -$(MAKEFLAGS))),--dry-run)
WAIT ?= 600
YES ?=
VPC_ID ?=
SUBNETS ?=
DIGEST ?=
SMOKE ?= 1
REPLACE_DATABASE ?=
SMOKE_WAIT ?= 120
SMOKE_URL ?=
URL ?=
SMOKE_ARGS ?=
# The on-call commands (make logs, rollback, exec).
TO ?=
FOLLOW ?=
SINCE ?= 10m
LEVEL ?=
FILTER ?=
TASK ?=
PREVIOUS ?=
CMD ?=

taskdef: $(RELEASE_BIN) ## Render build/ecs/VARIANT-ARCH.json (register with aws ecs register-task-definition --cli-input-json)
	@test -f $(VARIANTS_DIR)/$(VARIANT).yaml || { echo "unknown VARIANT '$(VARIANT)'; valid: $(VARIANTS)"; exit 2; }
	@test -n "$(AWS_ACCOUNT)" || { echo "no AWS account: set AWS_ACCOUNT=123456789012 or configure the aws CLI"; exit 1; }
	@mkdir -p build/ecs
	$(TT) taskdef --variant $(VARIANTS_DIR)/$(VARIANT).yaml --arch $(ARCH) --repository $(ECR_REPOSITORY) \
	  $(if $(DIGEST),--digest $(DIGEST)) --region $(AWS_REGION) --account $(AWS_ACCOUNT) --output build/ecs/$(VARIANT)-$(ARCH).json
	@echo "wrote build/ecs/$(VARIANT)-$(ARCH).json"

taskdefs: $(RELEASE_BIN) ## Render every variant × architecture to build/ecs/
	@for v in $(VARIANTS); do for a in $$($(TT) variant get $(VARIANTS_DIR)/$$v.yaml deploy.architectures); do \
	  $(MAKE) --no-print-directory taskdef VARIANT=$$v ARCH=$$a AWS_ACCOUNT=$(AWS_ACCOUNT) AWS_REGION=$(AWS_REGION) || exit 1; done; done

stack: $(RELEASE_BIN) ## Render build/cfn/VARIANT.json, the CloudFormation template make deploy uses
	@mkdir -p build/cfn
	$(TT) stack --variant $(VARIANTS_DIR)/$(VARIANT).yaml --arch $$($(TT) variant get $(VARIANTS_DIR)/$(VARIANT).yaml deploy.run_on) \
	  --repository $(ECR_REPOSITORY) $(if $(DIGEST),--digest $(DIGEST)) --region $(AWS_REGION) --account $(AWS_ACCOUNT) --output build/cfn/$(VARIANT).json

verify: $(RELEASE_BIN) $(VARIANT_TOOL) ## Check before deploying: image and its architecture in ECR, cluster, roles, log group
	+@$(FARGATE_ENV) scripts/fargate.sh verify $(DRY_RUN)
smoke: $(RELEASE_BIN) ## Play one short game through URL=http://… and say what it got (what make deploy does after deploying); SMOKE_ARGS= more of tictactoe smoke's options
	@test -n "$(URL)" || { echo "usage: make smoke URL=http://host[:port]/ [SMOKE_ARGS='--resolve HOST:PORT:ADDRESS --cacert FILE']"; exit 2; }
	$(TT) smoke "$(URL)" $(SMOKE_ARGS)

deploy: $(RELEASE_BIN) $(VARIANT_TOOL) ## Deploy VARIANT as one CloudFormation stack, wait (WAIT=s), print the URL and play a smoke game there (SMOKE=0 skips); YES=1 skips the prompt
	@scripts/ensure-deps.sh operate
	+@$(FARGATE_ENV) scripts/fargate.sh deploy $(DRY_RUN)
destroy: $(VARIANT_TOOL) ## Delete VARIANT's stack and everything in it
	+@$(FARGATE_ENV) scripts/fargate.sh destroy $(DRY_RUN)
diff: $(RELEASE_BIN) $(VARIANT_TOOL) ## Show what make deploy would change in the deployed stack
	+@$(FARGATE_ENV) scripts/fargate.sh diff
run-task: $(RELEASE_BIN) $(VARIANT_TOOL) ## Run one task of VARIANT outside the service
	+@$(FARGATE_ENV) scripts/fargate.sh run-task $(DRY_RUN)

##@ Operate a deployed variant (docs/operations.md)
status: $(VARIANT_TOOL) ## Stack status and the service's tasks and deployments
	@$(FARGATE_ENV) scripts/fargate.sh status
logs: $(VARIANT_TOOL) ## The service's JSON log lines since SINCE (10m); FOLLOW=1 follows, LEVEL=error and FILTER='status=500 route=/api' filter, TASK=id one task, PREVIOUS=1 the last stopped task and why it stopped
	@scripts/ensure-deps.sh operate
	@$(FARGATE_ENV) scripts/fargate.sh logs
url: $(VARIANT_TOOL) ## The address to play at
	@$(FARGATE_ENV) scripts/fargate.sh url
rollback: $(VARIANT_TOOL) ## Deploy an earlier release's image through the stack: the one before the running one, or TO=version
	@scripts/ensure-deps.sh operate
	+@$(FARGATE_ENV) scripts/fargate.sh rollback $(DRY_RUN)
releases: $(VARIANT_TOOL) ## The releases deployed (time, version, how, image digest), the running one marked
	@scripts/ensure-deps.sh operate
	@$(FARGATE_ENV) scripts/fargate.sh releases
drift: $(VARIANT_TOOL) ## CloudFormation drift detection: what was changed outside the stack, property by property
	@scripts/ensure-deps.sh operate
	@$(FARGATE_ENV) scripts/fargate.sh drift
exec: $(VARIANT_TOOL) ## An ECS Exec session in a running task (TASK=id, CMD='tictactoe healthcheck'); needs deploy.exec: true
	+@$(FARGATE_ENV) scripts/fargate.sh exec $(DRY_RUN)
dashboard: $(VARIANT_TOOL) ## The URL of the variant's CloudWatch dashboard
	@$(FARGATE_ENV) scripts/fargate.sh dashboard
cost: $(VARIANT_TOOL) ## The stack's monthly cost by resource, at its floor and its autoscaling ceiling (prices: Sources/Deploy/PriceTable.swift; no AWS call)
	@test -f $(VARIANTS_DIR)/$(VARIANT).yaml || { echo "unknown VARIANT '$(VARIANT)'; valid: $(VARIANTS)"; exit 2; }
	@$(VARIANT_TOOL) cost $(VARIANTS_DIR)/$(VARIANT).yaml --region $(AWS_REGION)

print-version:
	@echo $(VERSION)

##@ Housekeeping
clean: ## Remove build products
	rm -rf .build build
