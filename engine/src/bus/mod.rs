//! NATS JetStream: the durable queue between the edges (webhooks, sync) and the writers.
//!
//! - [`names`]: every stream, subject and consumer name, derived from `[nats] stream`.
//! - [`codec`]: an [`Envelope`](crate::envelope::Envelope) as a NATS message and back.
//! - [`bridge`]: the JetStreamBridge actor that owns the connection, keeps the stream and
//!   consumer in place, and publishes with PubAck.

pub mod bridge;
pub mod codec;
pub mod names;

pub use bridge::{BridgeHandle, BridgeMsg, JetStreamBridge, PublishError};
