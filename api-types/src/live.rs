//! `GET /api/events/stream`: the `data:` of each `event: log` Server-Sent Event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One live-log line as streamed: the engine's log hub (`engine/src/log_sink.rs`) keeps and
/// broadcasts these, and `cli/tests/api_contract.rs` decodes a streamed one with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LiveEvent {
    /// Monotonic per process: the SSE `id`, so a client resumes without gaps or repeats.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub level: String,
    pub shop: Option<String>,
    /// The module that logged it (`webhook`, `writer`, `sync`, `bus`, …).
    pub source: String,
    pub message: String,
    pub fields: Map<String, Value>,
}
