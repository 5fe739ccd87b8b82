//! The UpsertWriter: a worker of the writer pool (a ractor factory). It writes one batch of
//! JetStream messages in one PostgreSQL transaction and acks them only after the commit.
//!
//! Failure handling, in order:
//! - PostgreSQL unreachable: nothing is acked; every message is nak'ed with a delay and comes
//!   back later (never dead-lettered for an outage).
//! - The batch transaction fails: each message is retried alone, so one poison message does
//!   not hold back the rest of its batch.
//! - A message that cannot be decoded or parsed (permanent) goes to `dead_letters` at once; one
//!   that keeps failing for a retryable reason goes there after `max_deliveries` deliveries.
//!   Either way it is acked only after its dead letter is committed: nothing is dropped.
//!
//! A commit that changed an entity (recorded in the change outbox by the store's own
//! statements) wakes the change relay (`engine/src/feed/relay.rs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, AckKind};
use deadpool_postgres::Pool;
use ractor::factory::{FactoryMessage, Job, Worker, WorkerId};
use ractor::{ActorProcessingErr, ActorRef};
use tokio::sync::OwnedSemaphorePermit;

use super::activity::ActivitySampler;
use crate::bus::codec;
use crate::envelope::{Envelope, Source};
use crate::feed::relay::RelayHandle;
use crate::metrics::Metrics;
use crate::store::{self, dead_letters, Outcome, StoreError};

/// A batch of delivered messages and the in-flight slot it occupies until written.
pub struct WriteBatch {
    pub messages: Vec<jetstream::Message>,
    pub permit: OwnedSemaphorePermit,
}

pub struct UpsertWriter;

pub struct WriterArgs {
    pub pool: Pool,
    pub metrics: Arc<Metrics>,
    pub max_deliveries: u64,
    /// The change relay, woken after a commit that recorded a change.
    pub relay: RelayHandle,
}

pub struct WriterState {
    pool: Pool,
    metrics: Arc<Metrics>,
    max_deliveries: u64,
    relay: RelayHandle,
    activity: ActivitySampler,
}

/// Delay before a nak'ed message is redelivered.
const RETRY_DELAY: Duration = Duration::from_secs(2);

impl Worker for UpsertWriter {
    type Key = ();
    type Message = WriteBatch;
    type Arguments = WriterArgs;
    type State = WriterState;

    async fn pre_start(
        &self,
        _wid: WorkerId,
        _factory: &ActorRef<FactoryMessage<(), WriteBatch>>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(WriterState {
            pool: args.pool,
            metrics: args.metrics,
            max_deliveries: args.max_deliveries,
            relay: args.relay,
            activity: ActivitySampler::default(),
        })
    }

    async fn handle(
        &self,
        _wid: WorkerId,
        _factory: &ActorRef<FactoryMessage<(), WriteBatch>>,
        Job { msg, .. }: Job<(), WriteBatch>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let started = Instant::now();
        let WriteBatch { messages, permit } = msg;
        state.write(messages).await;
        state
            .metrics
            .writer_batch_seconds
            .observe(started.elapsed().as_secs_f64());
        drop(permit);
        Ok(())
    }
}

/// A delivered message with its decoded envelope (or why it could not be decoded).
struct Item {
    message: jetstream::Message,
    envelope: Result<Envelope, String>,
}

impl Item {
    fn deliveries(&self) -> u64 {
        self.message
            .info()
            .map(|i| i.delivered.max(1) as u64)
            .unwrap_or(1)
    }
}

enum BatchFailure {
    /// No connection could be had: retry everything later.
    Unreachable(String),
    /// The transaction failed: retry message by message.
    Failed(String),
}

