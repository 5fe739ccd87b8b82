//! [`SchemaError`]: an introspection that cannot be turned into a schema.

/// A schema or document that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the introspection is not gzip: {0}")]
    Gzip(std::io::Error),
    #[error("the introspection is not JSON: {0}")]
    Json(serde_json::Error),
    #[error("the introspection is not a schema: {0}")]
    Introspection(String),
    #[error("the schema built from the introspection is invalid: {0}")]
    Invalid(String),
}
