//! What `xeno doctor` finds, and what `GET /api/health` serves as `doctor` (the engine runs
//! the same checks at start and every few minutes, `engine/src/doctor/`): per shop, whether
//! the token works, its scopes cover what the sync reads, the API version is supported and
//! the webhook subscriptions point at this engine.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    Ok,
    /// Works, but not fully (e.g. a backfill limited to 60 days of orders).
    Warn,
    /// The shop does not sync, or misses data, until it is fixed.
    Error,
}

impl fmt::Display for FindingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FindingStatus::Ok => "ok",
            FindingStatus::Warn => "warn",
            FindingStatus::Error => "error",
        })
    }
}

/// One check of one shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub shop: String,
    /// What was checked: `token`, `scopes`, `api_version`, `webhooks`.
    pub check: String,
    pub status: FindingStatus,
    /// What is wrong (or, when ok, what was seen).
    pub detail: String,
    /// How to fix it; `null` when ok.
    pub fix: Option<String>,
}

/// The latest run of the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DoctorReport {
    pub checked_at: DateTime<Utc>,
    pub findings: Vec<Finding>,
}

impl DoctorReport {
    /// The worst status among the findings (`ok` when there are none).
    pub fn worst(&self) -> FindingStatus {
        self.findings
            .iter()
            .map(|f| f.status)
            .max()
            .unwrap_or(FindingStatus::Ok)
    }
}
