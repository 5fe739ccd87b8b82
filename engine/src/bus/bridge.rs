//! The JetStreamBridge actor: owns the engine's JetStream context, keeps the stream and the
//! writers' durable consumer in place (idempotently, at start and until it succeeds), and
//! publishes envelopes, answering only once JetStream's PubAck says the message is durable.
//!
//! Callers use a [`BridgeHandle`], which survives restarts of the actor: the supervisor puts
//! the new actor's ref in the handle's slot.

use std::future::IntoFuture;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use thiserror::Error;

use super::codec;
use super::names::Names;
use crate::config::{NatsConfig, WriterConfig};
use crate::envelope::Envelope;
use crate::metrics::Metrics;
use crate::slot::Slot;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// NATS is not connected: answer 503 at once rather than buffer.
    #[error("JetStream unavailable: {0}")]
    Unavailable(String),
    /// No PubAck within the publish timeout.
    #[error("JetStream did not acknowledge within {0:?}")]
    Timeout(Duration),
    /// JetStream refused the message (stream full, no stream, too large).
    #[error("JetStream rejected the message: {0}")]
    Rejected(String),
}

/// What the PubAck said.
#[derive(Debug, Clone, Copy)]
pub struct Published {
    pub sequence: u64,
    /// JetStream recognised the `Nats-Msg-Id` inside its dedupe window.
    pub duplicate: bool,
}

pub struct JetStreamBridge;

pub enum BridgeMsg {
    /// Publish one envelope; the reply comes after the PubAck (or the failure).
    Publish {
        envelope: Envelope,
        reply: RpcReplyPort<Result<Published, PublishError>>,
    },
    /// Publish a stored message again exactly as given (a dead-letter replay: its original
    /// subject, headers and payload); the reply comes after the PubAck (or the failure).
    Republish {
        subject: String,
        headers: async_nats::HeaderMap,
        payload: bytes::Bytes,
        reply: RpcReplyPort<Result<Published, PublishError>>,
    },
    /// Create or update the stream and consumer if that has not succeeded yet (timer).
    Ensure,
}

pub struct BridgeArgs {
    pub client: async_nats::Client,
    pub names: Names,
    pub nats: NatsConfig,
    pub writer: WriterConfig,
    pub publish_timeout: Duration,
    pub metrics: Arc<Metrics>,
    pub ready: Arc<AtomicBool>,
}

pub struct BridgeState {
    client: async_nats::Client,
    js: jetstream::Context,
    names: Names,
    nats: NatsConfig,
    writer: WriterConfig,
    publish_timeout: Duration,
    metrics: Arc<Metrics>,
    ready: Arc<AtomicBool>,
    timer: tokio::task::JoinHandle<()>,
}

impl Actor for JetStreamBridge {
    type Msg = BridgeMsg;
    type State = BridgeState;
    type Arguments = BridgeArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let js = context(&args.client, args.publish_timeout);
        // Frequent: until the stream exists webhooks get 503, so set-up is retried quickly.
        let timer = myself.send_interval(Duration::from_millis(250), || BridgeMsg::Ensure);
        Ok(BridgeState {
            client: args.client,
            js,
            names: args.names,
            nats: args.nats,
            writer: args.writer,
            publish_timeout: args.publish_timeout,
            metrics: args.metrics,
            ready: args.ready,
            timer,
        })
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            BridgeMsg::Publish { envelope, reply } => state.publish(envelope, reply).await,
            BridgeMsg::Republish {
                subject,
                headers,
                payload,
                reply,
            } => state.send(subject, headers, payload, reply).await,
            BridgeMsg::Ensure => {
                if !state.ready.load(Ordering::Acquire)
                    && state.client.connection_state() == async_nats::connection::State::Connected
                {
                    match ensure_stream_and_consumer(
                        &state.js,
                        &state.names,
                        &state.nats,
                        &state.writer,
                    )
                    .await
                    {
                        Ok(()) => {
                            state.ready.store(true, Ordering::Release);
                            tracing::info!(stream = %state.names.stream, "JetStream stream and consumer ready");
                        }
                        Err(e) => {
                            tracing::warn!(stream = %state.names.stream, error = %e, "cannot set up the JetStream stream yet; retrying")
                        }
                    }
                }
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.timer.abort();
        // Bounded: with NATS down a flush would wait for a reconnect that may never come.
        let _ = tokio::time::timeout(Duration::from_secs(2), state.client.flush()).await;
        Ok(())
    }
}

