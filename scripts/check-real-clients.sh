#!/usr/bin/env bash
# Points unmodified real Shopify clients (Shopify's Python library from PyPI; Shopify's Node
# clients @shopify/admin-api-client and @shopify/shopify-api from npm, pinned in
# sim/clients/node/package-lock.json, checked by sim/clients/node/check.mjs) at `xeno sim`
# and checks it reads the store as it would read Shopify: REST orders, customers and products
# with their nested objects through the library's resource classes, Link pagination (the
# links name https://pyclient.myshopify.com, as Shopify's name the shop; the check maps that
# host to the simulator), `order=updated_at asc` with a date-only `updated_at_min`, destroy
# events, and GraphQL queries of many fields with extensions.cost
# (sim/clients/shopify_python_api.py). Installs the Python library into a private venv and the
# Node ones into sim/clients/node/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
VENV="$TARGET_DIR/client-venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "ShopifyAPI==12.7.0"

(cd sim/clients/node && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)

cargo build --quiet -p xeno --bin xeno
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ORDERS=123
SHOPIFY_WEBHOOK_SECRET=client-check SHOPIFY_ACCESS_TOKEN=shpat_client_check \
  "$TARGET_DIR/debug/xeno" sim --listen "127.0.0.1:$PORT" --shop pyclient.myshopify.com \
  --orders "$ORDERS" --rate 0 > /dev/null 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/_sim/summary" && break
  sleep 0.2
done
# Live and deleted counts (the generated history also holds deleted objects, which Shopify no
# longer lists but reports as destroy events).
SUMMARY=$(curl -s "http://127.0.0.1:$PORT/_sim/summary")
SIM_URL="http://127.0.0.1:$PORT" SIM_SUMMARY="$SUMMARY" "$VENV/bin/python" sim/clients/shopify_python_api.py
(cd sim/clients/node && SIM_URL="http://127.0.0.1:$PORT" SIM_SUMMARY="$SUMMARY" \
  SIM_SHOP=pyclient.myshopify.com SHOPIFY_WEBHOOK_SECRET=client-check \
  SHOPIFY_ACCESS_TOKEN=shpat_client_check node check.mjs)
echo "client check ok: Shopify's Python and Node libraries read the simulator as they read Shopify"
