//! The fields with behaviour of their own, as the custom-resolver table the schema builder
//! takes (`graphql/admin/build.rs`): the `QueryRoot` entry points ([`query`]), the `Mutation`s
//! ([`mutation`]) and the few nested fields whose arguments do more than page ([`nested`]).
//! Every other field is answered generically from the projections (`graphql/project/`).

pub mod mutation;
pub mod nested;
pub mod query;

use crate::graphql::admin::table::Table;

/// Every custom resolver, by `(type, field)`.
pub fn table() -> Table {
    let mut t = Table::new();
    query::register(&mut t);
    mutation::register(&mut t);
    nested::register(&mut t);
    t
}
