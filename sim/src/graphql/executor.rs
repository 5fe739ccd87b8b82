//! The schemas the state holds (`state.rs`): one per API version, built at first use by a
//! [`Builder`] handed in at start (`handle.rs` hands Shopify's, `graphql/admin/builder.rs`).
//! Resolvers read the state and the state holds the schemas (bulk runs execute them), so the
//! state names only this module, and the builder reaches it as a trait object.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::dynamic::Schema;

use crate::graphql::cost::TypeInfo;

/// One version's executable schema and the field types the cost model reads.
pub struct VersionApi {
    pub schema: Schema,
    pub types: TypeInfo,
}

/// Builds the schema of a version.
pub trait Builder: Send + Sync {
    /// The schema of `version`, or why it cannot be had.
    fn build(&self, version: &str) -> Result<VersionApi, String>;
}

type Slot = Arc<OnceLock<Result<Arc<VersionApi>, String>>>;

/// Every version's schema, built when first asked for (a handle: clones share them).
#[derive(Clone)]
pub struct Api {
    builder: Arc<dyn Builder>,
    built: Arc<Mutex<HashMap<String, Slot>>>,
}

impl Api {
    /// Schemas made by `builder`.
    pub fn new(builder: Arc<dyn Builder>) -> Api {
        Api {
            builder,
            built: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The schema of API `version` (a supported one: the caller maps retired versions), or
    /// why it cannot be had.
    pub fn version(&self, version: &str) -> Result<Arc<VersionApi>, String> {
        let slot = {
            let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
            built.entry(version.to_string()).or_default().clone()
        };
        slot.get_or_init(|| self.builder.build(version).map(Arc::new))
            .clone()
    }
}
