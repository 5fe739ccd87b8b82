//! Admin API sync: each shop's history (backfill) and every change webhooks missed
//! (reconciliation), published into JetStream like webhooks and written by the same
//! UpsertWriters, at the speed the shop's rate-limit budget allows.
//!
//! Map of the module:
//! - [`supervisor`]: the SyncSupervisor, one [`shop_sync::SyncActor`] per configured shop.
//! - [`shop_sync`]: the SyncActor: lease, schedule, runs as tasks, restarts.
//! - [`run`]: one sync run over customers, products and orders, with its checkpoints.
//! - [`bulk`]: bulk operations (backfill, deletion sweep), streamed JSONL.
//! - [`incremental`]: paged `updated_at` queries with overlap (reconciliation, bulk fallback).
//! - [`graphql_client`] and [`bucket`]: cost-aware Admin GraphQL calls.
//! - [`checkpoint`] (`sync_state`), [`lease`] (`sync_leases`), [`progress`] (`sync_runs`).
//! - [`subscriptions`]: keeps the shop's webhook subscriptions alive.
//! - [`standalone`] (`xeno sync` outside an engine); `POST /api/sync` is served by
//!   `engine/src/api/sync.rs`.
//!
//! Neighbours: publishes through [`crate::bus::BridgeHandle`] (checkpoints only after the
//! PubAck); the writer applies [`Format::Graphql`] nodes with `xeno_shopify::parse`.

pub mod bucket;
pub mod bulk;
pub mod checkpoint;
pub mod graphql_client;
pub mod incremental;
pub mod lease;
pub mod progress;
pub mod queries;
pub mod run;
pub mod shop_sync;
pub mod standalone;
pub mod subscriptions;
pub mod supervisor;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures::StreamExt;
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use crate::bus::BridgeHandle;
use crate::config::ShopConfig;
use crate::envelope::{Envelope, Format, Source};
use crate::metrics::{Metrics, ShopLabels};
use graphql_client::{Backoff, ClientError, GraphqlClient};
use progress::Progress;

/// The resources a sync copies, in the order a run visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Customers,
    Products,
    Orders,
}

impl Resource {
    pub const ALL: [Resource; 3] = [Resource::Customers, Resource::Products, Resource::Orders];

    /// The plural name of tables, topics, `sync_state.resource` and the GraphQL root field.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Customers => "customers",
            Resource::Products => "products",
            Resource::Orders => "orders",
        }
    }

    pub fn graphql_type(self) -> &'static str {
        match self {
            Resource::Customers => "Customer",
            Resource::Products => "Product",
            Resource::Orders => "Order",
        }
    }

    /// The topic a synced record travels under.
    pub fn update_topic(self) -> &'static str {
        match self {
            Resource::Customers => "customers/update",
            Resource::Products => "products/update",
            Resource::Orders => "orders/updated",
        }
    }

    pub fn delete_topic(self) -> &'static str {
        match self {
            Resource::Customers => "customers/delete",
            Resource::Products => "products/delete",
            Resource::Orders => "orders/delete",
        }
    }

    /// Query names for the client's per-query cost bookkeeping.
    fn page_name(self) -> &'static str {
        match self {
            Resource::Customers => "page:customers",
            Resource::Products => "page:products",
            Resource::Orders => "page:orders",
        }
    }

    fn changed_name(self) -> &'static str {
        match self {
            Resource::Customers => "changed:customers",
            Resource::Products => "changed:products",
            Resource::Orders => "changed:orders",
        }
    }

    fn nodes_name(self) -> &'static str {
        match self {
            Resource::Customers => "nodes:customers",
            Resource::Products => "nodes:products",
            Resource::Orders => "nodes:orders",
        }
    }

    fn ids_name(self) -> &'static str {
        match self {
            Resource::Customers => "ids:customers",
            Resource::Products => "ids:products",
            Resource::Orders => "ids:orders",
        }
    }
}

/// What a run does: `full` backfills everything (bulk operations), `incremental` reads what
/// changed since the last watermark (paged), and both sweep for deletions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Full,
    Incremental,
}

