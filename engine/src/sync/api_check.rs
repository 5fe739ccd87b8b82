//! Every GraphQL document the sync can send to a shop of a given Admin API version, and their
//! check against Shopify's published schema of a version (`xeno check-api`,
//! `cli/tests/shopify_schema.rs`). The schema comes from Shopify's artifacts
//! (`@shopify/dev-mcp`'s `dist/data/admin_<version>.json.gz`, installed by
//! `scripts/shopify-artifacts.sh`); nothing is downloaded.

use std::path::{Path, PathBuf};

use xeno_shopify::schema::{AdminSchema, DocumentReport, SchemaError};
use xeno_shopify::Resource;

use super::queries;

pub use xeno_shopify::artifacts::ARTIFACTS_ENV;

/// Where the artifacts are when neither `--artifacts` nor [`ARTIFACTS_ENV`] says: the
/// source tree's `shopify/artifacts/node_modules`.
pub fn default_artifacts() -> PathBuf {
    xeno_shopify::artifacts::default_dir()
}

/// Why a version cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum ApiCheckError {
    #[error(
        "Shopify's Admin schema for {version} is not at {path} ({source}): install Shopify's \
         artifacts with scripts/shopify-artifacts.sh, or point --artifacts / \
         XENO_SHOPIFY_ARTIFACTS at their node_modules"
    )]
    Missing {
        version: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Shopify's Admin schema for {version} ({path}): {source}")]
    Schema {
        version: String,
        path: PathBuf,
        source: SchemaError,
    },
}

/// Loads Shopify's Admin schema of `version` from the artifacts in `dir`.
pub fn load_schema(dir: &Path, version: &str) -> Result<AdminSchema, ApiCheckError> {
    let path = xeno_shopify::artifacts::admin_schema_path(dir, version);
    let bytes = std::fs::read(&path).map_err(|source| ApiCheckError::Missing {
        version: version.to_string(),
        path: path.clone(),
        source,
    })?;
    AdminSchema::from_gzipped_introspection(&bytes).map_err(|source| ApiCheckError::Schema {
        version: version.to_string(),
        path,
        source,
    })
}

/// One document the engine sends, by name.
#[derive(Debug, Clone)]
pub struct Document {
    /// What it is, e.g. `orders page` or `bulk run`.
    pub name: String,
    pub text: String,
}

/// Every document the sync sends to a shop on `api_version`.
pub fn documents(api_version: &str) -> Vec<Document> {
    let mut out = Vec::new();
    let mut add = |name: String, text: String| out.push(Document { name, text });
    for r in Resource::ALL {
        let s = r.spec();
        add(format!("{} bulk", s.name), s.bulk_query());
        add(format!("{} bulk ids", s.name), s.bulk_ids_query());
        add(format!("{} page", s.name), s.page_query());
        add(format!("{} changed", s.name), s.changed_query());
        add(format!("{} nodes", s.name), s.nodes_query());
        add(format!("{} ids page", s.name), s.ids_page_query());
        add(format!("{} count", s.name), s.count_query());
        if let Some(c) = s.children_query() {
            add(format!("{} children", s.name), c);
        }
    }
    for (name, text) in [
        ("bulk run", queries::BULK_RUN),
        ("bulk poll", queries::BULK_POLL),
        ("bulk current", queries::bulk_current(api_version)),
        ("bulk cancel", queries::BULK_CANCEL),
        ("subscriptions", queries::SUBSCRIPTIONS),
    ] {
        add(name.to_string(), text.to_string());
    }
    let url = "https://xeno.example.com/webhooks";
    add(
        "subscription create".into(),
        queries::subscription_create("ORDERS_CREATE", url),
    );
    add(
        "subscription update".into(),
        queries::subscription_update("gid://shopify/WebhookSubscription/1", url),
    );
    out
}

/// One document's verdict on one version.
#[derive(Debug, Clone)]
pub struct Finding {
    pub document: Document,
    pub report: DocumentReport,
}

/// Checks every document a shop on `version` would be sent against `schema`.
pub fn check(schema: &AdminSchema, version: &str) -> Vec<Finding> {
    documents(version)
        .into_iter()
        .map(|document| {
            let report = schema.check(&document.text);
            Finding { document, report }
        })
        .collect()
}
