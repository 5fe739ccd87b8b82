//! Shopify's schemas for the simulator's state (`graphql/executor.rs`): each version built
//! from Shopify's introspection of it ([`super::introspection`], [`super::build`]) with the
//! simulator's custom resolvers.

use std::path::PathBuf;

use super::build;
use super::introspection;
use super::table::Table;
use crate::graphql::cost::TypeInfo;
use crate::graphql::executor::{Builder, VersionApi};

/// Builds Shopify's schema of a version from the artifacts in `dir`.
pub struct AdminBuilder {
    dir: PathBuf,
    table: Table,
}

impl AdminBuilder {
    /// Schemas from the artifacts in `dir`, with the custom resolvers of `table`.
    pub fn new(dir: PathBuf, table: Table) -> AdminBuilder {
        AdminBuilder { dir, table }
    }
}

impl Builder for AdminBuilder {
    fn build(&self, version: &str) -> Result<VersionApi, String> {
        let started = std::time::Instant::now();
        let def = introspection::load(&self.dir, version).map_err(|e| e.to_string())?;
        let schema = build::build(version, &def, &self.table)?;
        let types = TypeInfo::from_sdl(&schema.sdl());
        tracing::info!(
            version,
            ms = started.elapsed().as_millis() as u64,
            "built Shopify's Admin schema"
        );
        Ok(VersionApi { schema, types })
    }
}
