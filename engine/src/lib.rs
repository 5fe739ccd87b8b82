//! The xeno engine: keeps a PostgreSQL copy of Shopify stores current and shows it live.
//!
//! Data flow (see DESIGN.md):
//! ```text
//! Shopify --webhook--> api::webhook --HMAC--> bus::bridge.publish --PubAck--> 200
//! sync (per shop) --GraphQL--> bus::bridge.publish (checkpoint after PubAck)
//! JetStream durable consumer --> writer::consumer --> writer::upsert_writer pool
//!     --one transaction per batch--> store --> ack
//! every actor --tracing--> log_sink --> event_log + live stream --> dashboard
//! ```
//! Modules: [`config`] (TOML, validated at load), [`engine`] (start/stop), [`supervisor`]
//! and [`supervision`] (restart policy), [`bus`] (JetStream), [`webhook`], [`writer`],
//! [`store`] (SQL), [`analytics`] (rollups and figures), [`http`] (state, router, server) and
//! [`api`] (handlers), [`log_sink`], [`metrics`], [`db`] (pool, migrations).

pub mod analytics;
pub mod api;
pub mod bus;
pub mod config;
pub mod db;
pub mod demo;
pub mod engine;
pub mod envelope;
pub mod http;
pub mod log_sink;
pub mod metrics;
pub mod slot;
pub mod store;
pub mod supervision;
pub mod supervisor;
pub mod sync;
pub mod testkit;
pub mod webhook;
pub mod writer;
