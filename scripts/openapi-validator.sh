#!/usr/bin/env bash
# Installs the OpenAPI validator that cli/tests/openapi.rs checks the engine's API document
# with: `openapi-spec-validator` from PyPI (pinned), in a private venv under the cargo target
# directory (like scripts/check-real-clients.sh does for Shopify's Python library). Prints
# two lines: the validator's command, and the OpenAPI 3.1 meta-schema (JSON Schema 2020-12)
# the package ships, which the test also applies with the `jsonschema` crate.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
VENV="$TARGET_DIR/openapi-venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" >&2
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==0.7.1" >&2
echo "$VENV/bin/openapi-spec-validator"
"$VENV/bin/python" -c 'import os, openapi_spec_validator as v; print(os.path.join(os.path.dirname(v.__file__), "resources", "schemas", "v3.1", "schema.json"))'
