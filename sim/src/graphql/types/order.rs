//! `Order`: the GraphQL view of `store/order.rs` with its money sets, addresses, customer,
//! lines, refunds and transactions, and the `OrderConnection` that `orders`
//! (`graphql/query_root.rs`) pages.

use std::sync::Arc;

use async_graphql::{Context, Enum, Error, Object, SimpleObject, ID};

use crate::graphql::codes::CurrencyCode;
use crate::graphql::context::{materialize, nested, page_args, read_store, shared};
use crate::graphql::paging::{connection, paginate, sort_keys, sort_value, PageArgs, SearchFilter};
use crate::graphql::scalars::{bag, dt, money, DateTime, MoneyBag, UnsignedInt64};
use crate::graphql::types::customer::{CustomerNode, MailingAddress};
use crate::graphql::types::line_item::{LineItemConnection, LineItemNode, TaxLine};
use crate::graphql::types::refund::{
    is_capturable, is_manually_resolvable, RefundNode, TransactionNode,
};
use crate::store::order::Order;
use crate::store::rest::gid;
use crate::store::visibility::OrderVisibility;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderDisplayFinancialStatus {
    Pending,
    Authorized,
    PartiallyPaid,
    PartiallyRefunded,
    Voided,
    Paid,
    Refunded,
    Expired,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderDisplayFulfillmentStatus {
    Unfulfilled,
    PartiallyFulfilled,
    Fulfilled,
    Restocked,
    PendingFulfillment,
    Open,
    InProgress,
    OnHold,
    Scheduled,
    RequestDeclined,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderCancelReason {
    Customer,
    Declined,
    Fraud,
    Inventory,
    Other,
    Staff,
}

/// `ShippingLine`.
#[derive(Clone, SimpleObject)]
pub struct ShippingLine {
    pub title: String,
    pub code: Option<String>,
    pub original_price_set: MoneyBag,
}

/// `Order`.
#[derive(Clone)]
pub struct OrderNode {
    pub(crate) o: Arc<Order>,
    pub(crate) currency: String,
}

impl OrderNode {
    pub(crate) fn new(o: &Order, currency: &str) -> Self {
        OrderNode {
            o: Arc::new(o.clone()),
            currency: currency.to_string(),
        }
    }
    /// `amount` in the shop's currency and in the order's presentment currency at its rate.
    pub(crate) fn bag(&self, amount: rust_decimal::Decimal) -> MoneyBag {
        let mut b = bag(amount, &self.currency);
        b.presentment_money = money(
            amount * self.o.presentment_rate,
            &self.o.presentment_currency,
        );
        b
    }
}

#[Object(name = "Order")]
impl OrderNode {
    pub async fn id(&self) -> ID {
        ID(gid("Order", self.o.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.o.id)
    }
    async fn name(&self) -> &str {
        &self.o.name
    }
    async fn email(&self) -> Option<&str> {
        self.o.email.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.o.note.as_deref()
    }
    async fn tags(&self) -> &[String] {
        &self.o.tags
    }
    async fn test(&self) -> bool {
        false
    }
    async fn confirmed(&self) -> bool {
        true
    }
    async fn closed(&self) -> bool {
        self.o.closed_at.is_some()
    }
    async fn created_at(&self) -> DateTime {
        dt(self.o.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.o.updated_at)
    }
    async fn processed_at(&self) -> DateTime {
        dt(self.o.processed_at)
    }
    async fn closed_at(&self) -> Option<DateTime> {
        self.o.closed_at.map(dt)
    }
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.o.cancelled_at.map(dt)
    }
    async fn cancel_reason(&self) -> Option<OrderCancelReason> {
        self.o.cancel_reason.map(|r| match r {
            "customer" => OrderCancelReason::Customer,
            "fraud" => OrderCancelReason::Fraud,
            "inventory" => OrderCancelReason::Inventory,
            "declined" => OrderCancelReason::Declined,
            "staff" => OrderCancelReason::Staff,
            _ => OrderCancelReason::Other,
        })
    }
    async fn display_financial_status(&self) -> Option<OrderDisplayFinancialStatus> {
        use OrderDisplayFinancialStatus as S;
        Some(match self.o.financial_status {
            "authorized" => S::Authorized,
            "paid" => S::Paid,
            "partially_paid" => S::PartiallyPaid,
            "partially_refunded" => S::PartiallyRefunded,
            "refunded" => S::Refunded,
            "voided" => S::Voided,
            _ => S::Pending,
        })
    }
    async fn display_fulfillment_status(&self) -> OrderDisplayFulfillmentStatus {
        match self.o.fulfillment_status() {
            Some("fulfilled") => OrderDisplayFulfillmentStatus::Fulfilled,
            Some(_) => OrderDisplayFulfillmentStatus::PartiallyFulfilled,
            None => OrderDisplayFulfillmentStatus::Unfulfilled,
        }
    }
    async fn currency_code(&self) -> CurrencyCode {
        CurrencyCode::of(&self.currency)
    }
    async fn presentment_currency_code(&self) -> CurrencyCode {
        CurrencyCode::of(&self.o.presentment_currency)
    }
    async fn discount_codes(&self) -> Vec<String> {
        self.o
            .discount_codes
            .iter()
            .map(|d| d.code.clone())
            .collect()
    }
    async fn total_price_set(&self) -> MoneyBag {
        self.bag(self.o.total_price())
    }
    async fn current_total_price_set(&self) -> MoneyBag {
        self.bag(self.o.total_price() - self.o.total_refunded())
    }
    async fn subtotal_price_set(&self) -> Option<MoneyBag> {
        Some(self.bag(self.o.subtotal_price()))
    }
    async fn total_tax_set(&self) -> Option<MoneyBag> {
        Some(self.bag(self.o.total_tax()))
    }
    async fn total_discounts_set(&self) -> Option<MoneyBag> {
        Some(self.bag(self.o.total_discounts))
    }
    async fn total_shipping_price_set(&self) -> MoneyBag {
        self.bag(self.o.total_shipping())
    }
    async fn total_refunded_set(&self) -> MoneyBag {
        self.bag(self.o.total_refunded())
    }
    async fn tax_lines(&self) -> Vec<TaxLine> {
        vec![TaxLine {
            title: "State Tax".into(),
            rate: self.o.tax_rate.to_string().parse().ok(),
            price_set: self.bag(self.o.total_tax()),
        }]
    }
    async fn shipping_line(&self) -> Option<ShippingLine> {
        self.o.shipping_lines.first().map(|s| ShippingLine {
            title: s.title.clone(),
            code: Some(s.code.clone()).filter(|c| !c.is_empty()),
            original_price_set: self.bag(s.price),
        })
    }
    async fn billing_address(&self) -> Option<MailingAddress> {
        self.o.billing_address.as_ref().map(MailingAddress::from)
    }
    async fn shipping_address(&self) -> Option<MailingAddress> {
        self.o.shipping_address.as_ref().map(MailingAddress::from)
    }
    async fn customer(&self) -> Option<CustomerNode> {
        self.o
            .customer
            .as_ref()
            .map(|c| CustomerNode::new(c, &self.currency))
    }
    async fn line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<LineItemConnection, Error> {
        let items = self
            .o
            .line_items
            .iter()
            .map(|l| {
                (
                    l.id,
                    LineItemNode {
                        l: l.clone(),
                        refunded: self.o.refunded_quantity(l.id),
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
    async fn refunds(&self, first: Option<i32>) -> Vec<RefundNode> {
        let n = first.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
        self.o
            .refunds
            .iter()
            .take(n)
            .map(|r| RefundNode {
                r: r.clone(),
                order: self.o.clone(),
                currency: self.currency.clone(),
            })
            .collect()
    }
    /// `capturable` keeps (or drops) the authorizations still open for capture, and
    /// `manuallyResolvable` the transactions still pending at the gateway
    /// (`graphql/types/refund.rs`).
    async fn transactions(
        &self,
        first: Option<i32>,
        capturable: Option<bool>,
        manually_resolvable: Option<bool>,
    ) -> Vec<TransactionNode> {
        let n = first.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
        let all = &self.o.transactions;
        all.iter()
            .filter(|t| capturable.is_none_or(|want| is_capturable(t, all) == want))
            .filter(|t| manually_resolvable.is_none_or(|want| is_manually_resolvable(t) == want))
            .take(n)
            .map(|t| TransactionNode {
                t: t.clone(),
                currency: self.currency.clone(),
            })
            .collect()
    }
}

connection!(OrderConnection, OrderEdge, OrderNode);

sort_keys!(OrderSortKeys);

/// One page of `orders` (`graphql/query_root.rs`): filtered by the search query, sorted by the
/// sort key, ids paged first and only the page cloned.
pub fn connection(
    ctx: &Context<'_>,
    args: PageArgs,
    sort_key: OrderSortKeys,
    query: Option<&str>,
) -> Result<OrderConnection, Error> {
    let filter = SearchFilter::parse(query);
    let key = sort_key.flags();
    let visible = OrderVisibility::of(&shared(ctx).config);
    let items = {
        let s = read_store(ctx);
        s.orders
            .values()
            .filter(|o| visible.shows(o.created_at))
            .filter(|o| filter.matches(o.id, o.created_at, o.updated_at))
            .map(|o| (sort_value(key, o.id, o.created_at, o.updated_at), o.id))
            .collect()
    };
    let page = paginate(ctx, items, args)?;
    Ok(materialize(ctx, page, |s, id| {
        s.orders
            .get(&id)
            .map(|x| OrderNode::new(x, &s.shop.currency))
    })
    .into())
}
