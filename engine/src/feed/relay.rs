//! The ChangeRelay actor: publishes the change outbox (`store/changes.rs`) to the change
//! feed's stream, `<stream>.changes.<shop>.<resource>`, then deletes what JetStream took.
//!
//! Guarantees and how they hold:
//! - **At least once.** A row is deleted only in the transaction that follows its PubAck; a
//!   crash in between republishes it with the same `Nats-Msg-Id` (`change-<seq>`), which
//!   JetStream drops inside its duplicate window. Past the window a consumer sees it twice.
//! - **In order per entity.** Rows are read in `seq` order, and the changes of one entity
//!   have increasing `seq`s and become visible in that order (`store/changes.rs`). Publishes
//!   are pipelined, but never two of one entity at once: a second change of an entity waits
//!   for the first's PubAck, so a failed publish can never be overtaken by a later change of
//!   its entity. A pass stops at the first failure and the next pass starts again from there.
//! - **One publisher.** Each pass runs in one transaction holding an advisory lock; another
//!   engine process sharing the database skips its pass while the lock is held.
//!
//! Woken by the writers after a commit that recorded a change ([`RelayHandle::wake`]; wakes
//! coalesce, so a busy pool sends one per pass, not one per batch), and on a timer
//! ([`RelayMsg::Tick`]) for anything a wake missed (another process's writers, a failed
//! pass). Started and restarted by the RootSupervisor
//! (`engine/src/supervisor.rs`).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, context::PublishAckFuture};
use async_nats::HeaderMap;
use deadpool_postgres::Pool;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::Serialize;

use crate::bus::bridge::ensure_changes_stream;
use crate::bus::names::Names;
use crate::config::NatsConfig;
use crate::metrics::Metrics;
use crate::slot::Slot;
use crate::store::changes::{self, Change};

/// Messages the relay handles.
#[derive(Debug)]
pub enum RelayMsg {
    /// A writer committed a change: publish what is pending now.
    Wake,
    /// The fallback timer: publish what is pending, then schedule the next tick.
    Tick,
}

pub struct ChangeRelay;

/// How the writers reach the current relay, whichever restart it is.
#[derive(Clone, Default)]
pub struct RelayHandle {
    slot: Slot<RelayMsg>,
    /// A wake is queued and its pass has not started: further wakes are not needed, since
    /// that pass will read every change committed before it starts.
    woken: Arc<AtomicBool>,
}

impl RelayHandle {
    /// Wakes the relay after a commit that recorded a change. When it is restarting, its
    /// first pass (and its timer) picks the change up.
    pub fn wake(&self) {
        if self.woken.swap(true, Ordering::AcqRel) {
            return;
        }
        match self.slot.get() {
            Some(relay) if relay.cast(RelayMsg::Wake).is_ok() => {}
            _ => self.woken.store(false, Ordering::Release),
        }
    }

    pub fn set(&self, relay: ActorRef<RelayMsg>) {
        self.slot.set(relay);
        self.woken.store(false, Ordering::Release);
    }

    pub fn clear(&self) {
        self.slot.clear();
    }
}

pub struct RelayArgs {
    pub pool: Pool,
    pub js: jetstream::Context,
    pub names: Names,
    pub nats: NatsConfig,
    pub metrics: Arc<Metrics>,
    /// The handle the writers wake this relay through (its wake flag is reset here).
    pub handle: RelayHandle,
    /// Pause between timer passes.
    pub every: Duration,
}

pub struct RelayState {
    args: RelayArgs,
    /// Whether the change stream is known to exist (ensured again after a publish failure).
    stream_ready: bool,
}

/// Changes read per pass: one transaction publishes at most this many.
const BATCH: i64 = 500;

