//! The analytics API, black box: tokens and their shops, every route, bad parameters,
//! rollup-based figures against the raw tables, the live stream and dead-letter replay,
//! against the machine's real PostgreSQL and NATS (each test in its own database and stream).
//!
//! One test binary, a file per topic: [`access`] (tokens, routes, parameters), [`figures`]
//! (rollups against the raw tables), [`live`] (webhooks, the event stream, dead-letter
//! replay); [`support`] holds what they share.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod figures;
mod live;
mod support;
