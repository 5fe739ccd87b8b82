//! The store's objects as the Admin schema sees them: JSON objects keyed by Shopify's field
//! names (`__typename` first), which the generic resolver (`graphql/admin/resolve.rs`)
//! answers from ([`values`] holds the shapes they share). One module per resource; what a field of Shopify's type has no key for here
//! is answered null or made up for its type. Related objects that can be reached in cycles
//! (a line item's product) are `{"__ref": gid}`, looked up by [`lookup::by_gid`] only when selected.

pub mod app;
pub mod customer;
pub mod location;
pub mod lookup;
pub mod order;
pub mod product;
pub mod values;

pub use values::{bag, money, present, reference, ts};
