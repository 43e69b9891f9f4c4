# terraform-provider-workos — the two commands for a fresh machine are `make demo` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: setup demo tenant-demo generate check build test install

## setup: install the test bench (WorkOS emulator from npm via the lockfile; Terraform if absent)
setup:
	bash provider/tests/bench/setup.sh

## demo: start a local emulator, build the provider, apply examples/quickstart and print its outputs
demo: setup
	$(CARGO) test -p terraform-provider-workos --test quickstart -- --nocapture --test-threads=1

## tenant-demo: examples/tenant-provisioning end to end (endpoint by terraform, receiver, tenants provisioned)
tenant-demo: setup
	$(CARGO) test -p terraform-provider-workos --test tenant_provisioning -- --nocapture --test-threads=1

## generate: regenerate generated/ and docs/ from spec/ and overrides/
generate:
	$(CARGO) run -q -p generator

## check: formatting, lints, and that generated files match the generator
check:
	$(CARGO) fmt -p generator -p terraform-provider-workos -p descriptor -p tenant-receiver -- --check  # generated/ is formatted by prettyplease
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) run -q -p generator -- --check

## build: the provider binary
build:
	$(CARGO) build -p terraform-provider-workos

## test: every test (unit, generator snapshots, protocol, acceptance against the emulator with the real terraform)
test: setup
	$(CARGO) test --workspace -- --test-threads=2

## install: build a release binary into the local filesystem mirror (~/.terraform.d/plugins)
install:
	$(CARGO) build --release -p terraform-provider-workos
	@addr=$$(sed -n 's/^source_address: *//p' overrides/provider.yaml); \
	 dir=$$HOME/.terraform.d/plugins/$$addr/0.1.0/linux_amd64; mkdir -p $$dir; \
	 cp target/release/terraform-provider-workos $$dir/terraform-provider-workos_v0.1.0; echo "installed into $$dir"
