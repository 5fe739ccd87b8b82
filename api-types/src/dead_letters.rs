//! `GET /api/dead-letters`, `POST /api/dead-letters/{id}/replay`, `POST /api/dead-letters/replay`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One dead letter as listed (the payload only as a preview).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeadLetterView {
    pub id: i64,
    pub shop: Option<String>,
    pub topic: Option<String>,
    pub msg_id: Option<String>,
    pub subject: String,
    pub reason: String,
    pub deliveries: i32,
    pub created_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
    pub payload_bytes: usize,
    /// The payload's first 512 bytes as text (lossy), for a look without downloading.
    pub payload_preview: String,
}

/// `GET /api/dead-letters`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeadLettersResponse {
    pub dead_letters: Vec<DeadLetterView>,
    /// Open (not replayed) dead letters the token sees, in total.
    pub open_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplayFailure {
    pub id: i64,
    pub error: String,
}

/// What a replay call did.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplayResponse {
    /// Ids republished (and marked `replayed_at`).
    pub replayed: Vec<i64>,
    pub failed: Vec<ReplayFailure>,
}
