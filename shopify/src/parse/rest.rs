//! REST resource JSON (webhook bodies, snake_case, numeric ids) → rows, plus the small
//! bodies of delete, compliance and `bulk_operations/finish` webhooks.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::fields::{checked_sum, Fields};
use super::PayloadError;
use crate::model::{CustomerRow, LineItemRow, OrderRow, ProductRow, RefundRow, VariantRow};

type Result<T> = std::result::Result<T, PayloadError>;

/// An order webhook body (`orders/create`, `orders/updated`, …) or REST order.
pub fn order_from_rest(v: &Value) -> Result<OrderRow> {
    let f = Fields::new("order", v)?;
    let id = f.req_id("id")?;
    let updated_at = f.req_time("updated_at")?;
    let currency = f.str("currency")?;

    let mut line_items = Vec::new();
    for (i, item) in f.array("line_items")?.iter().enumerate() {
        let row = line_item(item, id, currency.as_deref())
            .map_err(|e| e.within(&format!("line_items[{i}]")))?;
        line_items.push(row);
    }
    let mut refunds = Vec::new();
    for (i, item) in f.array("refunds")?.iter().enumerate() {
        let row = refund(item, Some(id)).map_err(|e| e.within(&format!("refunds[{i}]")))?;
        refunds.push(row);
    }
    let total_refunded = checked_sum("order", "refunds", refunds.iter().map(|r| r.amount))?;

    let total_shipping = match f.money("total_shipping_price_set")? {
        Some((amount, _)) => Some(amount),
        None if f.has("shipping_lines") => {
            let mut prices = Vec::new();
            for (i, line) in f.array("shipping_lines")?.iter().enumerate() {
                let lf = Fields::new("order", line)
                    .map_err(|e| e.within(&format!("shipping_lines[{i}]")))?;
                let price = lf
                    .money_or("price_set", "price")
                    .map_err(|e| e.within(&format!("shipping_lines[{i}]")))?;
                prices.push(price.unwrap_or(Decimal::ZERO));
            }
            Some(checked_sum("order", "shipping_lines", prices)?)
        }
        None => None,
    };

    let customer_id = match f.object("customer")? {
        Some(c) => c.id("id")?,
        None => None,
    };

    Ok(OrderRow {
        id,
        name: f.str("name")?,
        order_number: f.i64("order_number")?,
        email: f.str("email")?,
        customer_id,
        currency,
        total_price: f.decimal("total_price")?,
        subtotal_price: f.decimal("subtotal_price")?,
        total_tax: f.decimal("total_tax")?,
        total_discounts: f.decimal("total_discounts")?,
        total_shipping,
        total_refunded,
        financial_status: f.str("financial_status")?,
        fulfillment_status: f.str("fulfillment_status")?,
        cancel_reason: f.str("cancel_reason")?,
        test: f.bool("test")?.unwrap_or(false),
        created_at: f.time("created_at")?,
        processed_at: f.time("processed_at")?,
        cancelled_at: f.time("cancelled_at")?,
        closed_at: f.time("closed_at")?,
        updated_at,
        line_items,
        refunds,
    })
}

fn line_item(v: &Value, order_id: i64, order_currency: Option<&str>) -> Result<LineItemRow> {
    let f = Fields::new("order", v)?;
    let (price, price_currency) = match f.money("price_set")? {
        Some((amount, currency)) => (Some(amount), currency),
        None => (f.decimal("price")?, None),
    };
    Ok(LineItemRow {
        id: f.req_id("id")?,
        order_id,
        product_id: f.id("product_id")?,
        variant_id: f.id("variant_id")?,
        sku: f.str("sku")?,
        title: f.str("title")?,
        variant_title: f.str("variant_title")?,
        vendor: f.str("vendor")?,
        quantity: f.i32("quantity")?.unwrap_or(0),
        price,
        total_discount: f.money_or("total_discount_set", "total_discount")?,
        currency: price_currency.or_else(|| order_currency.map(str::to_string)),
    })
}

/// A `refunds/create` body (the refund object itself, with `order_id`).
///
/// Amount rule: the sum of `transactions` with `kind` = `refund` and `status` = `success`;
/// when there are none, the sum of `refund_line_items[].subtotal` (or `subtotal_set`); else
/// zero. The currency comes from the same source.
pub fn refund_from_rest(v: &Value) -> Result<RefundRow> {
    refund(v, None)
}

