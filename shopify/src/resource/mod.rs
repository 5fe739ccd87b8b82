//! The resource seam: the Shopify resources the engine syncs and stores, each described once.
//!
//! A resource module holds everything Shopify-side about one resource: its [`ResourceSpec`]
//! (topics, GraphQL type, count field, node fields and nested children, from which
//! `documents.rs` builds the bulk, page and node queries) and its parsers from a REST webhook
//! body and from a GraphQL node into the typed rows of [`crate::model`]. The engine's
//! `engine/src/store/resources/` holds the matching SQL, one module per resource; the sync and
//! the writer dispatch on [`Resource`] and never name a resource themselves.
//!
//! Adding a resource: a module here (spec, documents' fields, parsers), its rows in
//! `model.rs`, a variant of [`Resource`], a module in `engine/src/store/resources/`, a
//! migration in `sql/`, and a generator in the simulator. See `docs/architecture.md`.
//!
//! Shared reading rules (both formats):
//! - **Money** is read from strings (`"199.00"`) or JSON numbers (`199.0`), exactly (no
//!   float rounding: the number's JSON text is parsed as a decimal). Sums use checked
//!   arithmetic and report an overflow as an error.
//! - **`updated_at` is required** for orders, customers and products: it is the out-of-order
//!   guard, so a value that is not a timestamp (the GraphQL snapshot fixture has `"redacted"`)
//!   is an error rather than a made-up time.
//! - GraphQL nodes map to REST spellings: ids from `legacyResourceId`, else the gid's suffix;
//!   money from `…Set.shopMoney`; enums lowercased; tag arrays joined with `", "`. Children
//!   come as connections (`{edges:[{node}]}` or `{nodes:[…]}`, paged queries) or plain arrays
//!   (rebuilt from bulk JSONL); both shapes are accepted.

pub mod customers;
pub mod documents;
pub mod locations;
mod order_details;
pub mod orders;
pub mod products;
pub mod spec;
pub mod transactions;

use std::fmt;

use crate::topic::Topic;
use spec::ResourceSpec;

/// A Shopify resource the engine syncs and stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Customers,
    Products,
    Orders,
    Locations,
}

impl Resource {
    /// Every resource, in the order a sync run visits them (orders refer to customers and
    /// products; locations refer to nothing and come last, so the resources existing stores
    /// already had keep their place).
    pub const ALL: [Resource; 4] = [
        Resource::Customers,
        Resource::Products,
        Resource::Orders,
        Resource::Locations,
    ];

    /// The resource's description.
    pub fn spec(self) -> &'static ResourceSpec {
        match self {
            Resource::Customers => &customers::SPEC,
            Resource::Products => &products::SPEC,
            Resource::Orders => &orders::SPEC,
            Resource::Locations => &locations::SPEC,
        }
    }

    /// The plural name of its table, topics, `sync_state.resource` and GraphQL root field.
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The resource named `name` (as [`Resource::as_str`] spells it).
    pub fn from_name(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Topic {
    /// The resource whose records the topic carries (`refunds/create` belongs to orders);
    /// `None` for topics about no stored resource (app, bulk operations, compliance) and for
    /// unknown topics.
    pub fn resource(&self) -> Option<Resource> {
        Resource::ALL
            .into_iter()
            .find(|r| r.spec().topics.contains(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_topic_maps_back_to_its_resource() {
        for r in Resource::ALL {
            let spec = r.spec();
            assert_eq!(Resource::from_name(spec.name), Some(r));
            assert_eq!(spec.update_topic.resource(), Some(r));
            assert_eq!(spec.delete_topic.resource(), Some(r));
            assert!(spec.delete_topic.is_delete());
            for t in spec.topics {
                assert_eq!(t.resource(), Some(r), "{t}");
            }
        }
        assert_eq!(Topic::RefundsCreate.resource(), Some(Resource::Orders));
        assert_eq!(Topic::CustomersRedact.resource(), None);
        assert_eq!(Topic::AppUninstalled.resource(), None);
        assert_eq!(Topic::Unknown("orders/x".into()).resource(), None);
    }
}
