//! `LineItem` and `TaxLine`: an order's lines, read by `Order.lineItems` and by refunded lines.

use async_graphql::{Context, Object, SimpleObject, ID};

use crate::graphql::context::read_store;
use crate::graphql::paging::connection;
use crate::graphql::scalars::{bag, MoneyBag};
use crate::graphql::types::product::{ProductNode, VariantNode};
use crate::store::order::LineItem;
use crate::store::rest::gid;

/// `LineItem`.
#[derive(Clone)]
pub struct LineItemNode {
    pub(crate) l: LineItem,
    pub(crate) refunded: u32,
    pub(crate) currency: String,
}

#[Object(name = "LineItem")]
impl LineItemNode {
    async fn id(&self) -> ID {
        ID(gid("LineItem", self.l.id))
    }
    async fn name(&self) -> String {
        self.l.name()
    }
    async fn title(&self) -> &str {
        &self.l.title
    }
    async fn variant_title(&self) -> Option<&str> {
        self.l.variant_title.as_deref()
    }
    async fn sku(&self) -> Option<&str> {
        self.l.sku.as_deref()
    }
    async fn vendor(&self) -> Option<&str> {
        self.l.vendor.as_deref()
    }
    async fn quantity(&self) -> i32 {
        self.l.quantity as i32
    }
    async fn current_quantity(&self) -> i32 {
        (self.l.quantity - self.refunded) as i32
    }
    async fn refundable_quantity(&self) -> i32 {
        (self.l.quantity - self.refunded) as i32
    }
    async fn unfulfilled_quantity(&self) -> i32 {
        (self.l.quantity - self.l.fulfilled_quantity) as i32
    }
    async fn original_unit_price_set(&self) -> MoneyBag {
        bag(self.l.price, &self.currency)
    }
    async fn original_total_set(&self) -> MoneyBag {
        bag(
            self.l.price * rust_decimal::Decimal::from(self.l.quantity),
            &self.currency,
        )
    }
    async fn total_discount_set(&self) -> MoneyBag {
        bag(self.l.total_discount, &self.currency)
    }
    async fn tax_lines(&self, first: Option<i32>) -> Vec<TaxLine> {
        let n = first.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
        self.l
            .tax_lines
            .iter()
            .take(n)
            .map(|t| TaxLine {
                title: t.title.clone(),
                rate: t.rate.to_string().parse().ok(),
                price_set: bag(t.price, &self.currency),
            })
            .collect()
    }
    async fn product(&self, ctx: &Context<'_>) -> Option<ProductNode> {
        read_store(ctx)
            .products
            .get(&self.l.product_id?)
            .map(|p| ProductNode::new(p, &self.currency))
    }
    async fn variant(&self, ctx: &Context<'_>) -> Option<VariantNode> {
        let s = read_store(ctx);
        let p = s.products.get(&self.l.product_id?)?;
        let v = p
            .variants
            .iter()
            .find(|v| Some(v.id) == self.l.variant_id)?;
        Some(VariantNode {
            v: v.clone(),
            currency: self.currency.clone(),
        })
    }
}

/// `TaxLine`.
#[derive(Clone, SimpleObject)]
pub struct TaxLine {
    pub title: String,
    pub rate: Option<f64>,
    pub price_set: MoneyBag,
}

connection!(LineItemConnection, LineItemEdge, LineItemNode);
