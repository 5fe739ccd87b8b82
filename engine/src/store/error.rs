//! [`StoreError`]: why an envelope could not be applied, and whether retrying can help.

use thiserror::Error;
use xeno_shopify::PayloadError;

/// Why an envelope could not be applied.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The body cannot become rows (bad JSON, wrong field types): permanent, dead-letter it.
    #[error("bad payload: {0}")]
    Payload(#[from] PayloadError),
    /// PostgreSQL failed; usually worth retrying (see [`StoreError::is_retryable`]).
    #[error("database: {}", db_message(.0))]
    Db(#[from] tokio_postgres::Error),
}

/// The server's message and SQLSTATE when there is one (tokio-postgres's own `Display` says
/// only "db error"), so dead letters and logs say what went wrong.
fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl StoreError {
    /// False for errors the same bytes will hit again: payload errors, and database errors
    /// caused by the data itself (SQLSTATE classes 21 cardinality, 22 data exception — e.g.
    /// a `\u0000` that `jsonb` refuses — and 23 integrity). Connection loss, serialization
    /// failures and deadlocks are retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Payload(_) => false,
            StoreError::Db(e) => match e.code() {
                Some(code) => {
                    let class = &code.code()[..2];
                    !matches!(class, "21" | "22" | "23")
                }
                None => true,
            },
        }
    }
}
