//! Orders, with their line items, refunds and transactions: the spec, and the parsers from a
//! REST webhook body (`orders/*`, `refunds/create`) and from a GraphQL `Order` or `Refund`
//! node. A transaction's own parsers (`order_transactions/create`, and each of an `Order`
//! node's `transactions`) are in `transactions.rs`; the tax lines, shipping lines and note
//! attributes are read by `order_details.rs`.
//!
//! Refund amount rule: the sum of the refund's successful refund transactions (`kind`
//! refund, `status` success), in their `currency` or, when they leave it null, the presentment
//! currency of the refund's line items; when it has none, the sum of its refund line items' subtotals;
//! when it has neither, zero. GraphQL refunds use `totalRefundedSet` first. Shipping refunds
//! recorded only as `order_adjustments` are not counted.
//!
//! Presentment: every money column is the shop's (`shop_money`); the currency the buyer paid
//! in and the order's total there come from REST `presentment_currency` and
//! `total_price_set.presentment_money`, GraphQL `totalPriceSet.presentmentMoney` (not
//! `presentmentCurrencyCode`, whose `CurrencyCode` enum the simulator types as a string).
//!
//! GraphQL specifics: `displayFulfillmentStatus` `UNFULFILLED` becomes `None` and
//! `PARTIALLY_FULFILLED` becomes `partial`, as REST reports them; `order_number` is the digits
//! of a `#1234` name.

use rust_decimal::Decimal;
use serde_json::Value;

use super::order_details::{details_from_graphql, details_from_rest};
use super::spec::{Appended, InlineConnection, Nested, ResourceSpec};
use super::transactions::transaction_from_graphql;
use crate::error::PayloadError;
use crate::fields::{checked_sum, children, each, node_id, ref_id, Fields};
use crate::model::{LineItemRow, OrderRow, RefundRow};
use crate::topic::Topic;

type Result<T> = std::result::Result<T, PayloadError>;

/// Orders: `orders/*`, `refunds/create` and `order_transactions/create`, the `Order` node
/// with its refunds and transactions and `lineItems` nested.
pub static SPEC: ResourceSpec = ResourceSpec {
    name: "orders",
    graphql_type: "Order",
    count_field: "ordersCount",
    read_scope: "read_orders",
    topics: &[
        Topic::OrdersCreate,
        Topic::OrdersUpdated,
        Topic::OrdersPaid,
        Topic::OrdersCancelled,
        Topic::OrdersFulfilled,
        Topic::OrdersPartiallyFulfilled,
        Topic::OrdersEdited,
        Topic::OrdersDelete,
        Topic::RefundsCreate,
        Topic::OrderTransactionsCreate,
    ],
    update_topic: Topic::OrdersUpdated,
    delete_topic: Topic::OrdersDelete,
    node_fields:
        "id legacyResourceId name email test currencyCode createdAt updatedAt processedAt \
        cancelledAt closedAt cancelReason displayFinancialStatus displayFulfillmentStatus \
        tags note sourceName discountCodes billingAddress { countryCodeV2 } \
        shippingAddress { countryCodeV2 } \
        totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount \
        currencyCode } } subtotalPriceSet { shopMoney { \
        amount currencyCode } } totalTaxSet { shopMoney { amount currencyCode } } \
        totalDiscountsSet { shopMoney { amount currencyCode } } totalShippingPriceSet { \
        shopMoney { amount currencyCode } } totalRefundedSet { shopMoney { amount \
        currencyCode } } customer { id legacyResourceId } refunds { id legacyResourceId note \
        createdAt totalRefundedSet { shopMoney { amount currencyCode } } } \
        transactions { id kind status gateway test errorCode createdAt processedAt \
        amountSet { shopMoney { amount currencyCode } } parentTransaction { id } } \
        taxLines { title rate priceSet { shopMoney { amount currencyCode } } } \
        customAttributes { key value } \
        shippingLines(first: 10, includeRemovals: true) { edges { node { __typename id title \
        code source isRemoved \
        originalPriceSet { shopMoney { amount currencyCode } } \
        discountedPriceSet { shopMoney { amount currencyCode } } } } } \
        discountApplications(first: 10) { edges { node { __typename allocationMethod \
        targetSelection targetType value { __typename ... on MoneyV2 { amount currencyCode } \
        ... on PricingPercentageValue { percentage } } \
        ... on DiscountCodeApplication { code } ... on AutomaticDiscountApplication { title } \
        ... on ManualDiscountApplication { title description } \
        ... on ScriptDiscountApplication { title } } } }",
    nested: Some(Nested {
        field: "lineItems",
        fields:
            "id title name sku variantTitle vendor quantity originalUnitPriceSet { shopMoney { \
        amount currencyCode } } totalDiscountSet { shopMoney { amount currencyCode } } \
        product { id } variant { id }",
    }),
    inline_connections: &[
        InlineConnection {
            field: "shippingLines",
            typenames: &["ShippingLine"],
        },
        InlineConnection {
            field: "discountApplications",
            typenames: &[
                "DiscountCodeApplication",
                "AutomaticDiscountApplication",
                "ManualDiscountApplication",
                "ScriptDiscountApplication",
            ],
        },
    ],
    appended: Some(Appended {
        field: "transactions",
        table: "order_transactions",
        parent_column: "order_id",
    }),
    node_cost: 174.0,
    listing: super::spec::Listing::BY_UPDATED_AT,
};

