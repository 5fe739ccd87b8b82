//! Admin API sync: each shop's history (backfill) and every change webhooks missed
//! (reconciliation), published into JetStream like webhooks and written by the same
//! UpsertWriters, at the speed the shop's rate-limit budget allows.
//!
//! Map of the module:
//! - [`supervisor`]: the SyncSupervisor, one [`shop_sync::SyncActor`] per configured shop.
//! - [`shop_sync`]: the SyncActor: lease, schedule, runs as tasks, restarts.
//! - [`run`]: one sync run over the shop's resources, with its checkpoints; [`selection`]:
//!   which resources those are (the shop's `resources` and the token's scopes).
//! - [`context`]: what a run needs and how it publishes; [`mode`], [`error`], [`node`].
//! - [`bulk`]: bulk operations (backfill, deletion sweep), streamed JSONL.
//! - [`incremental`]: paged `updated_at` queries with overlap (reconciliation, bulk fallback).
//! - [`graphql_client`] and [`bucket`]: cost-aware Admin GraphQL calls; [`queries`]: the
//!   documents that belong to no resource (bulk operations, subscriptions). A resource's own
//!   documents come from its spec (`shopify/src/resource/documents.rs`).
//! - [`checkpoint`] (`sync_state`), [`lease`] (`sync_leases`), [`progress`] (`sync_runs`),
//!   [`completeness`] (Shopify's counts beside the stored ones, after every run).
//! - [`subscriptions`]: keeps the shop's webhook subscriptions alive; [`scopes`]: the access
//!   scopes the shop granted (a backfill warns without `read_all_orders`).
//! - [`api_check`]: every document the sync sends, checked against Shopify's published schema.
//! - [`standalone`] (`xeno sync` outside an engine); `POST /api/sync` is served by
//!   `engine/src/api/sync.rs`.
//!
//! Neighbours: publishes through `crate::bus::bridge::BridgeHandle` (checkpoints only after
//! the PubAck); the writer applies the GraphQL nodes through the resource seam
//! (`engine/src/store/resources/`).

pub mod api_check;
pub mod bucket;
pub mod bulk;
pub mod checkpoint;
pub mod completeness;
pub mod context;
pub mod error;
pub mod graphql_client;
pub mod incremental;
pub mod lease;
pub mod mode;
pub mod node;
pub mod progress;
pub mod queries;
pub mod run;
pub mod scopes;
pub mod selection;
pub mod shop_sync;
pub mod standalone;
pub mod subscriptions;
pub mod supervisor;

pub use context::SyncContext;
pub use error::SyncError;
pub use mode::SyncMode;
