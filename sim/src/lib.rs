//! The Shopify simulator (`xeno sim`): a store that generates data, serves Shopify's Admin API
//! and sends webhooks, for demos, load tests and every integration test of the engine.
//!
//! Map of the crate:
//! - [`config`]: the `xeno sim` flags ([`SimArgs`]) and the plain [`SimConfig`].
//! - [`store`]: the in-memory store's objects, one module per resource; [`store::rest`]
//!   renders the REST JSON that webhooks, the export and the REST API share.
//! - [`generate`]: the seeded generator: the initial store (same seed, same bytes) and every
//!   random change, one module per resource.
//! - [`activity`]: live random changes at `--rate`, each announced by webhooks.
//! - [`webhooks`]: signed deliveries with retries, subscriptions and fault injection.
//! - [`bucket`]: Shopify's leaky bucket (GraphQL points, REST requests).
//! - [`graphql`]: the Admin GraphQL API (async-graphql schema, cost model, bulk operations).
//! - [`rest`]: the legacy REST Admin API.
//! - [`server`]: the axum router, `/_sim/summary` ([`summary`]) and `/_sim/export`.
//! - [`storage`]: signed URLs of bulk operation results, served like Shopify's storage.
//! - [`search`], [`shop_time`]: Shopify's search syntax and how it reads request times.
//! - [`access`]: faults and the token check every Admin API request passes first.
//! - [`state`]: [`Shared`], the state every part of a running simulator reads.
//! - [`handle`]: [`Sim::start`], the running [`SimHandle`], and [`run`] (`xeno sim`).
//! - [`load`]: `xeno load`, a webhook load generator with HDR latency percentiles.
//!
//! In-process use: [`Sim::start`] with a [`SimConfig`] returns a [`SimHandle`].
//!
//! What users of the simulator should know:
//! - Webhooks go to subscriptions only. `--webhook-url` (or [`SimHandle::set_webhook_url`])
//!   is a catch-all subscription for every topic that is never removed and does not show in
//!   `webhookSubscriptions`; `webhookSubscriptionCreate` adds per-topic ones, removed after 8
//!   failed attempts in a row. Without any subscription nothing is sent.
//! - Deleted objects vanish from GraphQL and REST, stay in `/_sim/export` with
//!   `"deleted":true` (see [`server`]) and are counted in `/_sim/summary`'s `deleted`.
//! - Every change moves the object's `updated_at` forward by at least a second; generated
//!   history lies in 2024, live changes use the wall clock.
//! - `X-Shopify-Webhook-Id` is shared by a delivery's retries and its injected duplicate;
//!   `X-Shopify-Event-Id` by all deliveries of one event.

#![recursion_limit = "256"]

pub mod access;
pub mod activity;
pub mod bucket;
pub mod config;
pub mod destroy_events;
pub mod generate;
pub mod graphql;
pub mod handle;
pub mod load;
pub mod rest;
pub mod search;
pub mod server;
pub mod shop_time;
pub mod state;
pub mod storage;
pub mod store;
pub mod summary;
pub mod webhooks;

pub use config::{BulkTiming, Plan, SimArgs, SimConfig};
pub use handle::{run, Sim, SimHandle};
pub use state::Shared;
pub use summary::{DeletedCounts, Summary};
pub use webhooks::WebhookStats;
