//! [`SyncError`]: why a run stopped, and whether it resumes shortly or waits for the next one.

use thiserror::Error;

use super::graphql_client::ClientError;

/// Why a run stopped before completing.
#[derive(Debug, Error, Clone)]
pub enum SyncError {
    /// Retrying cannot help (token rejected, shop uninstalled): the shop's automatic syncs
    /// stop until a new one is requested.
    #[error("{0}")]
    Permanent(String),
    /// The run failed on something this engine got wrong (a GraphQL error, a bad answer);
    /// the next scheduled run starts over.
    #[error("{0}")]
    Failed(String),
    /// PostgreSQL is unavailable: the run resumes from its checkpoint shortly.
    #[error("database: {0}")]
    Db(String),
}

impl SyncError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Db(_))
    }
}

impl From<ClientError> for SyncError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Permanent(m) => SyncError::Permanent(m),
            other => SyncError::Failed(other.to_string()),
        }
    }
}

impl From<tokio_postgres::Error> for SyncError {
    fn from(e: tokio_postgres::Error) -> Self {
        SyncError::Db(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for SyncError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        SyncError::Db(e.to_string())
    }
}
