//! Shopify's own Admin GraphQL schema, executable: for each API version, the schema is built
//! at first use from Shopify's published introspection of that version
//! ([`introspection`]: `@shopify/dev-mcp`'s `admin_<version>.json.gz`), so every type, field,
//! argument, default and enum value is Shopify's ([`build`]). Objects are JSON built from the
//! store (`graphql/project/`) and answered by one generic resolver ([`resolve`]), with values
//! made up for what the simulator keeps no data behind ([`synth`]); the roots and the few
//! fields with behaviour (paging with search and sort keys, mutations) have their own
//! resolvers (`graphql/roots/`), handed in as a table.

pub mod build;
pub mod builder;
pub mod catalog;
pub mod introspection;
pub mod resolve;
pub mod synth;
pub mod table;
