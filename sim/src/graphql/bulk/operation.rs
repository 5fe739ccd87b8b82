//! A bulk operation as `bulkOperation`/`currentBulkOperation` answer it, its enums and
//! mutation payloads, and [`BulkRegistry`]: the shop's operations and result files, kept in
//! the simulator's state (`state.rs`) and changed by `graphql/bulk/run.rs`.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use chrono::Utc;

#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationStatus {
    Canceled,
    Canceling,
    Completed,
    Created,
    Expired,
    Failed,
    Running,
}

#[derive(Copy, Clone, Eq, PartialEq, Debug)]
pub enum BulkOperationErrorCode {
    AccessDenied,
    InternalServerError,
    Timeout,
}

#[derive(Copy, Clone, Eq, PartialEq, Debug)]
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

/// `BulkOperationsSortKeys`.
#[derive(Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum BulkOperationsSortKeys {
    CompletedAt,
    #[default]
    CreatedAt,
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
    pub fn current(&self) -> Option<BulkOperation> {
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
