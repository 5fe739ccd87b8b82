//! The store side of the resource seam: one module per Shopify resource with its SQL
//! (upsert guarded by `updated_at`, children replaced in the same statement, tombstone, and
//! the resource's part of a `customers/redact`, called by `store/compliance.rs`), dispatched
//! here by [`Resource`]. The Shopify side (topics, GraphQL documents, parsers) is
//! `shopify/src/resource/`; adding a resource adds a module to both and a migration in `sql/`.
//!
//! Each upsert is one statement that also ensures the shop row and writes the webhook
//! receipt's outcome (data-modifying CTEs); children arrive as parallel arrays (`unnest`).

pub(crate) mod customers;
mod locations;
pub(crate) mod orders;
mod products;
mod rows;
pub(crate) mod transactions;

use deadpool_postgres::Transaction;
use serde_json::Value;
use xeno_shopify::notices::id_from_delete;
use xeno_shopify::Resource;

use crate::envelope::Envelope;
use crate::store::error::StoreError;
use crate::store::outcome::Outcome;
use crate::store::receipts;

/// Applies a record of `resource` (a topic of its spec): a delete becomes a tombstone,
/// anything else an upsert. The webhook receipt's outcome is written either way.
pub(crate) async fn apply(
    tx: &Transaction<'_>,
    env: &Envelope,
    resource: Resource,
    webhook_id: Option<&str>,
    value: &Value,
    raw: &str,
) -> Result<Outcome, StoreError> {
    if env.topic.is_delete() {
        let id = id_from_delete(value)?;
        tombstone(tx, env, resource, id).await?;
        return receipts::finish(tx, env, webhook_id, Outcome::Deleted).await;
    }
    match resource {
        Resource::Customers => customers::apply(tx, env, webhook_id, value, raw).await,
        Resource::Products => products::apply(tx, env, webhook_id, value, raw).await,
        Resource::Orders => orders::apply(tx, env, webhook_id, value, raw).await,
        Resource::Locations => locations::apply(tx, env, webhook_id, value, raw).await,
    }
}

/// Tombstones `id` of `resource` (see `rows::tombstone`).
pub(crate) async fn tombstone(
    tx: &Transaction<'_>,
    env: &Envelope,
    resource: Resource,
    id: i64,
) -> Result<(), tokio_postgres::Error> {
    let sql = match resource {
        Resource::Customers => customers::TOMBSTONE,
        Resource::Products => products::TOMBSTONE,
        Resource::Orders => orders::TOMBSTONE,
        Resource::Locations => locations::TOMBSTONE,
    };
    rows::tombstone(tx, env, sql, id).await
}
