#!/usr/bin/env bash
# The demo in one command: install Shopify's artifacts (the simulator serves Shopify's own
# Admin schema from them), build the dashboard and the engine, then run `xeno demo` (a
# simulated store with live activity feeding a local engine; Ctrl-C stops it). The store's
# history ends today; flags pass through: `scripts/demo.sh --history-ends 2026-06-30 --verbose`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/shopify-artifacts.sh
scripts/build-dashboard.sh
cargo run --release -p xeno --bin xeno -- demo "$@"
