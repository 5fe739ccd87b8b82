//! FeedWebhooks: delivers the change feed (`docs/change-feed.md`) to each `[[feed_webhooks]]`
//! target as signed HTTP POSTs, for systems that take webhooks rather than read JetStream.
//!
//! Each target has its own durable consumer on the feed's stream (`<stream>_hook_<name>`),
//! so it resumes where it stopped across restarts and processes, and reads changes in stream
//! order. A change is POSTed as published (the feed's JSON body), signed like the engine's
//! alerts (`X-Xeno-Timestamp`, `X-Xeno-Signature: sha256=<hex HMAC(secret,
//! "<timestamp>.<body>")>`, `engine/src/alerts/message.rs`) with its `seq` in
//! `X-Xeno-Change-Seq`. A refused delivery (no answer, non-2xx) is retried in place with
//! back-off (1 s doubling, at most 30 s) while the message is kept in progress, so a target
//! never sees a later change before an earlier one; after `max_attempts` the change is
//! recorded in `feed_dead_letters` (`engine/src/store/feed_dead_letters.rs`) and the target
//! moves on. At least once: a crash before the ack redelivers the change.
//!
//! One actor holds one task per target (a slow target never delays another); the root
//! supervisor (`engine/src/supervisor.rs`) starts it, and its stop aborts the tasks.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, AckKind};
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures::StreamExt;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use serde::Deserialize;

use crate::alerts::message::{signature, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::bus::names::Names;
use crate::config::FeedWebhook;
use crate::metrics::Metrics;
use crate::store::feed_dead_letters::{self, FeedDeadLetter};

/// The header carrying the change's feed sequence number (the receiver's dedupe key).
pub const SEQ_HEADER: &str = "X-Xeno-Change-Seq";
/// The longest pause between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Messages the actor handles (none: its tasks do the work until it stops).
#[derive(Debug)]
pub enum FeedWebhooksMsg {}

pub struct FeedWebhooks;

pub struct FeedWebhooksArgs {
    pub targets: Vec<FeedWebhook>,
    pub js: jetstream::Context,
    pub names: Names,
    pub pool: Pool,
    pub metrics: Arc<Metrics>,
}

pub struct FeedWebhooksState {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Actor for FeedWebhooks {
    type Msg = FeedWebhooksMsg;
    type State = FeedWebhooksState;
    type Arguments = FeedWebhooksArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let tasks = args
            .targets
            .iter()
            .map(|target| {
                let delivery = Delivery {
                    target: target.clone(),
                    js: args.js.clone(),
                    names: args.names.clone(),
                    pool: args.pool.clone(),
                    metrics: args.metrics.clone(),
                    http: http.clone(),
                };
                tokio::spawn(delivery.run())
            })
            .collect();
        Ok(FeedWebhooksState { tasks })
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        for task in &state.tasks {
            task.abort();
        }
        Ok(())
    }
}

/// The fields of a change message a delivery needs (the rest is passed on as is).
#[derive(Deserialize)]
struct ChangeHead {
    seq: i64,
    shop: String,
    resource: String,
    id: i64,
    deleted: bool,
    updated_at: DateTime<Utc>,
}

/// One target's delivery loop.
struct Delivery {
    target: FeedWebhook,
    js: jetstream::Context,
    names: Names,
    pool: Pool,
    metrics: Arc<Metrics>,
    http: reqwest::Client,
}

impl Delivery {
    /// Reads and delivers forever; a lost connection or a missing stream is retried.
    async fn run(self) {
        loop {
            if let Err(e) = self.consume().await {
                tracing::warn!(target = %self.target.name, error = %e, "feed webhook consumer interrupted; retrying");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    async fn consume(&self) -> Result<(), async_nats::Error> {
        let stream = self.js.get_stream(self.names.changes_stream()).await?;
        let durable = format!("{}_hook_{}", self.names.stream, self.target.name);
        let consumer: consumer::PullConsumer = stream
            .get_or_create_consumer(
                &durable,
                consumer::pull::Config {
                    durable_name: Some(durable.clone()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    // Redelivered only after a crash: retries happen in place.
                    ack_wait: Duration::from_secs(60),
                    // One at a time, so a target sees changes in the feed's order.
                    max_ack_pending: 1,
                    max_deliver: -1,
                    ..Default::default()
                },
            )
            .await?;
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(1)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await?;
        while let Some(message) = messages.next().await {
            let message = message?;
            self.deliver(&message).await;
            message.ack().await?;
        }
        Ok(())
    }

    /// Delivers one change (or skips one the target does not want); returns once it was
    /// taken or dead-lettered.
    async fn deliver(&self, message: &jetstream::Message) {
        let head: ChangeHead = match serde_json::from_slice(&message.payload) {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(target = %self.target.name, subject = %message.subject, error = %e, "not a change message; skipped");
                return;
            }
        };
        if !self.target.wants(&head.resource) {
            return;
        }
        let mut backoff = Duration::from_secs(1);
        let mut last_error = String::new();
        for attempt in 1..=self.target.max_attempts {
            match self.post(&head, &message.payload).await {
                Ok(()) => {
                    self.metrics.feed_webhook(&self.target.name, "delivered");
                    return;
                }
                Err(e) => {
                    last_error = e;
                    self.metrics.feed_webhook(&self.target.name, "refused");
                    tracing::debug!(target = %self.target.name, seq = head.seq, attempt, error = %last_error, "feed webhook refused");
                }
            }
            if attempt < self.target.max_attempts {
                // Keep the message ours while waiting (no redelivery behind our back).
                let _ = message.ack_with(AckKind::Progress).await;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
        self.dead_letter(&head, &last_error).await;
    }

    /// One POST; an error says why without the URL (a credential).
    async fn post(&self, head: &ChangeHead, body: &[u8]) -> Result<(), String> {
        let now = Utc::now().timestamp();
        let answer = self
            .http
            .post(self.target.url.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, now.to_string())
            .header(
                SIGNATURE_HEADER,
                signature(self.target.secret.expose().as_bytes(), now, body),
            )
            .header(SEQ_HEADER, head.seq.to_string())
            .body(body.to_vec())
            .send()
            .await;
        match answer {
            Ok(a) if a.status().is_success() => Ok(()),
            Ok(a) => Err(format!("HTTP {}", a.status().as_u16())),
            Err(e) if e.is_timeout() => Err("timed out".into()),
            Err(e) if e.is_connect() => Err("cannot connect".into()),
            Err(_) => Err("request failed".into()),
        }
    }

    /// Records a change the target never took; logged as an error either way.
    async fn dead_letter(&self, head: &ChangeHead, reason: &str) {
        self.metrics
            .feed_webhook(&self.target.name, "dead_lettered");
        tracing::error!(target = %self.target.name, seq = head.seq, shop = %head.shop, resource = %head.resource, id = head.id, attempts = self.target.max_attempts, reason, "feed webhook gave up on a change: recorded in feed_dead_letters");
        let record = FeedDeadLetter {
            target: &self.target.name,
            seq: head.seq,
            shop: &head.shop,
            resource: &head.resource,
            entity_id: head.id,
            deleted: head.deleted,
            updated_at: head.updated_at,
            attempts: self.target.max_attempts as i32,
            reason,
        };
        // Until PostgreSQL takes the record, the change is not let go.
        loop {
            let stored = match self.pool.get().await {
                Ok(client) => feed_dead_letters::insert(&**client, &record)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match stored {
                Ok(_) => return,
                Err(e) => {
                    tracing::warn!(target = %self.target.name, error = %e, "cannot record a feed dead letter yet");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }
}
