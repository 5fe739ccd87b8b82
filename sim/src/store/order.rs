//! An order with everything Shopify embeds in it (lines, shipping, discounts, transactions,
//! refunds, fulfillments) and the totals derived from them. Created and walked through its
//! lifecycle by `generate/orders.rs` and `generate/payments.rs`; rendered by `store/rest.rs`
//! and `graphql/project/order.rs`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::customer::{Address, Customer};

/// A tax charged on a line item (and summed on the order).
#[derive(Debug, Clone)]
pub struct TaxLine {
    pub title: String,
    pub rate: Decimal,
    pub price: Decimal,
}

/// One line of an order.
///
/// A custom line item (a charge the merchant typed in, not a product of the catalogue) has no
/// product, variant, variant title, SKU or vendor: Shopify sends them as `null` in REST and its
/// Admin schema declares `LineItem.product`, `variant`, `variantTitle`, `sku` and `vendor`
/// nullable.
#[derive(Debug, Clone)]
pub struct LineItem {
    pub id: u64,
    pub product_id: Option<u64>,
    pub variant_id: Option<u64>,
    pub title: String,
    pub variant_title: Option<String>,
    pub sku: Option<String>,
    pub vendor: Option<String>,
    /// False for digital goods and services: an order of such lines only has no shipping
    /// address and no shipping lines.
    pub requires_shipping: bool,
    pub quantity: u32,
    pub price: Decimal,
    pub grams: u32,
    pub total_discount: Decimal,
    pub tax_lines: Vec<TaxLine>,
    /// Units already fulfilled.
    pub fulfilled_quantity: u32,
}

impl LineItem {
    /// Shopify's line name: the title, with the variant's after a dash when there is one.
    pub fn name(&self) -> String {
        match &self.variant_title {
            Some(variant) => format!("{} - {variant}", self.title),
            None => self.title.clone(),
        }
    }
}

/// A shipping line of an order.
#[derive(Debug, Clone)]
pub struct ShippingLine {
    pub id: u64,
    pub title: String,
    pub code: String,
    pub price: Decimal,
}

/// A discount code used on an order.
#[derive(Debug, Clone)]
pub struct DiscountCode {
    pub code: String,
    /// `percentage` or `fixed_amount`.
    pub kind: &'static str,
    /// The money it took off the order.
    pub amount: Decimal,
    /// The code's face value: the percentage (`10` for 10 %) or the fixed amount (Shopify's
    /// `discount_applications[].value`).
    pub nominal: Decimal,
}

impl DiscountCode {
    /// REST's `value` of its discount application: `"10.0"` for a percentage, the amount with
    /// the currency's decimals for a fixed one.
    pub fn nominal_text(&self, money: impl Fn(Decimal) -> String) -> String {
        if self.kind == "percentage" {
            format!("{:.1}", self.nominal)
        } else {
            money(self.nominal)
        }
    }
}

/// A money movement of an order.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: u64,
    pub order_id: u64,
    /// `authorization`, `capture`, `sale`, `void` or `refund`.
    pub kind: &'static str,
    pub status: &'static str,
    pub amount: Decimal,
    pub gateway: String,
    pub parent_id: Option<u64>,
    pub created_at: DateTime<Utc>,
}

/// One refunded line of a refund.
#[derive(Debug, Clone)]
pub struct RefundLineItem {
    pub id: u64,
    pub line_item_id: u64,
    pub quantity: u32,
    pub subtotal: Decimal,
    pub total_tax: Decimal,
}

/// A refund of (part of) an order.
#[derive(Debug, Clone)]
pub struct Refund {
    pub id: u64,
    pub order_id: u64,
    pub note: Option<String>,
    pub restock: bool,
    pub refund_line_items: Vec<RefundLineItem>,
    pub transactions: Vec<Transaction>,
    pub created_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
}

impl Refund {
    /// Money given back by this refund.
    pub fn amount(&self) -> Decimal {
        self.transactions.iter().map(|t| t.amount).sum()
    }
}

