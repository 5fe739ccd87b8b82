//! Shopify's wire formats, defined once for the engine and the simulator. No I/O.
//!
//! - [`signature`]: webhook HMAC signing and constant-time verification.
//! - [`domain`], [`topic`], [`headers`]: what identifies a delivery.
//! - [`resource`]: the resource seam, one module per synced resource (its topics, GraphQL
//!   documents, and parsers from REST and GraphQL into the typed rows of [`model`]).
//! - [`notices`]: the webhook bodies that are not records (deletes, compliance, bulk finish).
//! - [`fields`] and [`error`]: how loosely a value may be typed, and [`PayloadError`].
//! - [`parse`]: every parser in one list.
//! - [`throttle`]: the GraphQL cost extension both sides speak.
//! - [`versions`]: the Admin API versions Shopify supports; [`schema`]: its Admin schema from
//!   the published introspection, and the check of a document against it.

pub mod artifacts;
pub mod domain;
pub mod error;
pub(crate) mod fields;
pub mod headers;
pub mod model;
pub mod notices;
pub mod parse;
pub mod resource;
pub mod schema;
pub mod signature;
pub mod throttle;
pub mod topic;
pub mod versions;

pub use domain::{normalize_shop_domain, DomainError};
pub use error::PayloadError;
pub use model::{
    CustomerRow, DiscountApplication, LineItemRow, LocationRow, NoteAttribute, OrderDetails,
    OrderRow, ProductRow, RefundRow, ShippingLine, TaxLine, TransactionRow, VariantRow,
};
pub use resource::spec::ResourceSpec;
pub use resource::Resource;
pub use topic::Topic;
