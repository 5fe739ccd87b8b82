//! The `Node` interface and `node`/`nodes` lookups by global id, across every type with one.

use async_graphql::{Context, Interface, ID};

use crate::graphql::bulk::operation::BulkOperation;
use crate::graphql::context::{read_store, shared};
use crate::graphql::subscriptions::WebhookSubscriptionNode;
use crate::graphql::types::customer::CustomerNode;
use crate::graphql::types::order::OrderNode;
use crate::graphql::types::product::{ProductNode, VariantNode};
use crate::store::rest::parse_gid;
use crate::store::visibility::OrderVisibility;
use crate::webhooks::lock;

/// `Node`: anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Order(OrderNode),
    Customer(CustomerNode),
    Product(ProductNode),
    ProductVariant(VariantNode),
    BulkOperation(BulkOperation),
    WebhookSubscription(WebhookSubscriptionNode),
}

/// The object a global id names, if it exists.
pub fn node_by_gid(ctx: &Context<'_>, id: &str) -> Option<Node> {
    let (ty, num) = parse_gid(id)?;
    let visible = OrderVisibility::of(&shared(ctx).config);
    let s = read_store(ctx);
    let cur = s.shop.currency.clone();
    match ty {
        "Order" => s
            .orders
            .get(&num)
            .filter(|o| visible.shows(o.created_at))
            .map(|o| Node::Order(OrderNode::new(o, &cur))),
        "Customer" => s
            .customers
            .get(&num)
            .map(|c| Node::Customer(CustomerNode::new(c, &cur))),
        "Product" => s
            .products
            .get(&num)
            .map(|p| Node::Product(ProductNode::new(p, &cur))),
        "ProductVariant" => s
            .products
            .values()
            .find_map(|p| p.variants.iter().find(|v| v.id == num))
            .map(|v| {
                Node::ProductVariant(VariantNode {
                    v: v.clone(),
                    currency: cur,
                })
            }),
        "BulkOperation" => {
            drop(s);
            lock(&shared(ctx).bulk).get(num).map(Node::BulkOperation)
        }
        "WebhookSubscription" => {
            drop(s);
            lock(shared(ctx).webhooks.subscriptions())
                .list()
                .iter()
                .find(|w| w.id == num && w.api_managed)
                .map(|w| Node::WebhookSubscription(WebhookSubscriptionNode(w.clone())))
        }
        _ => None,
    }
}
