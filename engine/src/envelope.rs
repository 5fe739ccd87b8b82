//! The unit of work that travels from the edges (webhook receiver, sync) through JetStream to
//! the UpsertWriter: Shopify's bytes exactly as received plus the metadata needed to apply them.
//!
//! Neighbours: `bus/codec.rs` encodes an `Envelope` as a NATS message (headers + payload) and
//! decodes it back; `store/mod.rs` applies it inside a transaction.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use xeno_shopify::Topic;

/// Where a record came from. Webhooks are deduplicated forever through `webhook_receipts`;
/// sync records are idempotent upserts and leave no receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Webhook,
    Sync,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Webhook => "webhook",
            Source::Sync => "sync",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "webhook" => Some(Source::Webhook),
            "sync" => Some(Source::Sync),
            _ => None,
        }
    }
}

/// The shape of `body`: the REST resource JSON Shopify sends in webhooks (snake_case,
/// numeric ids), or a GraphQL Admin node (camelCase, gid ids) rebuilt by the sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rest,
    Graphql,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Rest => "rest",
            Format::Graphql => "graphql",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "rest" => Some(Format::Rest),
            "graphql" => Some(Format::Graphql),
            _ => None,
        }
    }
}

/// One Shopify record or webhook delivery on its way to PostgreSQL.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// The shop's normalised `*.myshopify.com` domain.
    pub shop_domain: String,
    /// Shopify's topic (`orders/create`, …), parsed once where the envelope is built (the
    /// webhook receiver, the sync, the bus codec); a topic this engine does not know is kept
    /// verbatim as [`Topic::Unknown`]. Sync records use their resource's update topic
    /// (`orders/updated`, `customers/update`, `products/update`) or its delete topic.
    pub topic: Topic,
    /// `X-Shopify-Webhook-Id` for webhooks (the dedupe key); a synthetic id for sync records.
    pub webhook_id: String,
    /// `X-Shopify-Event-Id`: shared by every delivery of one merchant action.
    pub event_id: Option<String>,
    /// `X-Shopify-API-Version` of the payload.
    pub api_version: Option<String>,
    /// `X-Shopify-Triggered-At`, when Shopify says the event happened. Deletes use it as the
    /// tombstone time.
    pub triggered_at: Option<DateTime<Utc>>,
    pub source: Source,
    pub format: Format,
    /// The raw body, byte for byte as Shopify sent it (kept for dead letters and `raw`).
    pub body: Bytes,
}
