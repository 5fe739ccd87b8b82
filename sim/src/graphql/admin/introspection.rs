//! Shopify's published introspection of one Admin API version (`admin_<version>.json.gz` of
//! `@shopify/dev-mcp`, installed by `scripts/shopify-artifacts.sh`), decoded into the few
//! shapes the schema builder ([`super::build`]) and the resolvers ([`super::catalog`]) read.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use xeno_shopify::artifacts::ARTIFACTS_ENV;

/// Where Shopify's artifacts are: [`ARTIFACTS_ENV`], else the source tree's
/// `shopify/artifacts/node_modules`.
pub fn artifacts_dir() -> PathBuf {
    xeno_shopify::artifacts::dir_from_env()
}

/// Why a version's schema cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectionError {
    #[error(
        "Shopify's Admin schema for {version} is not at {path} ({source}): install Shopify's \
         artifacts with scripts/shopify-artifacts.sh, or point {ARTIFACTS_ENV} at their \
         node_modules"
    )]
    Missing {
        version: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Shopify's Admin schema for {version} ({path}) does not decode: {reason}")]
    Invalid {
        version: String,
        path: PathBuf,
        reason: String,
    },
}

/// `__schema`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaDef {
    pub query_type: NameRef,
    pub mutation_type: Option<NameRef>,
    pub types: Vec<TypeDef>,
}

/// `{ name }`.
#[derive(Debug, Deserialize)]
pub struct NameRef {
    pub name: String,
}

/// `__Type` of the schema's type list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypeDef {
    pub kind: Kind,
    pub name: String,
    #[serde(default)]
    pub fields: Option<Vec<FieldDef>>,
    #[serde(default)]
    pub input_fields: Option<Vec<InputDef>>,
    #[serde(default)]
    pub interfaces: Option<Vec<NameRef>>,
    #[serde(default)]
    pub enum_values: Option<Vec<EnumValueDef>>,
    #[serde(default)]
    pub possible_types: Option<Vec<NameRef>>,
}

/// `__TypeKind`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
    List,
    NonNull,
}

/// `__Field`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDef {
    pub name: String,
    #[serde(default)]
    pub args: Vec<InputDef>,
    #[serde(rename = "type")]
    pub ty: TypeRefDef,
    #[serde(default)]
    pub is_deprecated: bool,
    pub deprecation_reason: Option<String>,
}

/// `__InputValue`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputDef {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: TypeRefDef,
    pub default_value: Option<String>,
    #[serde(default)]
    pub is_deprecated: bool,
    pub deprecation_reason: Option<String>,
}

/// `__EnumValue`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumValueDef {
    pub name: String,
    #[serde(default)]
    pub is_deprecated: bool,
    pub deprecation_reason: Option<String>,
}

/// A type reference: a named type wrapped in lists and non-nulls.
#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct TypeRefDef {
    pub kind: Kind,
    pub name: Option<String>,
    pub of_type: Option<Box<TypeRefDef>>,
}

impl TypeRefDef {
    /// The named type at the bottom of the wrappers.
    pub fn named(&self) -> &str {
        match (&self.name, &self.of_type) {
            (Some(n), _) => n,
            (None, Some(inner)) => inner.named(),
            (None, None) => "",
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    data: Option<Data>,
    #[serde(rename = "__schema")]
    schema: Option<SchemaDef>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "__schema")]
    schema: SchemaDef,
}

/// Reads and decodes `version`'s introspection from the artifacts in `dir`.
pub fn load(dir: &Path, version: &str) -> Result<SchemaDef, IntrospectionError> {
    let path = xeno_shopify::artifacts::admin_schema_path(dir, version);
    let bytes = std::fs::read(&path).map_err(|source| IntrospectionError::Missing {
        version: version.to_string(),
        path: path.clone(),
        source,
    })?;
    let invalid = |reason: String| IntrospectionError::Invalid {
        version: version.to_string(),
        path: path.clone(),
        reason,
    };
    let mut text = Vec::with_capacity(bytes.len() * 14);
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_end(&mut text)
        .map_err(|e| invalid(e.to_string()))?;
    let envelope: Envelope = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
    envelope
        .data
        .map(|d| d.schema)
        .or(envelope.schema)
        .ok_or_else(|| invalid("no __schema".into()))
}