impl BridgeState {
    async fn publish(
        &mut self,
        envelope: Envelope,
        reply: RpcReplyPort<Result<Published, PublishError>>,
    ) {
        let subject = self.names.subject(envelope.source, &envelope.shop_domain);
        let headers = codec::encode(&envelope);
        self.send(subject, headers, envelope.body, reply).await;
    }

    /// Publishes `payload` with `headers` on `subject` and replies after the PubAck.
    async fn send(
        &mut self,
        subject: String,
        headers: async_nats::HeaderMap,
        payload: bytes::Bytes,
        reply: RpcReplyPort<Result<Published, PublishError>>,
    ) {
        if self.client.connection_state() != async_nats::connection::State::Connected {
            self.metrics.publish_failures.inc();
            let _ = reply.send(Err(PublishError::Unavailable(
                "not connected to NATS".into(),
            )));
            return;
        }
        let timeout = self.publish_timeout;
        let sent = tokio::time::timeout(
            timeout,
            self.js.publish_with_headers(subject, headers, payload),
        )
        .await;
        let ack = match sent {
            Err(_) => {
                self.metrics.publish_failures.inc();
                let _ = reply.send(Err(PublishError::Timeout(timeout)));
                return;
            }
            Ok(Err(e)) => {
                self.metrics.publish_failures.inc();
                let _ = reply.send(Err(PublishError::Rejected(e.to_string())));
                return;
            }
            Ok(Ok(ack)) => ack,
        };
        // Waiting for the PubAck happens off the actor so publishes pipeline.
        let metrics = self.metrics.clone();
        tokio::spawn(async move {
            let result = match tokio::time::timeout(timeout, ack.into_future()).await {
                Err(_) => Err(PublishError::Timeout(timeout)),
                Ok(Err(e)) => Err(classify(e)),
                Ok(Ok(ack)) => Ok(Published {
                    sequence: ack.sequence,
                    duplicate: ack.duplicate,
                }),
            };
            match &result {
                Ok(_) => metrics.published.inc(),
                Err(_) => metrics.publish_failures.inc(),
            };
            let _ = reply.send(result);
        });
    }
}

fn classify(e: jetstream::context::PublishError) -> PublishError {
    use jetstream::context::PublishErrorKind as K;
    match e.kind() {
        K::TimedOut => PublishError::Timeout(Duration::ZERO),
        K::BrokenPipe | K::StreamNotFound => PublishError::Unavailable(e.to_string()),
        _ => PublishError::Rejected(e.to_string()),
    }
}

/// The JetStream context every part of the engine uses.
pub fn context(client: &async_nats::Client, timeout: Duration) -> jetstream::Context {
    jetstream::ContextBuilder::new()
        .timeout(timeout)
        .max_ack_inflight(8192)
        .build(client.clone())
}