fn refund(v: &Value, parent_order: Option<i64>) -> Result<RefundRow> {
    // Embedded refunds report errors as part of their order.
    let resource = if parent_order.is_some() {
        "order"
    } else {
        "refund"
    };
    let f = Fields::new(resource, v)?;
    let id = f.req_id("id")?;
    let order_id = match f.id("order_id")? {
        Some(id) => id,
        None => parent_order.ok_or_else(|| PayloadError::missing(resource, "order_id"))?,
    };

    let mut tx_amounts = Vec::new();
    let mut currency = None;
    for (i, tx) in f.array("transactions")?.iter().enumerate() {
        let at = format!("transactions[{i}]");
        let tf = Fields::new(resource, tx).map_err(|e| e.within(&at))?;
        let kind = tf.str("kind").map_err(|e| e.within(&at))?;
        let status = tf.str("status").map_err(|e| e.within(&at))?;
        if kind.as_deref() == Some("refund") && status.as_deref() == Some("success") {
            let amount = tf
                .decimal("amount")
                .map_err(|e| e.within(&at))?
                .ok_or_else(|| PayloadError::missing(resource, format!("{at}.amount")))?;
            tx_amounts.push(amount);
            if currency.is_none() {
                currency = tf.str("currency").map_err(|e| e.within(&at))?;
            }
        }
    }
    let amount = if tx_amounts.is_empty() {
        let mut subtotals = Vec::new();
        for (i, item) in f.array("refund_line_items")?.iter().enumerate() {
            let at = format!("refund_line_items[{i}]");
            let lf = Fields::new(resource, item).map_err(|e| e.within(&at))?;
            match lf.money("subtotal_set").map_err(|e| e.within(&at))? {
                Some((amount, c)) => {
                    subtotals.push(amount);
                    currency = currency.or(c);
                }
                None => {
                    let subtotal = lf.decimal("subtotal").map_err(|e| e.within(&at))?;
                    subtotals.push(subtotal.unwrap_or(Decimal::ZERO));
                }
            }
        }
        checked_sum(resource, "refund_line_items", subtotals)?
    } else {
        checked_sum(resource, "transactions", tx_amounts)?
    };

    Ok(RefundRow {
        id,
        order_id,
        amount,
        currency,
        note: f.str("note")?,
        created_at: f.time("created_at")?,
        processed_at: f.time("processed_at")?,
        raw: v.clone(),
    })
}

/// A customer webhook body or REST customer.
pub fn customer_from_rest(v: &Value) -> Result<CustomerRow> {
    let f = Fields::new("customer", v)?;
    let id = f.req_id("id")?;
    let updated_at = f.req_time("updated_at")?;
    let (default_city, default_province, default_country) = match f.object("default_address")? {
        Some(a) => (a.str("city")?, a.str("province")?, a.str("country")?),
        None => (None, None, None),
    };
    Ok(CustomerRow {
        id,
        email: f.str("email")?,
        phone: f.str("phone")?,
        first_name: f.str("first_name")?,
        last_name: f.str("last_name")?,
        state: f.str("state")?,
        verified_email: f.bool("verified_email")?,
        tags: f.tags("tags")?,
        currency: f.str("currency")?,
        orders_count: f.i32("orders_count")?,
        total_spent: f.decimal("total_spent")?,
        default_city,
        default_province,
        default_country,
        created_at: f.time("created_at")?,
        updated_at,
    })
}

/// A product webhook body or REST product, with its variants. A variant's `product_id` is
/// always the enclosing product's (a mismatching child field is ignored).
pub fn product_from_rest(v: &Value) -> Result<ProductRow> {
    let f = Fields::new("product", v)?;
    let id = f.req_id("id")?;
    let updated_at = f.req_time("updated_at")?;
    let mut variants = Vec::new();
    for (i, item) in f.array("variants")?.iter().enumerate() {
        let row = variant(item, id).map_err(|e| e.within(&format!("variants[{i}]")))?;
        variants.push(row);
    }
    Ok(ProductRow {
        id,
        title: f.str("title")?,
        handle: f.str("handle")?,
        vendor: f.str("vendor")?,
        product_type: f.str("product_type")?,
        status: f.str("status")?,
        tags: f.tags("tags")?,
        created_at: f.time("created_at")?,
        published_at: f.time("published_at")?,
        updated_at,
        variants,
    })
}

