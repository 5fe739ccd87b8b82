//! A bulk operation as `bulkOperation`/`currentBulkOperation` answer it, its enums and
//! mutation payloads, and [`BulkRegistry`]: the shop's operations and result files, kept in
//! the simulator's state (`state.rs`) and changed by `graphql/bulk/run.rs`.

use std::collections::{BTreeMap, HashMap};

use async_graphql::{Enum, Object, SimpleObject, ID};
use bytes::Bytes;
use chrono::Utc;

use crate::graphql::scalars::{DateTime, UnsignedInt64, Url};
use crate::graphql::subscriptions::UserError;
use crate::store::rest::gid;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationStatus {
    Canceled,
    Canceling,
    Completed,
    Created,
    Expired,
    Failed,
    Running,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationErrorCode {
    AccessDenied,
    InternalServerError,
    Timeout,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationType {
    Mutation,
    Query,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationUserErrorCode {
    Invalid,
    LimitReached,
    OperationInProgress,
}

/// A bulk operation as polled.
#[derive(Debug, Clone)]
pub struct BulkOperation {
    pub id: u64,
    pub status: BulkOperationStatus,
    pub error_code: Option<BulkOperationErrorCode>,
    pub created_at: chrono::DateTime<Utc>,
    pub completed_at: Option<chrono::DateTime<Utc>>,
    pub object_count: u64,
    pub root_object_count: u64,
    pub file_size: Option<u64>,
    pub url: Option<String>,
    pub partial_data_url: Option<String>,
    pub query: String,
}

#[Object]
impl BulkOperation {
    pub async fn id(&self) -> ID {
        ID(gid("BulkOperation", self.id))
    }
    async fn status(&self) -> BulkOperationStatus {
        self.status
    }
    async fn error_code(&self) -> Option<BulkOperationErrorCode> {
        self.error_code
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.created_at)
    }
    async fn completed_at(&self) -> Option<DateTime> {
        self.completed_at.map(DateTime)
    }
    async fn object_count(&self) -> UnsignedInt64 {
        UnsignedInt64(self.object_count)
    }
    async fn root_object_count(&self) -> UnsignedInt64 {
        UnsignedInt64(self.root_object_count)
    }
    async fn file_size(&self) -> Option<UnsignedInt64> {
        self.file_size.map(UnsignedInt64)
    }
    async fn url(&self) -> Option<Url> {
        self.url.clone().map(Url)
    }
    async fn partial_data_url(&self) -> Option<Url> {
        self.partial_data_url.clone().map(Url)
    }
    async fn query(&self) -> &str {
        &self.query
    }
    async fn r#type(&self) -> BulkOperationType {
        BulkOperationType::Query
    }
}

crate::graphql::paging::connection!(BulkOperationConnection, BulkOperationEdge, BulkOperation);

/// `BulkOperationsSortKeys`.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum BulkOperationsSortKeys {
    CompletedAt,
    #[default]
    CreatedAt,
}

/// `BulkOperationUserError`.
#[derive(Debug, Clone, SimpleObject)]
pub struct BulkOperationUserError {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: Option<BulkOperationUserErrorCode>,
}

/// `BulkOperationRunQueryPayload`.
#[derive(Debug, Clone, SimpleObject)]
pub struct BulkOperationRunQueryPayload {
    pub bulk_operation: Option<BulkOperation>,
    pub user_errors: Vec<BulkOperationUserError>,
}

/// `BulkOperationCancelPayload`.
#[derive(Debug, Clone, SimpleObject)]
pub struct BulkOperationCancelPayload {
    pub bulk_operation: Option<BulkOperation>,
    pub user_errors: Vec<UserError>,
}
/// The shop's bulk operations and their result files.
#[derive(Debug, Default)]
pub struct BulkRegistry {
    pub(crate) ops: BTreeMap<u64, BulkOperation>,
    pub(crate) files: HashMap<String, Bytes>,
    pub(crate) next_id: u64,
}

impl BulkRegistry {
    /// A result file by key.
    pub fn file(&self, key: &str) -> Option<Bytes> {
        self.files.get(key).cloned()
    }
    /// An operation by numeric id.
    pub fn get(&self, id: u64) -> Option<BulkOperation> {
        self.ops.get(&id).cloned()
    }
    /// The most recent operation (what `currentBulkOperation` answers).
    pub fn current(&self, _ty: BulkOperationType) -> Option<BulkOperation> {
        self.ops.values().next_back().cloned()
    }
    /// `bulkOperations`: every operation matching a search `query` (`status:`,
    /// `operation_type:`; other terms are ignored), keyed newest first by `sort_key` as
    /// Shopify lists them.
    pub fn list(
        &self,
        sort_key: BulkOperationsSortKeys,
        query: Option<&str>,
    ) -> Vec<((i64, u64), BulkOperation)> {
        let terms: Vec<(String, String)> = query
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|t| t.split_once(':'))
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    v.trim_matches(['"', '\'']).to_ascii_lowercase(),
                )
            })
            .collect();
        let matches = |o: &BulkOperation| {
            terms.iter().all(|(k, v)| match k.as_str() {
                "status" => format!("{:?}", o.status).eq_ignore_ascii_case(v),
                "operation_type" => v == "query",
                _ => true,
            })
        };
        self.ops
            .values()
            .filter(|o| matches(o))
            .map(|o| {
                let at = match sort_key {
                    BulkOperationsSortKeys::CreatedAt => o.created_at,
                    BulkOperationsSortKeys::CompletedAt => o.completed_at.unwrap_or(o.created_at),
                };
                ((-at.timestamp_millis(), u64::MAX - o.id), o.clone())
            })
            .collect()
    }
    /// Ids of the runs not finished yet.
    pub(crate) fn running(&self) -> Vec<u64> {
        self.ops
            .values()
            .filter(|o| {
                matches!(
                    o.status,
                    BulkOperationStatus::Created | BulkOperationStatus::Running
                )
            })
            .map(|o| o.id)
            .collect()
    }
}
