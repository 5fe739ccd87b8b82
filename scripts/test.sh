#!/usr/bin/env bash
# The whole test suite, from a fresh checkout: formatting, lints, then every test against the
# PostgreSQL (127.0.0.1:5432) and NATS JetStream (127.0.0.1:4222) running on this machine.
# Each test creates its own database and stream names, so runs never collide.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
  echo "== installing Chromium and ChromeDriver for the dashboard's browser test =="
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver > /dev/null
fi
export XENO_REQUIRE_BROWSER=1

if ! command -v promtool > /dev/null || [[ ! -x /usr/bin/prometheus ]]; then
  echo "== installing Prometheus for the alert rules' tests (promtool, a real server) =="
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus > /dev/null
  # The package may start its own server on :9090; the tests start theirs on free ports.
  if command -v systemctl > /dev/null && systemctl is-active --quiet prometheus 2> /dev/null; then
    systemctl disable --now prometheus > /dev/null 2>&1 || true
  elif command -v service > /dev/null; then
    service prometheus stop > /dev/null 2>&1 || true
  fi
fi
export XENO_REQUIRE_PROMETHEUS=1

echo "== Shopify's published artifacts (npm, pinned) =="
scripts/shopify-artifacts.sh

echo "== building the dashboard (wasm32) =="
scripts/build-dashboard.sh

echo "== rustfmt =="
cargo fmt --all -- --check

echo "== clippy =="
cargo clippy --workspace --exclude xeno-dashboard --all-targets -- -D warnings
cargo clippy -p xeno-dashboard --target wasm32-unknown-unknown -- -D warnings

echo "== module graph: dependencies point one way (docs/architecture.md) =="
python3 scripts/check-module-cycles.py

echo "== dependency policy (cargo-deny: licenses, bans, sources) =="
scripts/deny.sh

echo "== tests (every crate's unit tests; the black-box tests of the xeno binary are cli/tests/) =="
log="$(mktemp)"
set +e
cargo test --workspace --exclude xeno-dashboard --all-targets --no-fail-fast \
  -- --test-threads "${XENO_TEST_THREADS:-4}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
read -r passed failed < <(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed; [0-9]+ failed' "$log" \
  | awk '{p += $4; f += $6} END {print p + 0, f + 0}')
rm -f "$log"

echo "== a real Shopify client against the simulator =="
if scripts/check-real-clients.sh; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi

echo "== alert rules and the Grafana dashboard (promtool) =="
if scripts/check-alert-rules.sh; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi

echo "== ingest regression guard (engine vs the Node.js peer, bench/) =="
if scripts/bench-guard.sh; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  status=1
fi

echo "tests: $passed passed, $failed failed"
exit "$status"