// ---------- REST ----------

/// The country code of the address under `key` (either format), `None` without the address.
fn country(f: &Fields<'_>, key: &'static str, field: &str) -> Result<Option<String>> {
    match f.object(key)? {
        Some(a) => a.str(field),
        None => Ok(None),
    }
}

/// An order webhook body (`orders/create`, `orders/updated`, …) or REST order.
pub fn order_from_rest(v: &Value) -> Result<OrderRow> {
    let f = Fields::new("order", v)?;
    let id = f.req_id("id")?;
    let updated_at = f.req_time("updated_at")?;
    let currency = f.str("currency")?;

    let mut line_items = Vec::new();
    for (i, item) in f.array("line_items")?.iter().enumerate() {
        let row = rest_line_item(item, id, currency.as_deref())
            .map_err(|e| e.within(&format!("line_items[{i}]")))?;
        line_items.push(row);
    }
    let mut refunds = Vec::new();
    for (i, item) in f.array("refunds")?.iter().enumerate() {
        let row = rest_refund(item, Some(id)).map_err(|e| e.within(&format!("refunds[{i}]")))?;
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
    let presentment_total = f.presentment_money("total_price_set")?;
    let presentment_currency = match f.str("presentment_currency")? {
        Some(c) => Some(c),
        None => presentment_total.as_ref().and_then(|(_, c)| c.clone()),
    };

    let mut discount_codes = Vec::new();
    for (i, d) in f.array("discount_codes")?.iter().enumerate() {
        let code = Fields::new("order", d)
            .and_then(|df| df.str("code"))
            .map_err(|e| e.within(&format!("discount_codes[{i}]")))?;
        discount_codes.extend(code);
    }

    let details = details_from_rest(&f, currency.as_deref())?;
    Ok(OrderRow {
        id,
        name: f.str("name")?,
        tags: f.tags("tags")?,
        note: f.str("note")?,
        source_name: f.str("source_name")?,
        discount_codes,
        billing_country_code: country(&f, "billing_address", "country_code")?,
        shipping_country_code: country(&f, "shipping_address", "country_code")?,
        order_number: f.i64("order_number")?,
        email: f.str("email")?,
        customer_id,
        currency,
        presentment_currency,
        presentment_total_price: presentment_total.map(|(amount, _)| amount),
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
        transactions: Vec::new(),
        details,
    })
}

fn rest_line_item(v: &Value, order_id: i64, order_currency: Option<&str>) -> Result<LineItemRow> {
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
    rest_refund(v, None)
}

fn rest_refund(v: &Value, parent_order: Option<i64>) -> Result<RefundRow> {
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
        if currency.is_none() {
            currency = presentment_currency(&f)?;
        }
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

/// The currency refund transactions are made in when they do not state it (Shopify's
/// documented `refunds/create` example has `"currency": null`): the presentment currency of
/// the refund's line items.
fn presentment_currency(f: &Fields<'_>) -> Result<Option<String>> {
    for (i, item) in f.array("refund_line_items")?.iter().enumerate() {
        let code = line_presentment_currency(f.resource, item)
            .map_err(|e| e.within(&format!("refund_line_items[{i}]")))?;
        if code.is_some() {
            return Ok(code);
        }
    }
    Ok(None)
}

fn line_presentment_currency(resource: &'static str, item: &Value) -> Result<Option<String>> {
    let lf = Fields::new(resource, item)?;
    let Some(set) = lf.object("subtotal_set")? else {
        return Ok(None);
    };
    match set.object("presentment_money")? {
        Some(money) => money.str("currency_code"),
        None => Ok(None),
    }
}

// ---------- GraphQL ----------

/// An `Order` node.
pub fn order_from_graphql(v: &Value) -> Result<OrderRow> {
    let f = Fields::new("order", v)?;
    let id = node_id(&f)?;
    let updated_at = f.req_time("updatedAt")?;
    let total_price = f.money("totalPriceSet")?;
    let presentment_total = f.presentment_money("totalPriceSet")?;
    let currency = match f.str("currencyCode")? {
        Some(c) => Some(c),
        None => total_price.as_ref().and_then(|(_, c)| c.clone()),
    };
    let line_items = each(&f, "lineItems", |li| {
        graphql_line_item(li, id, currency.as_deref())
    })?;
    let refunds = each(&f, "refunds", |r| graphql_refund(r, Some(id)))?;
    let transactions = each(&f, "transactions", |t| transaction_from_graphql(t, id))?;
    let total_refunded = match f.money("totalRefundedSet")? {
        Some((amount, _)) => amount,
        None => checked_sum("order", "refunds", refunds.iter().map(|r| r.amount))?,
    };
    let total_shipping = match f.money("totalShippingPriceSet")? {
        Some((amount, _)) => Some(amount),
        None if f.has("shippingLines") => {
            let prices = each(&f, "shippingLines", |line| {
                let lf = Fields::new("order", line)?;
                Ok(lf
                    .money_or("originalPriceSet", "originalPrice")?
                    .unwrap_or(Decimal::ZERO))
            })?;
            Some(checked_sum("order", "shippingLines", prices)?)
        }
        None => None,
    };
    let name = f.str("name")?;
    let order_number = name.as_deref().and_then(|n| {
        let digits = n.strip_prefix('#')?;
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    });
    let fulfillment_status = f
        .lower("displayFulfillmentStatus")?
        .and_then(|s| match s.as_str() {
            "unfulfilled" => None,
            "partially_fulfilled" => Some("partial".to_string()),
            _ => Some(s),
        });
    let mut discount_codes = Vec::new();
    for code in children(&f, "discountCodes")? {
        match code {
            Value::String(c) => discount_codes.push(c.clone()),
            _ => return Err(f.bad("discountCodes", "not a list of strings".into())),
        }
    }
    let details = details_from_graphql(&f, currency.as_deref())?;
    Ok(OrderRow {
        id,
        name,
        order_number,
        tags: f.tags("tags")?,
        note: f.str("note")?,
        source_name: f.str("sourceName")?,
        discount_codes,
        billing_country_code: country(&f, "billingAddress", "countryCodeV2")?,
        shipping_country_code: country(&f, "shippingAddress", "countryCodeV2")?,
        email: f.str("email")?,
        customer_id: ref_id(&f, "customer")?,
        currency,
        presentment_currency: presentment_total.as_ref().and_then(|(_, c)| c.clone()),
        presentment_total_price: presentment_total.map(|(amount, _)| amount),
        total_price: match total_price {
            Some((amount, _)) => Some(amount),
            None => f.decimal("totalPrice")?,
        },
        subtotal_price: f.money_or("subtotalPriceSet", "subtotalPrice")?,
        total_tax: f.money_or("totalTaxSet", "totalTax")?,
        total_discounts: f.money_or("totalDiscountsSet", "totalDiscounts")?,
        total_shipping,
        total_refunded,
        financial_status: f.lower("displayFinancialStatus")?,
        fulfillment_status,
        cancel_reason: f.lower("cancelReason")?,
        test: f.bool("test")?.unwrap_or(false),
        created_at: f.time("createdAt")?,
        processed_at: f.time("processedAt")?,
        cancelled_at: f.time("cancelledAt")?,
        closed_at: f.time("closedAt")?,
        updated_at,
        line_items,
        refunds,
        transactions,
        details,
    })
}

fn graphql_line_item(
    v: &Value,
    order_id: i64,
    order_currency: Option<&str>,
) -> Result<LineItemRow> {
    let f = Fields::new("order", v)?;
    let (price, price_currency) = match f.money("originalUnitPriceSet")? {
        Some((amount, currency)) => (Some(amount), currency),
        None => (f.decimal("originalUnitPrice")?, None),
    };
    let title = match f.str("title")? {
        Some(t) => Some(t),
        None => f.str("name")?,
    };
    Ok(LineItemRow {
        id: node_id(&f)?,
        order_id,
        product_id: ref_id(&f, "product")?,
        variant_id: ref_id(&f, "variant")?,
        sku: f.str("sku")?,
        title,
        variant_title: f.str("variantTitle")?,
        vendor: f.str("vendor")?,
        quantity: f.i32("quantity")?.unwrap_or(0),
        price,
        total_discount: f.money_or("totalDiscountSet", "totalDiscount")?,
        currency: price_currency.or_else(|| order_currency.map(str::to_string)),
    })
}

/// A `Refund` node. Its order comes from `order { id }`.
///
/// Amount rule: `totalRefundedSet`; else successful `REFUND` transactions; else the refund
/// line items' `subtotalSet`; else zero.
pub fn refund_from_graphql(v: &Value) -> Result<RefundRow> {
    graphql_refund(v, None)
}

fn graphql_refund(v: &Value, parent_order: Option<i64>) -> Result<RefundRow> {
    // Embedded refunds report errors as part of their order.
    let resource = if parent_order.is_some() {
        "order"
    } else {
        "refund"
    };
    let f = Fields::new(resource, v)?;
    let id = node_id(&f)?;
    let order_id = match ref_id(&f, "order")? {
        Some(id) => id,
        None => match parent_order {
            Some(id) => id,
            None => match f.id("__parentId")? {
                Some(id) => id,
                None => return Err(PayloadError::missing(resource, "order.id")),
            },
        },
    };
    let (amount, currency) = match f.money("totalRefundedSet")? {
        Some(money) => money,
        None => {
            let mut currency = None;
            let mut sums = Vec::new();
            for tx in children(&f, "transactions")? {
                let tf = Fields::new(resource, tx).map_err(|e| e.within("transactions"))?;
                let kind = tf.lower("kind")?;
                let status = tf.lower("status")?;
                if kind.as_deref() == Some("refund") && status.as_deref() == Some("success") {
                    if let Some((amount, c)) = tf.money("amountSet")? {
                        sums.push(amount);
                        currency = currency.or(c);
                    }
                }
            }
            if sums.is_empty() {
                for item in children(&f, "refundLineItems")? {
                    let lf =
                        Fields::new(resource, item).map_err(|e| e.within("refundLineItems"))?;
                    if let Some((amount, c)) = lf.money("subtotalSet")? {
                        sums.push(amount);
                        currency = currency.or(c);
                    }
                }
            }
            (checked_sum(resource, "amount", sums)?, currency)
        }
    };
    Ok(RefundRow {
        id,
        order_id,
        amount,
        currency,
        note: f.str("note")?,
        created_at: f.time("createdAt")?,
        processed_at: f.time("processedAt")?,
        raw: v.clone(),
    })
}
