#!/usr/bin/env bash
# The demo in one command: build the dashboard and the engine, then run `xeno demo`
# (a simulated store with live activity feeding a local engine; Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-dashboard.sh
cargo run --release -p xeno --bin xeno -- demo "$@"
