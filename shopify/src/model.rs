//! Typed rows, one field per column of the resource tables in `sql/` (see `sql/README.md`),
//! built by the parsers of [`crate::resource`] from either payload format and written by the
//! engine's store (`engine/src/store/resources/`).
//!
//! Money is an exact [`Decimal`] next to its ISO currency code; times are UTC; ids are
//! Shopify's numeric ids. The bookkeeping columns (`shop_domain`, `deleted_at`,
//! `redacted_at`, `ingested_at`) and the `raw` JSON of top-level entities belong to the
//! store, which has the envelope; [`RefundRow::raw`] and [`TransactionRow::raw`] are carried
//! because refunds and transactions are often children of an order payload.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// A row of `orders`, with its children.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRow {
    pub id: i64,
    /// Display name, e.g. `#1001`.
    pub name: Option<String>,
    /// REST `order_number`; for GraphQL nodes, the digits of a `#1234` name.
    pub order_number: Option<i64>,
    pub email: Option<String>,
    pub customer_id: Option<i64>,
    /// Shop currency every money column below is in.
    pub currency: Option<String>,
    /// The currency the buyer was shown and paid in: the shop's, or another one (Shopify
    /// Markets). REST `presentment_currency`; GraphQL `totalPriceSet.presentmentMoney`.
    pub presentment_currency: Option<String>,
    /// `total_price` in [`OrderRow::presentment_currency`].
    pub presentment_total_price: Option<Decimal>,
    /// Comma-separated, as REST sends them.
    pub tags: Option<String>,
    pub note: Option<String>,
    /// The channel: REST `source_name`, GraphQL `sourceName` (`web`, `pos`, an app's handle).
    pub source_name: Option<String>,
    /// The discount codes used, in order (empty when none).
    pub discount_codes: Vec<String>,
    /// ISO country codes of the billing and shipping addresses.
    pub billing_country_code: Option<String>,
    pub shipping_country_code: Option<String>,
    pub total_price: Option<Decimal>,
    pub subtotal_price: Option<Decimal>,
    pub total_tax: Option<Decimal>,
    pub total_discounts: Option<Decimal>,
    /// `total_shipping_price_set.shop_money`, else the sum of `shipping_lines`.
    pub total_shipping: Option<Decimal>,
    /// Sum of [`OrderRow::refunds`] (or GraphQL `totalRefundedSet`); zero when none.
    pub total_refunded: Decimal,
    /// REST spelling (`paid`, `partially_refunded`, …), GraphQL enums lowercased.
    pub financial_status: Option<String>,
    /// REST spelling (`fulfilled`, `partial`, `restocked`, or `None` when unfulfilled).
    pub fulfillment_status: Option<String>,
    pub cancel_reason: Option<String>,
    pub test: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub processed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Shopify's last change: the out-of-order guard.
    pub updated_at: DateTime<Utc>,
    pub line_items: Vec<LineItemRow>,
    pub refunds: Vec<RefundRow>,
    /// The order's transactions when the payload lists them (GraphQL nodes do; REST order
    /// bodies do not, `order_transactions/create` brings each one).
    pub transactions: Vec<TransactionRow>,
    /// The order's tax lines, shipping lines, note attributes and discount applications (the
    /// JSONB columns of the same names).
    pub details: OrderDetails,
}

/// The lists of an order kept as JSONB arrays of typed objects, spelled the same whichever
/// format they were read from (`shopify/src/resource/order_details.rs`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct OrderDetails {
    pub tax_lines: Vec<TaxLine>,
    pub shipping_lines: Vec<ShippingLine>,
    /// Personal data: erased by `customers/redact`, like the note.
    pub note_attributes: Vec<NoteAttribute>,
    pub discount_applications: Vec<DiscountApplication>,
}

/// A discount applied to the order (a code, an automatic discount, a manual one, a script):
/// REST `discount_applications[]`, GraphQL `discountApplications`. Enums in REST's lowercase
/// spelling.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiscountApplication {
    /// `discount_code`, `automatic`, `manual` or `script` (GraphQL's `__typename`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The code used, for a `discount_code`.
    pub code: Option<String>,
    /// The discount's title (automatic, manual and script discounts).
    pub title: Option<String>,
    /// The merchant's description (manual discounts).
    pub description: Option<String>,
    /// The percentage (`10.0` for 10 %) or the fixed amount, per `value_type`.
    pub value: Option<Decimal>,
    /// `percentage` or `fixed_amount`.
    pub value_type: Option<String>,
    /// `across`, `each` or `one`.
    pub allocation_method: Option<String>,
    /// `all`, `entitled` or `explicit`.
    pub target_selection: Option<String>,
    /// `line_item` or `shipping_line`.
    pub target_type: Option<String>,
}

/// A tax charged on the order: REST `tax_lines[]`, GraphQL `taxLines`. Money as exact
/// decimal strings in the shop's currency.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TaxLine {
    pub title: Option<String>,
    /// The rate as a fraction (`0.06` for 6 %).
    pub rate: Option<Decimal>,
    pub price: Option<Decimal>,
    pub currency: Option<String>,
}

