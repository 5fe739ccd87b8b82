//! Shopify's own Admin GraphQL schema, executable: for each API version, the schema is built
//! at first use from Shopify's published introspection of that version
//! ([`introspection`]: `@shopify/dev-mcp`'s `admin_<version>.json.gz`), so every type, field,
//! argument, default and enum value is Shopify's ([`build`]). Objects are JSON built from the
//! store (`graphql/project/`) and answered by one generic resolver ([`resolve`]), with values
//! made up for what the simulator keeps no data behind ([`synth`]); the roots and the few
//! fields with behaviour (paging with search and sort keys, mutations) have their own
//! resolvers (`graphql/roots/`), handed in as a table.

pub mod build;
pub mod catalog;
pub mod introspection;
pub mod resolve;
pub mod synth;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use async_graphql::dynamic::{FieldValue, ResolverContext, Schema};
use async_graphql::Error;

use crate::graphql::cost::TypeInfo;
use catalog::Catalog;

/// A field with its own resolver.
pub type Resolver =
    for<'a> fn(&ResolverContext<'a>, &Catalog) -> Result<Option<FieldValue<'a>>, Error>;

/// The custom resolvers by `(type, field)`.
pub type Table = HashMap<(&'static str, &'static str), Resolver>;

/// One version's executable schema and what the cost model and the resolvers read of it.
pub struct VersionApi {
    pub schema: Schema,
    pub catalog: Arc<Catalog>,
    pub types: TypeInfo,
}

type Slot = Arc<OnceLock<Result<Arc<VersionApi>, String>>>;

/// Every version's schema, built when first asked for.
pub struct AdminApis {
    dir: PathBuf,
    table: Table,
    built: Mutex<HashMap<String, Slot>>,
}

impl AdminApis {
    /// Schemas from the artifacts in `dir`, with the custom resolvers of `table`.
    pub fn new(dir: PathBuf, table: Table) -> AdminApis {
        AdminApis {
            dir,
            table,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The schema of `version` (built now if it was not yet); an error names what is missing.
    pub fn get(&self, version: &str) -> Result<Arc<VersionApi>, String> {
        let slot = {
            let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
            built.entry(version.to_string()).or_default().clone()
        };
        slot.get_or_init(|| self.build(version).map(Arc::new))
            .clone()
    }

    fn build(&self, version: &str) -> Result<VersionApi, String> {
        let started = std::time::Instant::now();
        let def = introspection::load(&self.dir, version).map_err(|e| e.to_string())?;
        let (schema, catalog) = build::build(version, &def, &self.table)?;
        let types = TypeInfo::from_sdl(&schema.sdl());
        tracing::info!(
            version,
            ms = started.elapsed().as_millis() as u64,
            "built Shopify's Admin schema"
        );
        Ok(VersionApi {
            schema,
            catalog,
            types,
        })
    }
}
