//! The Admin GraphQL API at `POST /admin/api/{version}/graphql.json`.
//!
//! Bodies are JSON (`{query, variables, operationName}`) or a bare query with
//! `Content-Type: application/graphql`. The request's path through faults, token, cost and
//! bucket is in [`handler`]; the schema in [`schema`] with its roots ([`query_root`],
//! [`mutation_root`]), one object type per resource in [`types`] and `Node` in [`node`]; what
//! resolvers read from the context in [`context`]; the schema handle the state keeps in
//! [`executor`]; the cost model in [`cost`]; bulk operations in [`bulk`], paging in [`paging`],
//! subscriptions in [`subscriptions`], scalars and money in [`scalars`], Shopify's `CurrencyCode` and `CountryCode` in [`codes`]; validation errors in
//! Shopify's words in [`validation`].

pub mod bulk;
pub mod codes;
pub mod context;
pub mod cost;
pub mod executor;
pub mod handler;
pub mod mutation_root;
pub mod node;
pub mod paging;
pub mod query_root;
pub mod scalars;
pub mod schema;
pub mod subscriptions;
pub mod types;
pub mod validation;

pub use crate::access::{authorized, injected_fault, INVALID_TOKEN};
pub use context::ApiVersion;
pub use executor::Api;
pub use handler::handler;