impl Actor for ChangeRelay {
    type Msg = RelayMsg;
    type State = RelayState;
    type Arguments = RelayArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        myself.cast(RelayMsg::Tick)?;
        Ok(RelayState {
            args,
            stream_ready: false,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let RelayMsg::Wake = msg {
            // Before the pass: a commit after this line sends a new wake.
            state.args.handle.woken.store(false, Ordering::Release);
        }
        if let Err(e) = state.drain().await {
            // PostgreSQL or JetStream away: the rows wait in the outbox; the next tick retries.
            tracing::debug!(error = %e, "change relay pass stopped");
        }
        if let RelayMsg::Tick = msg {
            // Chained rather than a fixed interval: a long pass never queues up ticks.
            myself.send_after(state.args.every, || RelayMsg::Tick);
        }
        Ok(())
    }
}

/// Why a pass stopped early (the rows stay in the outbox).
#[derive(Debug, thiserror::Error)]
enum RelayError {
    #[error("PostgreSQL: {0}")]
    Db(#[from] tokio_postgres::Error),
    #[error("PostgreSQL pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("JetStream: {0}")]
    Nats(String),
}

impl RelayState {
    /// Passes until the outbox is empty, another process holds the lock, or a pass fails.
    async fn drain(&mut self) -> Result<(), RelayError> {
        if !self.stream_ready {
            ensure_changes_stream(&self.args.js, &self.args.names, &self.args.nats)
                .await
                .map_err(|e| RelayError::Nats(e.to_string()))?;
            self.stream_ready = true;
        }
        let result = loop {
            match self.pass().await {
                Ok(read) if read == BATCH as usize => continue,
                Ok(_) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        if let Err(RelayError::Nats(_)) = result {
            // The stream may have been deleted or never narrowed: ensure it again next time.
            self.stream_ready = false;
        }
        result
    }

    /// Publishes up to [`BATCH`] changes and deletes those JetStream took; returns how many
    /// were read (a full batch means there may be more).
    async fn pass(&mut self) -> Result<usize, RelayError> {
        let mut client = self.args.pool.get().await?;
        let tx = client.transaction().await?;
        if !changes::try_lock_relay(&tx).await? {
            return Ok(0);
        }
        let batch = changes::oldest(&tx, BATCH).await?;
        let (published, failure) = self.publish(&batch).await;
        if !published.is_empty() {
            changes::delete(&tx, &published).await?;
        }
        tx.commit().await?;
        self.args
            .metrics
            .feed_published
            .inc_by(published.len() as u64);
        if let Ok(depth) = changes::depth(&**client).await {
            self.args.metrics.feed_outbox_depth.set(depth);
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(batch.len()),
        }
    }

    /// Publishes `batch` in order, pipelined but never two changes of one entity in flight
    /// (see the module docs). Returns the `seq`s JetStream acknowledged and the first failure.
    async fn publish(&self, batch: &[Change]) -> (Vec<i64>, Option<RelayError>) {
        let mut acked = Vec::with_capacity(batch.len());
        let mut in_flight: Vec<(i64, PublishAckFuture)> = Vec::new();
        let mut entities: HashSet<(&str, &str, i64)> = HashSet::new();
        for change in batch {
            let entity = (
                change.shop_domain.as_str(),
                change.resource.as_str(),
                change.entity_id,
            );
            if !entities.insert(entity) {
                if let Some(e) = await_acks(&mut in_flight, &mut acked).await {
                    return (acked, Some(e));
                }
                entities.clear();
                entities.insert(entity);
            }
            match self.send(change).await {
                Ok(ack) => in_flight.push((change.seq, ack)),
                Err(e) => {
                    let first = await_acks(&mut in_flight, &mut acked).await;
                    return (acked, Some(first.unwrap_or(e)));
                }
            }
        }
        let failure = await_acks(&mut in_flight, &mut acked).await;
        (acked, failure)
    }

    async fn send(&self, change: &Change) -> Result<PublishAckFuture, RelayError> {
        let subject = self
            .args
            .names
            .change_subject(&change.shop_domain, &change.resource);
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("change-{}", change.seq).as_str());
        let body = serde_json::to_vec(&ChangeMessage::from(change))
            .map_err(|e| RelayError::Nats(e.to_string()))?;
        self.args
            .js
            .publish_with_headers(subject, headers, body.into())
            .await
            .map_err(|e| RelayError::Nats(e.to_string()))
    }
}

/// Waits for every PubAck in flight, in order; the acknowledged `seq`s go to `acked`, and the
/// first failure (if any) is returned after every ack has been awaited.
async fn await_acks(
    in_flight: &mut Vec<(i64, PublishAckFuture)>,
    acked: &mut Vec<i64>,
) -> Option<RelayError> {
    let mut failure = None;
    for (seq, ack) in in_flight.drain(..) {
        match ack.await {
            Ok(_) => acked.push(seq),
            Err(e) => {
                failure.get_or_insert(RelayError::Nats(e.to_string()));
            }
        }
    }
    failure
}

/// The body of a change message (`docs/change-feed.md` shows one).
#[derive(Serialize)]
struct ChangeMessage<'a> {
    /// The outbox sequence number: increasing per entity; the dedupe key.
    seq: i64,
    shop: &'a str,
    resource: &'a str,
    id: i64,
    /// True for a tombstone (`row` then holds the key and `deleted_at`).
    deleted: bool,
    updated_at: chrono::DateTime<chrono::Utc>,
    /// `webhook` or `sync`.
    source: &'a str,
    webhook_id: Option<&'a str>,
    recorded_at: chrono::DateTime<chrono::Utc>,
    /// The stored row after the change, without `raw`; with `line_items` / `variants` when
    /// the write replaced them.
    row: &'a serde_json::Value,
}

impl<'a> From<&'a Change> for ChangeMessage<'a> {
    fn from(c: &'a Change) -> Self {
        ChangeMessage {
            seq: c.seq,
            shop: &c.shop_domain,
            resource: &c.resource,
            id: c.entity_id,
            deleted: c.deleted,
            updated_at: c.updated_at,
            source: &c.source,
            webhook_id: c.webhook_id.as_deref(),
            recorded_at: c.recorded_at,
            row: &c.columns,
        }
    }
}
