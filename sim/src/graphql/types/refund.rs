//! `Refund`, `RefundLineItem` and `OrderTransaction`: an order's refunds and money movements.

use std::sync::Arc;

use async_graphql::{Context, Enum, Error, Object, ID};

use crate::graphql::context::{nested, page_args, unstable_only};
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
    async fn gateway(&self) -> Option<&str> {
        Some(self.t.gateway.as_str()).filter(|g| !g.is_empty())
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
    async fn processed_at(&self) -> Option<DateTime> {
        Some(dt(self.t.created_at))
    }
}

/// An authorization that went through and that no successful capture or void has closed yet:
/// money that can still be captured.
pub fn is_capturable(t: &Transaction, all: &[Transaction]) -> bool {
    t.kind == "authorization"
        && t.status == "success"
        && !all.iter().any(|c| {
            c.parent_id == Some(t.id)
                && c.status == "success"
                && (c.kind == "capture" || c.kind == "void")
        })
}

/// A transaction still pending at the gateway, which a merchant may resolve by hand; settled
/// (captured, voided, failed) ones are not.
pub fn is_manually_resolvable(t: &Transaction) -> bool {
    t.status == "pending"
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
    async fn id(&self) -> Option<ID> {
        Some(ID(gid("RefundLineItem", self.id)))
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
    /// Never null: a refunded line refers to a line of its order; an error only if the
    /// store lost it.
    async fn line_item(&self) -> Result<&LineItemNode, Error> {
        self.line_item
            .as_ref()
            .ok_or_else(|| Error::new(format!("Line item of refund line {} not found", self.id)))
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
    /// `includeIncompleteTransactions` (only in `unstable` so far): the simulated store's
    /// refund transactions all complete at once, so both readings are the same amount.
    async fn total_refunded_set(
        &self,
        #[graphql(visible = "unstable_only")] include_incomplete_transactions: Option<bool>,
    ) -> MoneyBag {
        let _ = include_incomplete_transactions;
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
