//! `GET /api/sync-status` and `POST /api/sync`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One resource's sync checkpoint (the `sync_state` table, named here field by field so the
/// table can change without changing the API) with derived progress figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResourceSync {
    pub shop_domain: String,
    /// `customers`, `orders`, `products`.
    pub resource: String,
    /// `full` or `incremental`, once a run started.
    pub mode: Option<String>,
    /// `idle`, `running`, `completed`, `failed`.
    pub status: String,
    /// Where an interrupted run resumes (a page cursor or a bulk-operation position).
    pub cursor: Option<String>,
    pub bulk_operation_id: Option<String>,
    /// Records updated up to this time are in.
    pub updated_at_watermark: Option<DateTime<Utc>>,
    pub objects_done: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub last_reconciled_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The `sync_runs` row of the run that last touched this resource.
    pub run_id: Option<String>,
    /// Objects per second since the sync started (to its completion if it ended).
    pub rate_per_second: Option<f64>,
    /// `objects_done / objects_total` when the sync knows its total.
    pub progress: Option<f64>,
    /// Seconds left at the current rate, when running with a known total.
    pub eta_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopSync {
    pub shop: String,
    /// Whether any resource of the shop is syncing now.
    pub running: bool,
    /// The oldest reconciliation among the shop's resources (when the shop was last fully
    /// reconciled), `null` if one never was.
    pub last_reconciled_at: Option<DateTime<Utc>>,
    pub resources: Vec<ResourceSync>,
}

/// A persisted live-log line (`event_log`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoggedEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub level: String,
    pub shop: Option<String>,
    pub source: String,
    pub message: String,
    pub fields: Value,
}

/// `GET /api/sync-status`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncStatusResponse {
    pub shops: Vec<ShopSync>,
    /// The latest log lines of these shops (and engine-wide ones for `["*"]` tokens), newest first.
    pub events: Vec<LoggedEvent>,
}

/// `POST /api/sync`'s body. The engine reads it field by field (`engine/src/api/sync.rs`) so
/// that each mistake is a 400 naming the field; this type is its contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncRequest {
    /// The shop's `*.myshopify.com` domain, as configured.
    pub shop: String,
    /// `full` (a backfill through bulk operations) or `incremental` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^(full|incremental)$"))]
    pub mode: Option<String>,
}

/// `POST /api/sync` answers 202 with the queued run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncQueued {
    pub sync_id: String,
    pub shop: String,
    /// `full` or `incremental`.
    pub mode: String,
    /// Always `queued`: the shop's SyncActor picks the run up.
    pub state: String,
}

/// `GET /api/sync/{id}`: one run (`POST /api/sync`'s `sync_id`) and its latest numbers, about
/// a second old while it runs (`xeno sync --shop` without `--config` watches it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SyncRun {
    pub sync_id: String,
    pub shop: String,
    /// `full` or `incremental`.
    pub mode: String,
    /// `queued`, `running`, `completed` or `failed`.
    pub state: String,
    /// The resource being synced now (the last one once ended); empty before it starts.
    pub resource: String,
    pub objects_done: u64,
    /// Known while a bulk operation runs (its object count).
    pub objects_total: Option<u64>,
    /// Objects reconciliation found missing or stale and fetched again.
    pub objects_fixed: u64,
    /// Objects found deleted in Shopify and tombstoned.
    pub objects_deleted: u64,
    pub rate_per_second: f64,
    pub eta_seconds: Option<f64>,
    /// Admin API requests, the rate-limit points they cost and the waits for the bucket.
    pub requests: u64,
    pub points_used: f64,
    pub throttled_requests: u64,
    pub throttle_waits: u64,
    pub throttle_wait_seconds: f64,
    pub errors: u64,
    pub last_error: Option<String>,
    pub elapsed_seconds: f64,
}
