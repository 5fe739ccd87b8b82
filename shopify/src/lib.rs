//! Shopify's wire formats, defined once for the engine and the simulator.
//!
//! - [`signature`]: webhook HMAC signing and constant-time verification.
//! - [`domain`], [`topic`], [`headers`]: what identifies a delivery.
//! - [`model`] and [`parse`]: REST and GraphQL payloads normalised into the typed rows the
//!   engine writes to PostgreSQL.
//! - [`throttle`]: the GraphQL cost extension both sides speak.

pub mod domain;
pub mod headers;
pub mod model;
pub mod parse;
pub mod signature;
pub mod throttle;
pub mod topic;

pub use domain::{normalize_shop_domain, DomainError};
pub use model::{CustomerRow, LineItemRow, OrderRow, ProductRow, RefundRow, VariantRow};
pub use parse::PayloadError;
pub use topic::{Resource, Topic};
