# Installs what Koe's build and tests need and skips what is there. Sourced by run.sh and
# test.sh; `koe_setup app` for building and running, `koe_setup test` adds the browser and
# the end-to-end test packages.
# shellcheck shell=bash

koe_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_updated=
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    $sudo apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Installs a folder's npm packages from its lock file unless they are there already.
npm_ci_if_needed() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
    [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci in ${dir#"$koe_root"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
}

# The wasm-bindgen version the app is locked to; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$koe_root/Cargo.lock"
}

koe_setup() {
  local what="${1:-app}"
  command -v cargo >/dev/null || { echo "Koe needs Rust (rustup): https://rustup.rs" >&2; return 1; }

  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi

  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "cargo install trunk $TRUNK_VERSION (about 8 minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked --quiet
  fi

  local wbg
  wbg="$(wasm_bindgen_version)"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg" ]; then
    say "cargo install wasm-bindgen-cli $wbg (a few minutes, once)"
    # Not --locked: one of its locked dependencies is no longer in the registry.
    cargo install wasm-bindgen-cli --version "$wbg" --quiet
  fi

  # wasm-opt: binaryen from npm (Debian's is too old for wasm-bindgen's reference types).
  command -v npm >/dev/null || apt_install nodejs npm
  npm_ci_if_needed "$koe_root/tools"
  export PATH="$koe_root/tools/node_modules/.bin:$PATH"

  if [ "$what" = test ]; then
    apt_install chromium chromium-driver
    npm_ci_if_needed "$koe_root/tests/e2e"
  fi
}

# Builds the app into dist/: the field build, then the office build (every screen) into
# dist/office/, since the field build empties dist/ first. Each writes its hashed files,
# its service worker's precache list and a brotli and a gzip copy of each text and wasm
# file (tools/precache.sh).
koe_build_app() {
  say "trunk build --release --offline (the field build: dist/)"
  (cd "$koe_root" && trunk build --release --offline)
  say "trunk build --release --offline --config office/Trunk.toml (the office build: dist/office/)"
  (cd "$koe_root" && trunk build --release --offline --config office/Trunk.toml)
}