impl WriterState {
    async fn write(&mut self, messages: Vec<jetstream::Message>) {
        let items: Vec<Item> = messages
            .into_iter()
            .map(|message| {
                let envelope = codec::decode(message.headers.as_ref(), message.payload.clone())
                    .map_err(|e| e.to_string());
                Item { message, envelope }
            })
            .collect();

        match self.write_batch(&items).await {
            Ok(outcomes) => {
                self.metrics.writer_batches.inc();
                for outcome in &outcomes {
                    self.record(outcome);
                }
                if outcomes.iter().any(|(_, o)| changed(o)) {
                    self.relay.wake();
                }
                ack_all(&items).await;
            }
            Err(BatchFailure::Unreachable(reason)) => {
                tracing::warn!(messages = items.len(), reason = %reason, "PostgreSQL unreachable; batch will be redelivered");
                self.metrics.writer("retried", items.len() as u64);
                for item in &items {
                    let _ = item.message.ack_with(AckKind::Nak(Some(RETRY_DELAY))).await;
                }
            }
            Err(BatchFailure::Failed(reason)) => {
                tracing::debug!(messages = items.len(), reason = %reason, "batch failed; retrying message by message");
                for item in &items {
                    self.write_one(item).await;
                }
            }
        }
    }

    /// The whole batch in one transaction. Messages that cannot be decoded fail the batch so
    /// they are dead-lettered alone on the per-message path.
    async fn write_batch(&self, items: &[Item]) -> Result<Vec<(Envelope, Outcome)>, BatchFailure> {
        if items.iter().any(|i| i.envelope.is_err()) {
            return Err(BatchFailure::Failed("undecodable message in batch".into()));
        }
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| BatchFailure::Unreachable(e.to_string()))?;
        let tx = client.transaction().await.map_err(classify_db)?;
        // The envelopes between two barriers are issued at once and tokio-postgres pipelines
        // them on the connection: the server still runs them one after another in this
        // transaction, but the batch no longer waits a network round trip per statement.
        // Their apply order may interleave, which the store is built for (every write is
        // guarded by `updated_at`, tombstones and receipts, so any order lands on the same
        // rows). Compliance requests and uninstalls are barriers: a redaction must see every
        // write queued before it and none after it.
        let mut outcomes = Vec::with_capacity(items.len());
        let mut group: Vec<&Envelope> = Vec::with_capacity(items.len());
        for env in items.iter().filter_map(|i| i.envelope.as_ref().ok()) {
            if store::is_barrier(env) {
                apply_group(&tx, &mut group, &mut outcomes).await?;
                group.push(env);
                apply_group(&tx, &mut group, &mut outcomes).await?;
            } else {
                group.push(env);
            }
        }
        apply_group(&tx, &mut group, &mut outcomes).await?;
        tx.commit().await.map_err(classify_db)?;
        Ok(outcomes)
    }

    /// One message alone: applied, retried later, or dead-lettered.
    async fn write_one(&mut self, item: &Item) {
        let deliveries = item.deliveries();
        let failure = match &item.envelope {
            Err(reason) => Some((format!("undecodable message: {reason}"), true)),
            Ok(env) => match self.apply_alone(env).await {
                Ok(outcome) => {
                    if changed(&outcome) {
                        self.relay.wake();
                    }
                    self.record(&(env.clone(), outcome));
                    let _ = item.message.ack().await;
                    return;
                }
                Err(OneFailure::Unreachable(reason)) => {
                    tracing::warn!(reason = %reason, "PostgreSQL unreachable; message will be redelivered");
                    self.metrics.writer("retried", 1);
                    let _ = item.message.ack_with(AckKind::Nak(Some(RETRY_DELAY))).await;
                    return;
                }
                Err(OneFailure::Store(e)) => Some((e.to_string(), !e.is_retryable())),
            },
        };
        let Some((reason, permanent)) = failure else {
            return;
        };
        if !permanent && deliveries < self.max_deliveries {
            self.metrics.writer("retried", 1);
            let delay = RETRY_DELAY * (deliveries as u32).min(15);
            let _ = item.message.ack_with(AckKind::Nak(Some(delay))).await;
            return;
        }
        match self.dead_letter(item, &reason, deliveries).await {
            Ok(()) => {
                self.metrics.dead_letters.inc();
                self.metrics.writer("dead_lettered", 1);
                let env = item.envelope.as_ref().ok();
                tracing::error!(
                    shop = env.map(|e| e.shop_domain.as_str()).unwrap_or(""),
                    topic = env.map(|e| e.topic.as_str()).unwrap_or(""),
                    webhook_id = env.map(|e| e.webhook_id.as_str()).unwrap_or(""),
                    deliveries,
                    reason = %reason,
                    "message moved to dead_letters"
                );
                let _ = item.message.ack().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot write dead letter; message will be redelivered");
                let _ = item.message.ack_with(AckKind::Nak(Some(RETRY_DELAY))).await;
            }
        }
    }

    async fn apply_alone(&self, env: &Envelope) -> Result<Outcome, OneFailure> {
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| OneFailure::Unreachable(e.to_string()))?;
        let tx = client
            .transaction()
            .await
            .map_err(|e| OneFailure::Unreachable(e.to_string()))?;
        let outcome = store::apply(&tx, env).await.map_err(OneFailure::Store)?;
        tx.commit()
            .await
            .map_err(|e| OneFailure::Store(StoreError::from(e)))?;
        Ok(outcome)
    }

    async fn dead_letter(
        &self,
        item: &Item,
        reason: &str,
        deliveries: u64,
    ) -> Result<(), anyhow::Error> {
        let client = self.pool.get().await?;
        let env = item.envelope.as_ref().ok();
        dead_letters::insert(
            &**client,
            &dead_letters::DeadLetter {
                shop_domain: env.map(|e| e.shop_domain.clone()),
                msg_id: env.map(|e| e.webhook_id.clone()),
                subject: item.message.subject.to_string(),
                topic: env.map(|e| e.topic.to_string()),
                headers: codec::headers_json(item.message.headers.as_ref()),
                payload: item.message.payload.to_vec(),
                reason: reason.to_string(),
                deliveries: deliveries as i32,
            },
        )
        .await?;
        Ok(())
    }

    fn record(&mut self, (env, outcome): &(Envelope, Outcome)) {
        self.metrics.writer(outcome.label(), 1);
        match outcome {
            Outcome::Applied | Outcome::Stale | Outcome::Deleted | Outcome::Duplicate
                if env.source == Source::Webhook =>
            {
                if let Some(left_out) = self.activity.admit(Instant::now()) {
                    tracing::info!(
                        shop = %env.shop_domain,
                        topic = %env.topic,
                        webhook_id = %env.webhook_id,
                        outcome = outcome.label(),
                        left_out,
                        "webhook written"
                    );
                }
            }
            Outcome::UnknownTopic => tracing::warn!(
                shop = %env.shop_domain,
                topic = %env.topic,
                webhook_id = %env.webhook_id,
                "unknown topic: receipt kept, message acked"
            ),
            Outcome::Compliance(summary) => tracing::info!(
                shop = %env.shop_domain,
                topic = %env.topic,
                webhook_id = %env.webhook_id,
                summary = %summary,
                "compliance request handled"
            ),
            _ => {}
        }
    }
}

