#!/usr/bin/env bash
# Builds the Yew dashboard to wasm32 and writes dashboard/dist/ (index.html, boot.js,
# style.css, the wasm-bindgen output), which engine/build.rs embeds into the `xeno` binary on
# its next build. Installs what it needs itself: the wasm32 target and wasm-bindgen-cli pinned
# to exactly the wasm-bindgen version in Cargo.lock (a mismatch breaks the generated glue).
# No CDN, no web fonts, nothing fetched at runtime.
set -euo pipefail
cd "$(dirname "$0")/.."

lock_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}
WASM_BINDGEN_VERSION="$(lock_version)"
if [[ -z "$WASM_BINDGEN_VERSION" ]]; then
  echo "cannot find wasm-bindgen's version in Cargo.lock" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "== adding the wasm32-unknown-unknown target =="
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  echo "== installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes) =="
  # --locked uses the CLI's own lockfile; if a registry mirror lacks one of those exact
  # versions, fall back to resolving the CLI's dependencies afresh (same CLI version).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

echo "== building the dashboard (wasm32, release) =="
cargo build -p xeno-dashboard --release --target wasm32-unknown-unknown
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
WASM="$TARGET_DIR/wasm32-unknown-unknown/release/xeno-dashboard.wasm"

rm -rf dashboard/dist.tmp
mkdir -p dashboard/dist.tmp
wasm-bindgen --target web --no-typescript --out-dir dashboard/dist.tmp --out-name xeno_dashboard "$WASM"
cp dashboard/static/index.html dashboard/static/boot.js dashboard/static/style.css dashboard/dist.tmp/
rm -rf dashboard/dist
mv dashboard/dist.tmp dashboard/dist
echo "== dashboard/dist/ ready: rebuild the binary to embed it (cargo build -p xeno) =="
ls -l dashboard/dist
