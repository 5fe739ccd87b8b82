//! The Admin GraphQL API at `POST /admin/api/{version}/graphql.json`: Shopify's own schema of
//! each version, executable.
//!
//! Bodies are JSON (`{query, variables, operationName}`) or a bare query with
//! `Content-Type: application/graphql`. The request's path through faults, token, cost and
//! bucket is in [`handler`]. The schema of a version is built from Shopify's published
//! introspection in [`admin`] (one generic resolver answers every field from JSON
//! projections of the store, [`project`]); the fields with behaviour of their own (roots,
//! mutations, filtered nested fields) are in [`roots`]; the schemas the state keeps in
//! [`executor`], their SDL in [`schema`]; the cost model in [`cost`]; bulk operations in
//! [`bulk`], paging in [`paging`], subscriptions in [`subscriptions`]; validation errors in
//! Shopify's words in [`validation`].

pub mod admin;
pub mod bulk;
pub mod cost;
pub mod executor;
pub mod handler;
pub mod paging;
pub mod project;
pub mod roots;
pub mod schema;
pub mod subscriptions;
pub mod validation;

pub use crate::access::{authorized, injected_fault, INVALID_TOKEN};
pub use executor::Api;
pub use handler::handler;
