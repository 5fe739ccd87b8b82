#!/usr/bin/env bash
# Checks the Prometheus alerting rules and the Grafana dashboard of ops/: the rules parse
# (`promtool check rules`), their unit tests pass (`promtool test rules`: for each alert a
# series that fires it and one that does not, ops/prometheus/alerts.test.yml), and the
# dashboard is valid JSON. That both reference only metrics the engine exports, and that a
# real Prometheus fires an alert from a running engine, is cli/tests/alerts_prometheus.rs.
# promtool comes with Debian's `prometheus` package, which scripts/test.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool > /dev/null; then
  echo "promtool is missing: apt-get install prometheus (scripts/test.sh does)" >&2
  exit 1
fi
promtool check rules ops/prometheus/alerts.yml
promtool test rules ops/prometheus/alerts.test.yml
python3 -m json.tool ops/grafana/xeno.json > /dev/null
echo "ops/grafana/xeno.json: valid JSON"
