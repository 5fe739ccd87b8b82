//! The xeno engine: keeps a PostgreSQL copy of Shopify stores current and shows it live.
//!
//! This crate is the library only: the `xeno` binary (command line, demo, simulator
//! subcommands) is the `cli/` crate, which depends on this one and on `xeno-sim`; this crate
//! never links the simulator. The flow, the guarantees and the layout are in
//! `docs/architecture.md`.
//!
//! Data flow:
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
//! [`api`] (handlers), [`log_sink`], [`metrics`], [`ops_probe`] (the gauges the alert rules
//! need: dependencies up, open dead letters, the stream's fill), [`db`] (pool, migrations), [`doctor`] (why a
//! shop does not sync: `xeno doctor` and the health API).
//! `testkit` (a private database per test, unique stream names) exists only in this crate's
//! tests and with the `testkit` feature, which `cli/`'s black-box tests and the benchmark
//! suite turn on.

pub mod alerts;
pub mod analytics;
pub mod api;
pub mod bus;
pub mod config;
pub mod db;
pub mod doctor;
pub mod engine;
pub mod envelope;
pub mod feed;
pub mod http;
pub mod log_sink;
pub mod metrics;
pub mod ops_probe;
pub mod process_registry;
pub mod slot;
pub mod store;
pub mod supervision;
pub mod supervisor;
pub mod sync;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod webhook;
pub mod writer;
