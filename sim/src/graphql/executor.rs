//! The schemas the state holds (`state.rs`): one per API version, Shopify's own, built at
//! first use from Shopify's artifacts (`graphql/admin/`) with the simulator's resolvers
//! (`graphql/roots/`). Resolvers read the state and the state holds the schemas (bulk runs
//! execute them); the schemas reach the state through the request data, not by name.

use std::path::PathBuf;
use std::sync::Arc;

use crate::graphql::admin::{AdminApis, VersionApi};
use crate::graphql::roots;

/// Every version's schema (a handle: clones share the schemas).
#[derive(Clone)]
pub struct Api {
    apis: Arc<AdminApis>,
}

impl Api {
    /// Schemas from Shopify's artifacts in `dir` (`graphql/admin/introspection.rs`).
    pub fn new(dir: PathBuf) -> Api {
        Api {
            apis: Arc::new(AdminApis::new(dir, roots::table())),
        }
    }

    /// The schema of API `version` (a supported one: the caller maps retired versions), or
    /// why it cannot be had.
    pub fn version(&self, version: &str) -> Result<Arc<VersionApi>, String> {
        self.apis.get(version)
    }
}