impl SyncMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMode::Full => "full",
            SyncMode::Incremental => "incremental",
        }
    }

    pub fn parse(s: &str) -> Option<SyncMode> {
        match s {
            "full" => Some(SyncMode::Full),
            "incremental" => Some(SyncMode::Incremental),
            _ => None,
        }
    }
}

/// Why a run stopped before completing.
#[derive(Debug, Error, Clone)]
pub enum SyncError {
    /// Retrying cannot help (token rejected, shop uninstalled): the shop's automatic syncs
    /// stop until a new one is requested.
    #[error("{0}")]
    Permanent(String),
    /// The run failed on something this engine got wrong (a GraphQL error, a bad answer);
    /// the next scheduled run starts over.
    #[error("{0}")]
    Failed(String),
    /// PostgreSQL is unavailable: the run resumes from its checkpoint shortly.
    #[error("database: {0}")]
    Db(String),
}

impl SyncError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Db(_))
    }
}

impl From<ClientError> for SyncError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Permanent(m) => SyncError::Permanent(m),
            other => SyncError::Failed(other.to_string()),
        }
    }
}

impl From<tokio_postgres::Error> for SyncError {
    fn from(e: tokio_postgres::Error) -> Self {
        SyncError::Db(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for SyncError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        SyncError::Db(e.to_string())
    }
}

/// Everything one run needs.
pub struct SyncContext {
    pub shop: ShopConfig,
    pub pool: Pool,
    pub bridge: BridgeHandle,
    pub client: Arc<GraphqlClient>,
    pub metrics: Arc<Metrics>,
    pub run_id: Uuid,
    pub mode: SyncMode,
    /// Largest page asked for (`[sync] page_size`); shrunk further to fit the cost maximum.
    pub page_size: u32,
    pub progress: Arc<Progress>,
}

/// Publishes' in flight at once: PubAcks pipeline, the checkpoint waits for all of them.
const PUBLISH_WINDOW: usize = 128;

impl SyncContext {
    /// Publishes every envelope and returns once JetStream acknowledged all of them; a
    /// failed publish is retried (JetStream dedupes on the synthetic id) until it succeeds.
    pub async fn publish_all(&self, envelopes: Vec<Envelope>) {
        let n = envelopes.len() as u64;
        if n == 0 {
            return;
        }
        futures::stream::iter(envelopes)
            .map(|envelope| self.publish_retrying(envelope))
            .buffer_unordered(PUBLISH_WINDOW)
            .collect::<Vec<()>>()
            .await;
        self.metrics
            .sync_records
            .get_or_create(&ShopLabels {
                shop: self.shop.domain.clone(),
            })
            .inc_by(n);
    }

