//! [`SyncContext`]: everything one sync run needs, and how a run publishes: a GraphQL node or
//! a tombstone becomes an [`Envelope`] under its resource's topic (from the resource's spec,
//! `shopify/src/resource/`), published through the JetStreamBridge with PubAck before any
//! checkpoint moves.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures::StreamExt;
use serde_json::Value;
use uuid::Uuid;
use xeno_shopify::Resource;

use super::error::SyncError;
use super::graphql_client::{Backoff, GraphqlClient};
use super::mode::SyncMode;
use super::node::node_id;
use super::progress::Progress;
use crate::bus::bridge::BridgeHandle;
use crate::config::ShopConfig;
use crate::envelope::{Envelope, Format, Source};
use crate::metrics::{Metrics, ResourceLabels, ShopLabels};
use crate::store::stored_copy;

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
    /// Compare each resource's stored count with Shopify's at the end of the run
    /// (`completeness.rs`): only where this process's writers apply what the run published,
    /// not in `xeno sync` outside an engine, whose records wait in JetStream.
    pub compare_counts: bool,
    /// The resources this run keeps, in `Resource::ALL` order: the shop's `resources` choice,
    /// narrowed by the token's scopes when the run starts (`selection.rs`).
    pub resources: Vec<Resource>,
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

    /// Counts `n` objects of `resource` a reconciliation found missing, stale or deleted and
    /// re-published: webhooks that never arrived (`reconcile_repaired`, an alert's input).
    pub fn count_repaired(&self, resource: Resource, n: u64) {
        if n == 0 {
            return;
        }
        self.metrics
            .reconcile_repaired
            .get_or_create(&ResourceLabels {
                shop: self.shop.domain.clone(),
                resource: resource.as_str().to_string(),
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
            topic: resource.spec().update_topic.clone(),
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
            topic: resource.spec().delete_topic.clone(),
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

    /// How far back a backfill of `resource` goes: the shop's `backfill_since` where the root
    /// can filter on `updated_at` (`Listing::by_updated_at`); a root that cannot (locations) is
    /// kept whole.
    pub fn backfill_since(&self, resource: Resource) -> Option<DateTime<Utc>> {
        self.shop
            .backfill_since
            .filter(|_| resource.spec().listing.by_updated_at)
    }

    /// Tombstones every live stored object of `resource` that Shopify no longer lists.
    /// Only rows last changed before `snapshot_at` (when Shopify listed `live`) are
    /// candidates, so an object created after the listing is never tombstoned by mistake; and
    /// with a `floor` (a listing of objects updated since then, `backfill_since`) only rows
    /// changed since the floor, since older ones were not listed.
    pub async fn sweep_deletes(
        &self,
        resource: Resource,
        live: &HashSet<i64>,
        snapshot_at: DateTime<Utc>,
        floor: Option<DateTime<Utc>>,
    ) -> Result<u64, SyncError> {
        let client = self.pool.get().await?;
        let stored =
            stored_copy::live_ids(&client, &self.shop.domain, resource, snapshot_at, floor).await?;
        drop(client);
        let gone: Vec<Envelope> = stored
            .into_iter()
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