/// A shipping line of the order: REST `shipping_lines[]`, GraphQL `shippingLines`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ShippingLine {
    pub id: Option<i64>,
    pub title: Option<String>,
    pub code: Option<String>,
    /// Who rated it (`shopify`, a carrier service's name).
    pub source: Option<String>,
    /// Before discounts (REST `price`, GraphQL `originalPriceSet`).
    pub price: Option<Decimal>,
    /// After discounts (REST `discounted_price`, GraphQL `discountedPriceSet`).
    pub discounted_price: Option<Decimal>,
    pub currency: Option<String>,
    /// Removed by an order edit (REST lists such lines; the sync asks GraphQL to include
    /// them), false when the payload does not say.
    pub is_removed: bool,
}

/// A note attribute of the order (a key/value the buyer or an app added at checkout): REST
/// `note_attributes[]` `{name, value}`, GraphQL `customAttributes` `{key, value}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NoteAttribute {
    pub name: String,
    pub value: Option<String>,
}

/// A row of `order_transactions`: immutable in Shopify, so written once.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionRow {
    pub id: i64,
    pub order_id: i64,
    /// The authorization a capture settles, the sale a refund returns.
    pub parent_id: Option<i64>,
    /// `authorization`, `capture`, `sale`, `void`, `refund` (GraphQL enums lowercased).
    pub kind: Option<String>,
    /// `success`, `failure`, `pending`, `error`.
    pub status: Option<String>,
    pub gateway: Option<String>,
    pub amount: Option<Decimal>,
    pub currency: Option<String>,
    pub error_code: Option<String>,
    pub test: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub processed_at: Option<DateTime<Utc>>,
    /// The transaction's own JSON (the `raw` column).
    pub raw: serde_json::Value,
}

/// A row of `order_line_items`.
#[derive(Debug, Clone, PartialEq)]
pub struct LineItemRow {
    pub id: i64,
    pub order_id: i64,
    pub product_id: Option<i64>,
    pub variant_id: Option<i64>,
    pub sku: Option<String>,
    pub title: Option<String>,
    pub variant_title: Option<String>,
    pub vendor: Option<String>,
    /// Ordered quantity (0 when absent).
    pub quantity: i32,
    /// Unit price before discounts.
    pub price: Option<Decimal>,
    pub total_discount: Option<Decimal>,
    pub currency: Option<String>,
}

/// A row of `order_refunds`.
#[derive(Debug, Clone, PartialEq)]
pub struct RefundRow {
    pub id: i64,
    pub order_id: i64,
    /// Money returned to the buyer; see [`crate::resource::orders`] for the rule.
    pub amount: Decimal,
    pub currency: Option<String>,
    pub note: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub processed_at: Option<DateTime<Utc>>,
    /// The refund's own JSON (the `raw` column).
    pub raw: serde_json::Value,
}

/// A row of `customers`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRow {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `enabled`, `disabled`, `invited`, `declined` (GraphQL enums lowercased).
    pub state: Option<String>,
    pub verified_email: Option<bool>,
    /// Comma-separated, as REST sends them.
    pub tags: Option<String>,
    pub currency: Option<String>,
    pub orders_count: Option<i32>,
    pub total_spent: Option<Decimal>,
    pub default_city: Option<String>,
    pub default_province: Option<String>,
    pub default_country: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A row of `products`, with its variants.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductRow {
    pub id: i64,
    pub title: Option<String>,
    pub handle: Option<String>,
    pub vendor: Option<String>,
    pub product_type: Option<String>,
    /// `active`, `draft`, `archived` (GraphQL enums lowercased).
    pub status: Option<String>,
    /// Comma-separated, as REST sends them.
    pub tags: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub variants: Vec<VariantRow>,
}

/// A row of `product_variants`.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantRow {
    pub id: i64,
    /// Always the enclosing product's id.
    pub product_id: i64,
    pub title: Option<String>,
    pub sku: Option<String>,
    pub price: Option<Decimal>,
    pub compare_at_price: Option<Decimal>,
    /// Set only when the payload states it; the store falls back to the shop's currency.
    pub currency: Option<String>,
    pub position: Option<i32>,
    pub inventory_quantity: Option<i32>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A row of `locations`.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationRow {
    pub id: i64,
    pub name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    /// The country's name (REST `country_name`, GraphQL `address.country`).
    pub country: Option<String>,
    /// ISO 3166 code (REST `country_code`, GraphQL `address.countryCode`).
    pub country_code: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    /// Whether it can stock inventory and fulfil orders (REST `active`, GraphQL `isActive`).
    pub active: Option<bool>,
    /// Managed by a fulfillment service (REST `legacy`, GraphQL `isFulfillmentService`).
    pub legacy: Option<bool>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}
