//! `Refund`, `RefundLineItem` and `OrderTransaction`: an order's refunds and money movements.

use std::sync::Arc;

use async_graphql::{Context, Enum, Error, Object, ID};

use crate::graphql::context::{nested, page_args};
use crate::graphql::paging::connection;
use crate::graphql::scalars::{bag, dt, DateTime, MoneyBag, UnsignedInt64};
use crate::graphql::types::line_item::LineItemNode;
use crate::store::order::{Order, Refund, Transaction};
use crate::store::rest::gid;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderTransactionKind {
    Authorization,
    Capture,
    Change,
    EmvAuthorization,
    Refund,
    Sale,
    SuggestedRefund,
    Void,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderTransactionStatus {
    AwaitingResponse,
    Error,
    Failure,
    Pending,
    Success,
    Unknown,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RefundLineItemRestockType {
    Cancel,
    LegacyRestock,
    NoRestock,
    Return,
}

/// `OrderTransaction`.
#[derive(Clone)]
pub struct TransactionNode {
    pub(crate) t: Transaction,
    pub(crate) currency: String,
}

#[Object(name = "OrderTransaction")]
impl TransactionNode {
    async fn id(&self) -> ID {
        ID(gid("OrderTransaction", self.t.id))
    }
    async fn kind(&self) -> OrderTransactionKind {
        match self.t.kind {
            "authorization" => OrderTransactionKind::Authorization,
            "capture" => OrderTransactionKind::Capture,
            "void" => OrderTransactionKind::Void,
            "refund" => OrderTransactionKind::Refund,
            _ => OrderTransactionKind::Sale,
        }
    }
    async fn status(&self) -> OrderTransactionStatus {
        match self.t.status {
            "success" => OrderTransactionStatus::Success,
            "pending" => OrderTransactionStatus::Pending,
            _ => OrderTransactionStatus::Failure,
        }
    }
    async fn gateway(&self) -> &str {
        &self.t.gateway
    }
    async fn test(&self) -> bool {
        false
    }
    async fn amount_set(&self) -> MoneyBag {
        bag(self.t.amount, &self.currency)
    }
    async fn created_at(&self) -> DateTime {
        dt(self.t.created_at)
    }
    async fn processed_at(&self) -> DateTime {
        dt(self.t.created_at)
    }
}

/// `RefundLineItem`.
#[derive(Clone)]
pub struct RefundLineItemNode {
    pub(crate) id: u64,
    pub(crate) quantity: u32,
    pub(crate) restock: bool,
    pub(crate) subtotal: rust_decimal::Decimal,
    pub(crate) total_tax: rust_decimal::Decimal,
    pub(crate) line_item: Option<LineItemNode>,
    pub(crate) currency: String,
}

#[Object(name = "RefundLineItem")]
impl RefundLineItemNode {
    async fn id(&self) -> ID {
        ID(gid("RefundLineItem", self.id))
    }
    async fn quantity(&self) -> i32 {
        self.quantity as i32
    }
    async fn restock_type(&self) -> RefundLineItemRestockType {
        if self.restock {
            RefundLineItemRestockType::Return
        } else {
            RefundLineItemRestockType::NoRestock
        }
    }
    async fn subtotal_set(&self) -> MoneyBag {
        bag(self.subtotal, &self.currency)
    }
    async fn total_tax_set(&self) -> MoneyBag {
        bag(self.total_tax, &self.currency)
    }
    async fn line_item(&self) -> Option<&LineItemNode> {
        self.line_item.as_ref()
    }
}

/// `Refund`.
#[derive(Clone)]
pub struct RefundNode {
    pub(crate) r: Refund,
    pub(crate) order: Arc<Order>,
    pub(crate) currency: String,
}

#[Object(name = "Refund")]
impl RefundNode {
    async fn id(&self) -> ID {
        ID(gid("Refund", self.r.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.r.id)
    }
    async fn note(&self) -> Option<&str> {
        self.r.note.as_deref()
    }
    async fn created_at(&self) -> Option<DateTime> {
        Some(dt(self.r.created_at))
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.r.processed_at)
    }
    async fn total_refunded_set(&self) -> MoneyBag {
        bag(self.r.amount(), &self.currency)
    }
    async fn refund_line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<RefundLineItemConnection, Error> {
        let items = self
            .r
            .refund_line_items
            .iter()
            .map(|rl| {
                let line = self
                    .order
                    .line_items
                    .iter()
                    .find(|l| l.id == rl.line_item_id)
                    .map(|l| LineItemNode {
                        l: l.clone(),
                        refunded: self.order.refunded_quantity(l.id),
                        currency: self.currency.clone(),
                    });
                (
                    rl.id,
                    RefundLineItemNode {
                        id: rl.id,
                        quantity: rl.quantity,
                        restock: self.r.restock,
                        subtotal: rl.subtotal,
                        total_tax: rl.total_tax,
                        line_item: line,
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<OrderTransactionConnection, Error> {
        let items = self
            .r
            .transactions
            .iter()
            .map(|t| {
                (
                    t.id,
                    TransactionNode {
                        t: t.clone(),
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
}

connection!(
    RefundLineItemConnection,
    RefundLineItemEdge,
    RefundLineItemNode
);
connection!(
    OrderTransactionConnection,
    OrderTransactionEdge,
    TransactionNode
);
