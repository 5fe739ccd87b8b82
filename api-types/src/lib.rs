//! The bodies of the engine's JSON API, defined once: the engine (`engine/src/api/`)
//! serialises these types and the dashboard (`dashboard/src/api.rs`) decodes the same ones,
//! so a renamed or retyped field breaks the build or `cli/tests/api_contract.rs`, never a
//! number on screen.
//!
//! One module per group of routes (the routes are listed in `engine/src/http/router.rs`).
//! Every struct refuses unknown fields when decoded, except [`analytics::StatsResponse`],
//! which flattens its current period (serde cannot combine the two); the contract test
//! checks it by re-encoding. Depends on serde, serde_json and chrono (without its clock), so
//! it builds for `wasm32-unknown-unknown`.

pub mod analytics;
pub mod completeness;
pub mod dead_letters;
pub mod doctor;
pub mod error;
pub mod health;
pub mod live;
pub mod shops;
pub mod sync;

/// The time types of these bodies, for users that do not depend on chrono themselves.
pub use chrono;
