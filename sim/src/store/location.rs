//! A location (warehouse, retail store, a fulfillment service's stock), as the store holds
//! it. Created and changed by `generate/locations.rs`; rendered by `store/rest.rs` and
//! `graphql/project/location.rs`.
//!
//! Every address part is present: Shopify's JSON Schema of the `locations/*` bodies declares
//! each of them a non-null string.

use chrono::{DateTime, Utc};

/// A location of the shop.
#[derive(Debug, Clone)]
pub struct Location {
    pub id: u64,
    pub name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub province: String,
    pub province_code: String,
    /// The country's name.
    pub country: String,
    pub country_code: String,
    pub zip: String,
    pub phone: String,
    /// Whether it stocks inventory and fulfils orders (a deactivated one is kept).
    pub active: bool,
    /// Managed by a fulfillment service (REST `legacy`, GraphQL `isFulfillmentService`).
    pub legacy: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
