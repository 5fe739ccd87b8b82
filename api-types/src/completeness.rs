//! `GET /api/completeness?shop=`: per shop and resource, the live rows stored next to
//! Shopify's own count, as of the sync's last comparison.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One resource of one shop at its last comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResourceCount {
    pub shop: String,
    /// `customers`, `orders`, `products`.
    pub resource: String,
    /// Live (not deleted) rows stored.
    pub stored: i64,
    /// Shopify's count (`ordersCount` and the like).
    pub shopify: i64,
    /// `EXACT`, or `AT_LEAST` when Shopify stopped counting.
    pub precision: String,
    /// `shopify - stored`: positive when rows are missing, negative when rows are left over.
    pub difference: i64,
    pub compared_at: DateTime<Utc>,
    /// The Shopify search both counts were taken under (`updated_at:>='…'` when the shop's
    /// `backfill_since` limits what is kept); `None`: every object.
    pub filter: Option<String>,
}

/// Every compared resource of the selected shops; a shop never compared has no rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompletenessResponse {
    pub resources: Vec<ResourceCount>,
}