    async fn publish_retrying(&self, envelope: Envelope) {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            match self.bridge.publish(envelope.clone()).await {
                Ok(_) => return,
                Err(e) => {
                    let wait = backoff.next_delay();
                    tracing::warn!(shop = %self.shop.domain, webhook_id = %envelope.webhook_id, error = %e, "sync publish failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// The envelope of one GraphQL node (children already rebuilt into arrays or connections).
    ///
    /// Its message id names the run: a run resumed after a crash republishes the same ids
    /// (JetStream drops the repeats), while a later run must never be dropped as a repeat of
    /// an earlier one's (a database restored from a backup inside the dedupe window would
    /// otherwise stay behind).
    pub fn record(&self, resource: Resource, node: &Value) -> Envelope {
        let id = node_id(node).map(|i| i.to_string()).unwrap_or_default();
        let updated = node.get("updatedAt").and_then(Value::as_str).unwrap_or("");
        Envelope {
            shop_domain: self.shop.domain.clone(),
            topic: resource.update_topic().to_string(),
            webhook_id: format!(
                "sync:{}:{}:{id}:{updated}",
                self.run_id.simple(),
                resource.as_str()
            ),
            event_id: None,
            api_version: Some(self.shop.api_version.clone()),
            triggered_at: None,
            source: Source::Sync,
            format: Format::Graphql,
            body: Bytes::from(serde_json::to_vec(node).unwrap_or_default()),
        }
    }

    /// A tombstone for an object Shopify no longer has.
    pub fn tombstone(&self, resource: Resource, id: i64) -> Envelope {
        Envelope {
            shop_domain: self.shop.domain.clone(),
            topic: resource.delete_topic().to_string(),
            webhook_id: format!(
                "sync:{}:{}:{id}:deleted",
                self.run_id.simple(),
                resource.as_str()
            ),
            event_id: None,
            api_version: Some(self.shop.api_version.clone()),
            triggered_at: Some(Utc::now()),
            source: Source::Sync,
            format: Format::Rest,
            body: Bytes::from(format!("{{\"id\":{id}}}")),
        }
    }

    /// Tombstones every live stored object of `resource` that Shopify no longer lists.
    /// Only rows last changed before `snapshot_at` (when Shopify listed `live`) are
    /// candidates, so an object created after the listing is never tombstoned by mistake.
    pub async fn sweep_deletes(
        &self,
        resource: Resource,
        live: &HashSet<i64>,
        snapshot_at: DateTime<Utc>,
    ) -> Result<u64, SyncError> {
        let sql = format!(
            "SELECT id FROM {} WHERE shop_domain = $1 AND deleted_at IS NULL AND updated_at < $2",
            resource.as_str()
        );
        let client = self.pool.get().await?;
        let rows = client
            .query(&sql, &[&self.shop.domain, &snapshot_at])
            .await?;
        drop(client);
        let gone: Vec<Envelope> = rows
            .iter()
            .map(|r| r.get::<_, i64>(0))
            .filter(|id| !live.contains(id))
            .map(|id| self.tombstone(resource, id))
            .collect();
        let n = gone.len() as u64;
        if n > 0 {
            tracing::info!(shop = %self.shop.domain, resource = resource.as_str(), deleted = n, "sync found objects deleted in Shopify; tombstoning them");
        }
        self.publish_all(gone).await;
        self.progress.add_deleted(n);
        Ok(n)
    }
}

/// The cursor of the next page of a GraphQL connection, or `None` on its last page.
pub(crate) fn next_cursor(conn: &serde_json::Value) -> Option<serde_json::Value> {
    let has_next = conn
        .pointer("/pageInfo/hasNextPage")
        .and_then(serde_json::Value::as_bool)
        == Some(true);
    let cursor = conn.pointer("/pageInfo/endCursor").cloned()?;
    (has_next && !cursor.is_null()).then_some(cursor)
}

/// The numeric id of a node: `legacyResourceId`, else the gid's suffix.
pub fn node_id(node: &Value) -> Option<i64> {
    if let Some(id) = node.get("legacyResourceId") {
        match id {
            Value::String(s) => return s.parse().ok(),
            Value::Number(n) => return n.as_i64(),
            _ => {}
        }
    }
    gid_number(node.get("id")?.as_str()?)
}

/// `gid://shopify/Order/123` → 123.
pub fn gid_number(gid: &str) -> Option<i64> {
    gid.rsplit('/').next()?.split('?').next()?.parse().ok()
}

/// `gid://shopify/LineItem/1` → `LineItem`.
pub fn gid_type(gid: &str) -> Option<&str> {
    let rest = gid.strip_prefix("gid://shopify/")?;
    rest.split('/').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gids_and_node_ids() {
        assert_eq!(gid_number("gid://shopify/Order/123"), Some(123));
        assert_eq!(
            gid_number("gid://shopify/MailingAddress/9?model_name=CustomerAddress"),
            Some(9)
        );
        assert_eq!(
            gid_type("gid://shopify/ProductVariant/1"),
            Some("ProductVariant")
        );
        assert_eq!(
            node_id(&serde_json::json!({"id": "gid://shopify/Order/5", "legacyResourceId": "7"})),
            Some(7)
        );
        assert_eq!(
            node_id(&serde_json::json!({"id": "gid://shopify/Order/5"})),
            Some(5)
        );
    }
}
