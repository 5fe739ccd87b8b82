#!/usr/bin/env bash
# Checks the dependency graph against deny.toml: licenses, bans (duplicate versions are
# warnings) and sources (crates.io only). Installs the pinned cargo-deny when it is missing
# or another version.
#
# Advisories are not checked: they need the RustSec database from GitHub, which the build
# network does not reach. Where it does: `cargo deny check advisories`.
set -euo pipefail

CARGO_DENY_VERSION=0.20.2

cd "$(dirname "$0")/.."

installed=$(cargo deny --version 2>/dev/null | awk '{print $2}' || true)
if [ "$installed" != "$CARGO_DENY_VERSION" ]; then
    echo "installing cargo-deny $CARGO_DENY_VERSION (found: ${installed:-none})"
    cargo install --locked "cargo-deny@$CARGO_DENY_VERSION"
fi

exec cargo deny check --hide-inclusion-graph licenses bans sources