fn variant(v: &Value, product_id: i64) -> Result<VariantRow> {
    let f = Fields::new("product", v)?;
    Ok(VariantRow {
        id: f.req_id("id")?,
        product_id,
        title: f.str("title")?,
        sku: f.str("sku")?,
        price: f.decimal("price")?,
        compare_at_price: f.decimal("compare_at_price")?,
        currency: None,
        position: f.i32("position")?,
        inventory_quantity: f.i32("inventory_quantity")?,
        created_at: f.time("created_at")?,
        updated_at: f.time("updated_at")?,
    })
}

/// The id in a delete webhook body (`{"id": 123}`; a gid is accepted too).
pub fn id_from_delete(v: &Value) -> Result<i64> {
    let f = Fields::new("deleted record", v)?;
    match f.id("id")? {
        Some(id) => Ok(id),
        None => f.req_id("admin_graphql_api_id"),
    }
}

/// A `customers/redact` or `customers/data_request` body.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRequest {
    pub shop_id: Option<i64>,
    pub shop_domain: Option<String>,
    pub customer_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `orders_to_redact` (redact) or `orders_requested` (data request).
    pub order_ids: Vec<i64>,
    /// `data_request.id`, data requests only.
    pub data_request_id: Option<i64>,
}

/// Parses a customer compliance body. The customer must be identified by an id or an email.
pub fn customer_request(v: &Value) -> Result<CustomerRequest> {
    let f = Fields::new("compliance request", v)?;
    let customer = f
        .object("customer")?
        .ok_or_else(|| PayloadError::missing(f.resource, "customer"))?;
    let customer_id = customer.id("id")?;
    let email = customer.str("email")?;
    if customer_id.is_none() && email.is_none() {
        return Err(PayloadError::missing(f.resource, "customer.id"));
    }
    let list = if f.has("orders_to_redact") {
        "orders_to_redact"
    } else {
        "orders_requested"
    };
    let mut order_ids = Vec::new();
    for (i, item) in f.array(list)?.iter().enumerate() {
        let id = super::fields::id_value(item)
            .map_err(|p| PayloadError::invalid(f.resource, format!("{list}[{i}]"), p))?;
        order_ids.push(id);
    }
    let data_request_id = match f.object("data_request")? {
        Some(d) => d.id("id")?,
        None => None,
    };
    Ok(CustomerRequest {
        shop_id: f.id("shop_id")?,
        shop_domain: f.str("shop_domain")?,
        customer_id,
        email,
        phone: customer.str("phone")?,
        order_ids,
        data_request_id,
    })
}

/// A `shop/redact` body.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopRequest {
    pub shop_id: Option<i64>,
    pub shop_domain: Option<String>,
}

/// Parses a `shop/redact` body.
pub fn shop_request(v: &Value) -> Result<ShopRequest> {
    let f = Fields::new("shop redact", v)?;
    Ok(ShopRequest {
        shop_id: f.id("shop_id")?,
        shop_domain: f.str("shop_domain")?,
    })
}

/// A `bulk_operations/finish` body; status and error code are lowercase on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOperationFinished {
    /// `gid://shopify/BulkOperation/…`, the id the sync polls and checkpoints.
    pub admin_graphql_api_id: String,
    pub status: String,
    pub error_code: Option<String>,
    /// `query` or `mutation`.
    pub operation_type: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Parses a `bulk_operations/finish` body.
pub fn bulk_operation_finish(v: &Value) -> Result<BulkOperationFinished> {
    let f = Fields::new("bulk operation", v)?;
    Ok(BulkOperationFinished {
        admin_graphql_api_id: f
            .str("admin_graphql_api_id")?
            .ok_or_else(|| PayloadError::missing(f.resource, "admin_graphql_api_id"))?,
        status: f
            .str("status")?
            .ok_or_else(|| PayloadError::missing(f.resource, "status"))?,
        error_code: f.str("error_code")?,
        operation_type: f.str("type")?,
        created_at: f.time("created_at")?,
        completed_at: f.time("completed_at")?,
    })
}
