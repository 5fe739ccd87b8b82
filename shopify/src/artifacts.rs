//! Where Shopify's published artifacts are (installed from npm by
//! `scripts/shopify-artifacts.sh`): one definition for the engine's API checks and the
//! simulator's schema. Paths only; the callers read the files.

use std::path::{Path, PathBuf};

/// The environment variable naming the artifacts' `node_modules`.
pub const ARTIFACTS_ENV: &str = "XENO_SHOPIFY_ARTIFACTS";

/// The source tree's `shopify/artifacts/node_modules`, where the install script puts them.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/node_modules")
}

/// [`ARTIFACTS_ENV`] when set, else [`default_dir`].
pub fn dir_from_env() -> PathBuf {
    std::env::var_os(ARTIFACTS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(default_dir)
}

/// Shopify's Admin GraphQL introspection of `version` (`@shopify/dev-mcp`).
pub fn admin_schema_path(dir: &Path, version: &str) -> PathBuf {
    dir.join(format!(
        "@shopify/dev-mcp/dist/data/admin_{version}.json.gz"
    ))
}
