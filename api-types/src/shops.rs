//! `GET /api/shops`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One configured shop the token may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopInfo {
    pub shop: String,
    /// `false` after `app/uninstalled`; `null` before the shop's first record.
    pub installed: Option<bool>,
    pub currency: Option<String>,
    /// The zone the shop's day buckets use.
    pub time_zone: String,
    pub last_webhook_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopsResponse {
    pub shops: Vec<ShopInfo>,
}
