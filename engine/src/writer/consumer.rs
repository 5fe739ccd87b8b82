//! The IngestConsumer actor: pulls from the writers' durable JetStream consumer and hands
//! batches to the UpsertWriter pool.
//!
//! Batching adapts to load: the first message is awaited, then whatever else has already
//! arrived joins it (up to `batch_size`), so a lone webhook is written at once and a flood is
//! written in large transactions. A semaphore bounds the batches in flight, so a slow
//! PostgreSQL slows the pulling instead of filling memory; unacked messages stay in JetStream.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, consumer::pull};
use futures::stream::ReadyChunks;
use futures::StreamExt;
use ractor::factory::{FactoryMessage, Job, JobOptions};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::sync::Semaphore;

use super::upsert_writer::WriteBatch;
use crate::bus::bridge::BridgeHandle;
use crate::bus::names::Names;

type MessageStream = Pin<Box<ReadyChunks<pull::Stream>>>;

pub struct IngestConsumer;

pub enum ConsumerMsg {
    /// Pull the next batch (the actor sends this to itself after each batch).
    Pull,
}

pub struct ConsumerArgs {
    pub js: jetstream::Context,
    pub names: Names,
    pub bridge: BridgeHandle,
    pub writers: ActorRef<FactoryMessage<(), WriteBatch>>,
    pub batch_size: usize,
    /// Batches handed to writers and not yet finished.
    pub in_flight: Arc<Semaphore>,
}

pub struct ConsumerState {
    args: ConsumerArgs,
    messages: Option<MessageStream>,
}

impl Actor for IngestConsumer {
    type Msg = ConsumerMsg;
    type State = ConsumerState;
    type Arguments = ConsumerArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        myself.cast(ConsumerMsg::Pull)?;
        Ok(ConsumerState {
            args,
            messages: None,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            ConsumerMsg::Pull => {
                state.pull_once().await;
                myself.cast(ConsumerMsg::Pull)?;
            }
        }
        Ok(())
    }
}

impl ConsumerState {
    /// One step: make sure a message stream exists, wait for a free writer slot, take what has
    /// arrived. Every wait is bounded so the actor stays responsive to stop requests.
    async fn pull_once(&mut self) {
        if self.messages.is_none() {
            if !self.args.bridge.is_ready() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
            match self.open().await {
                Ok(stream) => self.messages = Some(stream),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot open the writers' consumer; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    return;
                }
            }
        }
        let Ok(Ok(permit)) = tokio::time::timeout(
            Duration::from_millis(500),
            self.args.in_flight.clone().acquire_owned(),
        )
        .await
        else {
            return;
        };
        let stream = self.messages.as_mut().expect("opened above");
        let chunk = match tokio::time::timeout(Duration::from_millis(500), stream.next()).await {
            Err(_) => return,
            Ok(None) => {
                tracing::warn!("writers' consumer stream ended; reopening");
                self.messages = None;
                return;
            }
            Ok(Some(chunk)) => chunk,
        };
        let mut batch = Vec::with_capacity(chunk.len());
        for item in chunk {
            match item {
                Ok(m) => batch.push(m),
                Err(e) => {
                    tracing::debug!(error = %e, "pull error");
                }
            }
        }
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            return;
        }
        let job = Job {
            key: (),
            msg: WriteBatch {
                messages: batch,
                permit,
            },
            options: JobOptions::default(),
            accepted: None,
        };
        if let Err(e) = self.args.writers.cast(FactoryMessage::Dispatch(job)) {
            // The pool is gone (shutting down): the messages stay unacked and JetStream
            // redelivers them after ack_wait.
            tracing::warn!(error = %e, "writer pool unavailable");
        }
    }

    async fn open(&self) -> Result<MessageStream, async_nats::Error> {
        let stream = self.args.js.get_stream(&self.args.names.stream).await?;
        let consumer: jetstream::consumer::PullConsumer = stream
            .get_consumer(&self.args.names.writer_consumer())
            .await?;
        let messages = consumer
            .stream()
            .max_messages_per_batch(self.args.batch_size)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await?;
        Ok(Box::pin(messages.ready_chunks(self.args.batch_size)))
    }
}
