#!/usr/bin/env bash
# Backfill benchmark (BENCHMARKS.md): a simulated store of ORDERS orders is synced by a fresh engine
# through GraphQL bulk operations; prints wall time of the sync run, time until every order is
# in PostgreSQL, records per second, and the engine's peak RSS, next to the bucket-arithmetic
# minimum for the plan. Uses the machine's PostgreSQL and NATS; its own database and stream.
#
#   bench/backfill.sh [ORDERS]        (default 100000)
#   XENO_BIN=path/to/xeno bench/backfill.sh ...   (use that build; bench/run.sh does)
#   RESOURCES=orders bench/backfill.sh ...        (the shop's `resources` list, comma-separated;
#                                                  default every resource)
# The backfill ends when every order is in PostgreSQL and the sync run has completed (every
# resource written, counts compared).
set -euo pipefail
cd "$(dirname "$0")/.."
ORDERS="${1:-100000}"
CUSTOMERS=$((ORDERS / 5))
PRODUCTS=1000
if [[ -n "${XENO_BIN:-}" ]]; then
  XENO="$XENO_BIN"
else
  cargo build --release --quiet -p xeno --bin xeno
  TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  XENO="$TARGET_DIR/release/xeno"
fi
# Free ports, so runs side by side on one machine never talk to each other's simulator.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
RUN="xenobench$(date +%s)$$"
DB="$RUN"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB"
export BENCH_SECRET=bench-secret BENCH_TOKEN=shpat_bench BENCH_API_TOKEN=bench-api-token-0123456789
SIM_PORT=$(free_port); ENGINE_PORT=$(free_port)
"$XENO" sim --listen "127.0.0.1:$SIM_PORT" --shop bench.myshopify.com --secret-env BENCH_SECRET \
  --token-env BENCH_TOKEN --orders "$ORDERS" --customers "$CUSTOMERS" --products "$PRODUCTS" \
  --rate 0 > "/tmp/$RUN-sim.log" 2>&1 &
SIM=$!
cleanup() {
  kill "$SIM" "${ENGINE:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
}
trap cleanup EXIT
until curl -s -o /dev/null "http://127.0.0.1:$SIM_PORT/_sim/summary"; do
  kill -0 "$SIM" 2>/dev/null || { cat "/tmp/$RUN-sim.log" >&2; exit 1; }
  sleep 0.5
done
LIVE=$(curl -s "http://127.0.0.1:$SIM_PORT/_sim/summary" | python3 -c 'import json,sys; print(json.load(sys.stdin)["orders"])')
cat > "/tmp/$RUN.toml" <<TOML
[server]
listen = "127.0.0.1:$ENGINE_PORT"
[postgres]
url = "postgres://postgres@127.0.0.1:5432/$DB"
[nats]
url = "nats://127.0.0.1:4222"
stream = "${RUN^^}"
[[shops]]
domain = "bench.myshopify.com"
webhook_secret_env = "BENCH_SECRET"
access_token_env = "BENCH_TOKEN"
admin_url = "http://127.0.0.1:$SIM_PORT"
TOML
if [[ -n "${RESOURCES:-}" ]]; then
  echo "resources = [$(sed 's/[^,][^,]*/"&"/g' <<<"$RESOURCES")]" >> "/tmp/$RUN.toml"
fi
START=$(date +%s.%N)
XENO_LOG=warn "$XENO" run --config "/tmp/$RUN.toml" > "/tmp/$RUN-engine.log" 2>&1 &
ENGINE=$!
PEAK=0
while :; do
  N=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT count(*) FROM orders" 2>/dev/null || echo 0)
  DONE=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc \
    "SELECT count(*) FROM sync_runs WHERE state = 'completed'" 2>/dev/null || echo 0)
  RSS=$(awk '/VmHWM/ {print $2}' "/proc/$ENGINE/status" 2>/dev/null || echo 0)
  [[ "$RSS" -gt "$PEAK" ]] && PEAK=$RSS
  [[ "$N" -ge "$LIVE" && "$DONE" -ge 1 ]] && break
  kill -0 "$ENGINE" 2>/dev/null || { echo "the engine exited:" >&2; tail -20 "/tmp/$RUN-engine.log" >&2; exit 1; }
  sleep 0.5
done
END=$(date +%s.%N)
SYNC=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc \
  "SELECT round(extract(epoch FROM max(finished_at) - min(started_at))::numeric, 1) FROM sync_runs WHERE state = 'completed'")
REQS=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT coalesce(sum(requests),0) FROM sync_runs")
POINTS=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT coalesce(sum(points_used),0) FROM sync_runs")
# Every row the backfill wrote, all tables but the engine's own bookkeeping (exact counts).
ROWS=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "
  SELECT sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', table_name),
                                                  false, true, '')))[1]::text::bigint)
  FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
    AND table_name NOT IN ('event_log', 'refinery_schema_history', 'webhook_receipts', 'sync_runs',
                           'sync_state', 'sync_leases', 'resource_counts', 'shops')
    AND table_name NOT LIKE 'analytics%' AND table_name NOT LIKE 'rollup%'")
python3 - "$START" "$END" "$LIVE" "$PEAK" "$SYNC" "$REQS" "$POINTS" "${RESOURCES:-all}" "$ROWS" <<'PY'
import sys
start, end, live, peak, sync, reqs, points, resources, rows = sys.argv[1:]
wall = float(end) - float(start)
points = float(points or 0)
# Standard plan: 2000-point bucket restoring 100/s. The bulk runs themselves cost nothing;
# only the mutations and polls do, so the minimum is what exceeds the full bucket.
minimum = max(0.0, (points - 2000) / 100)
print(f"resources         {resources}")
print(f"orders            {live}")
print(f"rows              {rows or 0}")
print(f"wall to last row  {wall:.1f} s  ({int(live)/wall:.0f} orders/s)")
print(f"sync run          {sync} s, {reqs} requests, {points:.0f} points")
print(f"bucket minimum    {minimum:.1f} s (points beyond the full bucket at 100/s)")
print(f"engine peak RSS   {int(peak)/1024:.0f} MB")
PY