/// Creates or updates the stream and the writers' durable consumer; safe to call from every
/// engine process at any time.
pub async fn ensure_stream_and_consumer(
    js: &jetstream::Context,
    names: &Names,
    nats: &NatsConfig,
    writer: &WriterConfig,
) -> Result<(), async_nats::Error> {
    let stream = js
        .create_or_update_stream(stream::Config {
            name: names.stream.clone(),
            // Updated in place on existing deployments (they captured `<stream>.>`), so the
            // change feed's stream can take `<stream>.changes.>`.
            subjects: names.stream_subjects(),
            // A work queue: a message leaves the stream once a writer acked it after commit.
            retention: stream::RetentionPolicy::WorkQueue,
            // When full, refuse new messages (the webhook gets 503 and Shopify retries)
            // rather than discard unwritten old ones.
            discard: stream::DiscardPolicy::New,
            storage: stream::StorageType::File,
            num_replicas: nats.replicas,
            duplicate_window: nats.duplicate_window,
            max_age: nats.max_age,
            ..Default::default()
        })
        .await?;
    let _ = stream;
    let stream = js.get_stream(&names.stream).await?;
    let consumer_config = consumer::pull::Config {
        durable_name: Some(names.writer_consumer()),
        ack_policy: consumer::AckPolicy::Explicit,
        ack_wait: writer.ack_wait,
        // Unlimited: the writers move a message that keeps failing to dead_letters
        // themselves, so JetStream never drops one silently.
        max_deliver: -1,
        max_ack_pending: writer.max_ack_pending() as i64,
        num_replicas: nats.replicas,
        ..Default::default()
    };
    stream
        .create_consumer(consumer_config)
        .await
        .map(|_| ())
        .map_err(Into::into)
}

/// Creates or updates the change feed's stream (`<stream>_changes`, `docs/change-feed.md`):
/// limits retention, so every consumer reads every change independently, for
/// `nats.changes_max_age`; the duplicate window dedupes the relay's republish after a crash.
/// Fails while the writers' stream still captures `<stream>.>` (a deployment from before the
/// feed, until [`ensure_stream_and_consumer`] narrowed it).
pub async fn ensure_changes_stream(
    js: &jetstream::Context,
    names: &Names,
    nats: &NatsConfig,
) -> Result<(), async_nats::Error> {
    js.create_or_update_stream(stream::Config {
        name: names.changes_stream(),
        subjects: vec![names.changes_subjects()],
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::Old,
        storage: stream::StorageType::File,
        num_replicas: nats.replicas,
        duplicate_window: nats.duplicate_window,
        max_age: nats.changes_max_age,
        ..Default::default()
    })
    .await?;
    Ok(())
}

/// A cheap, clonable way to reach the current JetStreamBridge, whichever restart it is.
#[derive(Clone)]
pub struct BridgeHandle {
    slot: Slot<BridgeMsg>,
    publish_timeout: Duration,
    ready: Arc<AtomicBool>,
}

impl BridgeHandle {
    pub fn new(slot: Slot<BridgeMsg>, publish_timeout: Duration, ready: Arc<AtomicBool>) -> Self {
        BridgeHandle {
            slot,
            publish_timeout,
            ready,
        }
    }

    /// Publishes and waits for the PubAck, bounded by the publish timeout.
    pub async fn publish(&self, envelope: Envelope) -> Result<Published, PublishError> {
        self.call(|reply| BridgeMsg::Publish { envelope, reply })
            .await
    }

    /// Publishes a stored message again as it was (dead-letter replay) and waits for the
    /// PubAck, bounded by the publish timeout.
    pub async fn republish(
        &self,
        subject: String,
        headers: async_nats::HeaderMap,
        payload: bytes::Bytes,
    ) -> Result<Published, PublishError> {
        self.call(|reply| BridgeMsg::Republish {
            subject,
            headers,
            payload,
            reply,
        })
        .await
    }

    async fn call(
        &self,
        msg: impl FnOnce(RpcReplyPort<Result<Published, PublishError>>) -> BridgeMsg,
    ) -> Result<Published, PublishError> {
        let Some(actor) = self.slot.get() else {
            return Err(PublishError::Unavailable("bridge is restarting".into()));
        };
        let deadline = self.publish_timeout + Duration::from_millis(200);
        match actor.call(msg, Some(deadline)).await {
            Ok(ractor::rpc::CallResult::Success(r)) => r,
            Ok(ractor::rpc::CallResult::Timeout) => Err(PublishError::Timeout(deadline)),
            Ok(ractor::rpc::CallResult::SenderError) => Err(PublishError::Unavailable(
                "bridge dropped the request".into(),
            )),
            Err(e) => Err(PublishError::Unavailable(format!(
                "bridge unreachable: {e}"
            ))),
        }
    }

    /// Whether the stream and consumer have been set up.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}
