//! Every HTTP handler of the engine, one file per group of routes; the routes themselves are
//! listed once, in `engine/src/http/router.rs`.
//!
//! - [`webhook`]: `POST /api/webhooks`, Shopify's deliveries (HMAC, publish, 200 after PubAck).
//! - [`probes`]: `/healthz`, `/readyz`, `/metrics` (no token).
//! - [`shops`], [`sync_status`], [`sync`], [`analytics`], [`events`], [`health`],
//!   [`completeness`], [`dead_letters`]: the JSON API and the live log the dashboard reads.
//! - [`assets`]: the embedded dashboard.
//! - [`openapi`]: `GET /api/openapi.json`, the API's OpenAPI 3.1 document, generated from the
//!   `#[utoipa::path]` each handler carries (no token).
//!
//! Helpers the handlers share: [`auth`] (bearer tokens and shop scoping), [`params`] (query
//! parameters), [`error`] (4xx/5xx JSON answers). Every `/api/…` route but the webhook needs
//! a bearer token and only ever shows the shops that token may see. Handlers reach the engine
//! through `engine/src/http/state.rs` and keep SQL out: queries live in `engine/src/store/`
//! and `engine/src/analytics/`. Response bodies are the types of the `xeno-api-types` crate
//! (`api-types/`), which the dashboard decodes.

pub mod analytics;
pub mod assets;
pub mod auth;
pub mod completeness;
pub mod dead_letters;
pub mod error;
pub mod events;
pub mod health;
pub mod openapi;
pub mod params;
pub mod probes;
pub mod shops;
pub mod sync;
pub mod sync_status;
pub mod webhook;
