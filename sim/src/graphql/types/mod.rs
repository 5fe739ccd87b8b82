//! The GraphQL object types, one module per Shopify resource, each the view of one store
//! module (`store/customer.rs`, `store/product.rs`, `store/order.rs`) with its connection.
//! The roots that reach them are `graphql/query_root.rs` and `graphql/node.rs`; a new resource
//! adds its module here and its generator in `generate/`.

pub mod customer;
pub mod line_item;
pub mod order;
pub mod product;
pub mod refund;
pub mod shop;