/// Whether `outcome` may have recorded a change in the outbox.
fn changed(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Applied | Outcome::Deleted)
}

enum OneFailure {
    Unreachable(String),
    Store(StoreError),
}

/// Applies `group` pipelined (see `write_batch`), appends the outcomes and empties it.
async fn apply_group(
    tx: &deadpool_postgres::Transaction<'_>,
    group: &mut Vec<&Envelope>,
    outcomes: &mut Vec<(Envelope, Outcome)>,
) -> Result<(), BatchFailure> {
    let results = futures::future::join_all(group.iter().map(|env| store::apply(tx, env))).await;
    for (env, result) in group.drain(..).zip(results) {
        match result {
            Ok(outcome) => outcomes.push((env.clone(), outcome)),
            Err(e) => return Err(BatchFailure::Failed(e.to_string())),
        }
    }
    Ok(())
}

fn classify_db(e: tokio_postgres::Error) -> BatchFailure {
    if e.is_closed() {
        BatchFailure::Unreachable(e.to_string())
    } else {
        BatchFailure::Failed(e.to_string())
    }
}

async fn ack_all(items: &[Item]) {
    for item in items {
        if let Err(e) = item.message.ack().await {
            // The commit stands; a lost ack only means a redelivery that the receipt or the
            // updated_at guard turns into a no-op.
            tracing::debug!(error = %e, "ack failed after commit");
        }
    }
}
