#!/usr/bin/env bash
# The benchmark suite (BENCHMARKS.md), one command: the engine against the seed's design (a Node.js
# Express + nats.js receiver, bench/peers/node) and against the ceilings of its own parts
# (raw JetStream publish-with-ack, PostgreSQL binary COPY), on this machine in this run.
# Writes bench/results/latest.md and bench/results/latest.json; about 10-15 minutes on 2 cores.
#
#   bench/run.sh                              the suite (backfill of 20 000 orders)
#   bench/run.sh --backfill-orders 100000     the goals' full backfill size (adds minutes)
#   bench/run.sh --skip dashboard,backfill    leave phases out (ingest, writer, e2e, backfill, dashboard)
#
# Needs PostgreSQL (trust auth for user postgres) and NATS with JetStream on their default
# local ports, Rust, and Node.js 20 with npm. Every phase uses its own database and stream.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in node npm cargo; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool" >&2; exit 1; }
done
echo "installing Shopify's published artifacts (the simulator serves their schema)" >&2
scripts/shopify-artifacts.sh >&2
echo "installing the Node.js peer (npm ci)" >&2
npm ci --prefix bench/peers/node --no-audit --no-fund --loglevel=error >&2
echo "building release binaries" >&2
cargo build --release --quiet -p xeno --bin xeno
cargo build --release --quiet -p xeno-bench
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
exec "$TARGET_DIR/release/xeno-bench" suite --xeno "$TARGET_DIR/release/xeno" \
  --work-dir "$TARGET_DIR/bench" --out bench/results "$@"
