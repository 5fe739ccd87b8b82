//! `GET /api/health` (ingestion health for the dashboard) and `GET /readyz`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::doctor::DoctorReport;

/// Liveness of one supervised actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComponentStatus {
    pub up: bool,
    pub restarts: u64,
    pub last_error: Option<String>,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub up: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QueueHealth {
    /// Messages in the stream (this token's shops only, unless it sees every shop).
    pub stream_messages: Option<u64>,
    /// Messages not yet delivered to the writers (consumer lag).
    pub consumer_pending: Option<u64>,
    /// Delivered to writers, not yet acknowledged.
    pub consumer_ack_pending: Option<u64>,
    pub consumer_redelivered: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Throughput {
    /// Webhooks answered 200 (after PubAck) since start, and per second lately.
    pub webhooks_acked: u64,
    pub webhooks_acked_per_second: Option<f64>,
    /// Messages the writers handled since start, and per second lately.
    pub writer_messages: u64,
    pub writer_messages_per_second: Option<f64>,
    pub writer_batches: u64,
    pub published: u64,
    pub publish_failures: u64,
    pub log_events_dropped: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopHealth {
    pub shop: String,
    pub last_webhook_at: Option<DateTime<Utc>>,
    pub webhooks_accepted: u64,
    /// Mirrored GraphQL rate-limit bucket (`null` before the shop's first Admin API call).
    pub bucket_available: Option<f64>,
    pub bucket_maximum: Option<f64>,
    pub dead_letters_open: i64,
}

/// `GET /api/health`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HealthResponse {
    /// `ok` when every component and dependency is up, else `degraded`.
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub uptime_seconds: i64,
    pub components: BTreeMap<String, ComponentStatus>,
    pub postgres: Dependency,
    pub jetstream: Dependency,
    pub queue: QueueHealth,
    /// `null` for tokens that do not see every shop.
    pub throughput: Option<Throughput>,
    /// Dead letters not yet replayed, for the shops this token sees.
    pub dead_letters_open: i64,
    pub shops: Vec<ShopHealth>,
    /// The latest `xeno doctor` checks the engine ran, for the shops this token sees;
    /// `null` until the first run ends.
    pub doctor: Option<DoctorReport>,
    /// Alert conditions holding now in this engine process (the alerts of
    /// `ops/prometheus/alerts.yml`, evaluated by the engine itself), engine-wide ones and
    /// those of the shops this token sees; most severe first.
    pub alerts: Vec<ActiveAlert>,
    /// The roles this process runs (`edge`, `writer`, `sync`, `api`).
    pub roles: Vec<String>,
    /// Every process of the deployment seen in the process registry lately, this one
    /// included, oldest first.
    pub processes: Vec<ProcessInfo>,
}

/// One engine process of the deployment, from the process registry (PostgreSQL `processes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProcessInfo {
    /// Unique per start of a process.
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub roles: Vec<String>,
    pub started_at: DateTime<Utc>,
    /// Its latest heartbeat.
    pub last_seen: DateTime<Utc>,
}

/// One alert condition that holds: `pending` until it held for its rule's `for:`, then
/// `firing` (and sent to the `[[alerts]]` targets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActiveAlert {
    /// The rule's name, e.g. `XenoDeadLettersOpen`.
    pub alert: String,
    /// `warning` or `critical`.
    pub severity: String,
    /// `pending` or `firing`.
    pub state: String,
    /// e.g. `shop`, `resource`; empty for engine-wide alerts.
    pub labels: BTreeMap<String, String>,
    pub summary: String,
    /// When the condition started to hold.
    pub since: DateTime<Utc>,
    /// The runbook's section, relative to the repository (`docs/operations.md#…`).
    pub runbook: String,
}

/// `GET /readyz`: `ok` or `down: <why>` for each dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    pub postgres: String,
    pub jetstream: String,
    /// The roles this process runs.
    pub roles: Vec<String>,
}