/// A shipment of some units of an order.
#[derive(Debug, Clone)]
pub struct Fulfillment {
    pub id: u64,
    pub order_id: u64,
    pub status: &'static str,
    pub tracking_company: String,
    pub tracking_number: String,
    /// `(line_item_id, quantity)` shipped.
    pub lines: Vec<(u64, u32)>,
    pub created_at: DateTime<Utc>,
}

/// An order with everything Shopify embeds in it.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub number: u64,
    pub name: String,
    /// `None` on a guest order placed without an email (at a point of sale, or a draft order
    /// completed by the merchant).
    pub email: Option<String>,
    /// The customer as it was when the order last changed (what Shopify embeds); `None` on a
    /// guest order.
    pub customer: Option<Customer>,
    pub billing_address: Option<Address>,
    /// `None`, with no shipping lines, when no line requires shipping (digital goods).
    pub shipping_address: Option<Address>,
    pub line_items: Vec<LineItem>,
    pub shipping_lines: Vec<ShippingLine>,
    /// The currency the buyer saw and paid in (Shopify Markets): the shop's own currency, or
    /// another one at [`Order::presentment_rate`] units per unit of the shop's.
    pub presentment_currency: String,
    /// Presentment units per shop unit (1 when the currencies are the same).
    pub presentment_rate: Decimal,
    pub discount_codes: Vec<DiscountCode>,
    pub tax_rate: Decimal,
    pub total_discounts: Decimal,
    /// `pending`, `authorized`, `paid`, `partially_refunded`, `refunded` or `voided`.
    pub financial_status: &'static str,
    pub transactions: Vec<Transaction>,
    pub refunds: Vec<Refund>,
    pub fulfillments: Vec<Fulfillment>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<&'static str>,
    pub closed_at: Option<DateTime<Utc>>,
    pub gateway: String,
    pub note: Option<String>,
    /// `(name, value)` pairs the buyer or an app added at checkout (REST `note_attributes`,
    /// GraphQL `customAttributes`).
    pub note_attributes: Vec<(String, String)>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Order {
    /// Sum of price × quantity over the lines.
    pub fn total_line_items_price(&self) -> Decimal {
        self.line_items
            .iter()
            .map(|l| l.price * Decimal::from(l.quantity))
            .sum()
    }
    /// Line items less discounts.
    pub fn subtotal_price(&self) -> Decimal {
        self.total_line_items_price() - self.total_discounts
    }
    /// Sum of the line items' taxes.
    pub fn total_tax(&self) -> Decimal {
        self.line_items
            .iter()
            .flat_map(|l| &l.tax_lines)
            .map(|t| t.price)
            .sum()
    }
    /// Sum of the shipping lines.
    pub fn total_shipping(&self) -> Decimal {
        self.shipping_lines.iter().map(|s| s.price).sum()
    }
    /// What the customer was charged: subtotal + tax + shipping.
    pub fn total_price(&self) -> Decimal {
        self.subtotal_price() + self.total_tax() + self.total_shipping()
    }
    /// Money given back by all refunds.
    pub fn total_refunded(&self) -> Decimal {
        self.refunds.iter().map(Refund::amount).sum()
    }
    /// Units of a line already refunded.
    pub fn refunded_quantity(&self, line_item_id: u64) -> u32 {
        self.refunds
            .iter()
            .flat_map(|r| &r.refund_line_items)
            .filter(|r| r.line_item_id == line_item_id)
            .map(|r| r.quantity)
            .sum()
    }
    /// `null`, `partial` or `fulfilled` (REST spelling; `None` is unfulfilled).
    pub fn fulfillment_status(&self) -> Option<&'static str> {
        let ordered: u32 = self.line_items.iter().map(|l| l.quantity).sum();
        let shipped: u32 = self.line_items.iter().map(|l| l.fulfilled_quantity).sum();
        if shipped == 0 {
            None
        } else if shipped >= ordered {
            Some("fulfilled")
        } else {
            Some("partial")
        }
    }
}
