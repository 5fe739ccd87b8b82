//! [`ResourceSpec`]: what the engine needs to know about one Shopify resource to sync it and
//! store it. Each resource module (`customers.rs`, `orders.rs`, `products.rs`) declares one;
//! `documents.rs` turns it into the GraphQL documents the sync sends.

use crate::topic::Topic;

/// One Shopify resource, described once.
#[derive(Debug)]
pub struct ResourceSpec {
    /// The plural name of its table, its topics' prefix, `sync_state.resource` and its
    /// GraphQL root field (`orders`).
    pub name: &'static str,
    /// The GraphQL type of one node (`Order`).
    pub graphql_type: &'static str,
    /// The GraphQL root field that counts the shop's objects (`ordersCount`).
    pub count_field: &'static str,
    /// The access scope that reads it (`read_orders`); `xeno doctor` checks the token has it.
    pub read_scope: &'static str,
    /// Every webhook topic about the resource or its children, in Shopify's order.
    pub topics: &'static [Topic],
    /// The topic a synced record travels under.
    pub update_topic: Topic,
    /// The topic whose body carries only the deleted record's id.
    pub delete_topic: Topic,
    /// The root fields of one node, without its nested connection: exactly the fields the
    /// module's `*_from_graphql` parser reads.
    pub node_fields: &'static str,
    /// The child records queried as a connection of the node (line items, variants).
    pub nested: Option<Nested>,
    /// Further connections inside `node_fields` (an order's `shippingLines`): a bulk query
    /// returns their nodes as lines of their own, which the sync gathers back under `field`
    /// by their `__typename` (which `node_fields` must select).
    pub inline_connections: &'static [InlineConnection],
    /// Append-only children kept in a table of their own whose arrival does not always move
    /// the parent's `updatedAt` in the stored copy (an order's transactions come by their own
    /// webhook): reconciliation lists their ids beside each node's `updatedAt` and refetches a
    /// node whose stored children are fewer.
    pub appended: Option<Appended>,
    /// The requested cost of one node with its first page of children, by Shopify's rules
    /// (objects 1, money bags 2, a nested connection 2 + 10 × its node).
    pub node_cost: f64,
    /// How the root field lists the resource (sort key, search, extra arguments).
    pub listing: Listing,
}

/// How a resource's root field lists it. Most roots sort by `UPDATED_AT` and filter with
/// `query: "updated_at:>=…"`, so an incremental read asks only for what changed; a root without
/// that sort key (`locations` sorts by `NAME` or `ID` only) is listed whole, ids and
/// `updatedAt` first, and only the objects that differ from the stored copy are fetched.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    /// Whether the root takes `sortKey: UPDATED_AT` and `query: "updated_at:>=…"`.
    pub by_updated_at: bool,
    /// Arguments every listing of the root carries, paged or bulk (`includeInactive: true`:
    /// Shopify lists only active locations by default, and a deactivated one is not deleted).
    pub args: &'static str,
}

impl Listing {
    /// Sorted by `UPDATED_AT`, filtered on `updated_at`, no other argument.
    pub const BY_UPDATED_AT: Listing = Listing {
        by_updated_at: true,
        args: "",
    };
}

/// A node's append-only children (see [`ResourceSpec::appended`]).
#[derive(Debug, Clone, Copy)]
pub struct Appended {
    /// The node's list field (`transactions`).
    pub field: &'static str,
    /// Their table (`order_transactions`) and its column naming the parent (`order_id`).
    pub table: &'static str,
    pub parent_column: &'static str,
}

/// A connection selected inside a node's fields (see [`ResourceSpec::inline_connections`]).
#[derive(Debug, Clone, Copy)]
pub struct InlineConnection {
    /// The node's connection field (`shippingLines`).
    pub field: &'static str,
    /// The `__typename`s of its nodes (`ShippingLine`; an interface's implementations).
    pub typenames: &'static [&'static str],
}

/// A node's nested connection.
#[derive(Debug, Clone, Copy)]
pub struct Nested {
    /// The connection's field on the node (`lineItems`).
    pub field: &'static str,
    /// The fields of one child node.
    pub fields: &'static str,
}
