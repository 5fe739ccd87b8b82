//! GraphQL Admin nodes (camelCase, gid ids) → rows, as the sync reads them: from paged
//! queries (children as connections `{edges:[{node}]}` or `{nodes:[…]}`) or rebuilt from bulk
//! JSONL (children gathered by `__parentId` into plain arrays). Both shapes are accepted.
//!
//! Mapping to REST spellings: ids from `legacyResourceId`, else the gid's suffix; money from
//! `…Set.shopMoney`; enums lowercased (`PARTIALLY_REFUNDED` → `partially_refunded`);
//! `displayFulfillmentStatus` `UNFULFILLED` → `None` and `PARTIALLY_FULFILLED` → `partial`
//! as REST reports them; tag arrays joined with `", "`.

use rust_decimal::Decimal;
use serde_json::Value;

use super::fields::{checked_sum, children, Fields};
use super::PayloadError;
use crate::model::{CustomerRow, LineItemRow, OrderRow, ProductRow, RefundRow, VariantRow};

type Result<T> = std::result::Result<T, PayloadError>;

/// The numeric id of a node: `legacyResourceId`, else the suffix of the gid in `id`.
fn node_id(f: &Fields<'_>) -> Result<i64> {
    match f.id("legacyResourceId")? {
        Some(id) => Ok(id),
        None => f.req_id("id"),
    }
}

/// The numeric id of a referenced node (`customer: {id, legacyResourceId}`).
fn ref_id<'a>(f: &Fields<'a>, key: &'a str) -> Result<Option<i64>> {
    match f.object(key)? {
        Some(r) => match r.id("legacyResourceId")? {
            Some(id) => Ok(Some(id)),
            None => r.id("id"),
        },
        None => Ok(None),
    }
}

/// Runs `parse` on each child under `key`, prefixing errors with the child's path.
fn each<'a, T>(
    f: &Fields<'a>,
    key: &str,
    mut parse: impl FnMut(&'a Value) -> Result<T>,
) -> Result<Vec<T>> {
    children(f, key)?
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse(v).map_err(|e| e.within(&format!("{key}[{i}]"))))
        .collect()
}

/// An `Order` node.
pub fn order_from_graphql(v: &Value) -> Result<OrderRow> {
    let f = Fields::new("order", v)?;
    let id = node_id(&f)?;
    let updated_at = f.req_time("updatedAt")?;
    let total_price = f.money("totalPriceSet")?;
    let currency = match f.str("currencyCode")? {
        Some(c) => Some(c),
        None => total_price.as_ref().and_then(|(_, c)| c.clone()),
    };
    let line_items = each(&f, "lineItems", |li| line_item(li, id, currency.as_deref()))?;
    let refunds = each(&f, "refunds", |r| refund(r, Some(id)))?;
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
    Ok(OrderRow {
        id,
        name,
        order_number,
        email: f.str("email")?,
        customer_id: ref_id(&f, "customer")?,
        currency,
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
    })
}

fn line_item(v: &Value, order_id: i64, order_currency: Option<&str>) -> Result<LineItemRow> {
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

/// A `Customer` node.
pub fn customer_from_graphql(v: &Value) -> Result<CustomerRow> {
    let f = Fields::new("customer", v)?;
    let id = node_id(&f)?;
    let updated_at = f.req_time("updatedAt")?;
    let email = match f.str("email")? {
        Some(e) => Some(e),
        None => match f.object("defaultEmailAddress")? {
            Some(d) => d.str("emailAddress")?,
            None => None,
        },
    };
    let phone = match f.str("phone")? {
        Some(p) => Some(p),
        None => match f.object("defaultPhoneNumber")? {
            Some(d) => d.str("phoneNumber")?,
            None => None,
        },
    };
    let (total_spent, currency) = match f.money("amountSpent")? {
        Some((amount, currency)) => (Some(amount), currency),
        None => match f.money("totalSpentV2")? {
            Some((amount, currency)) => (Some(amount), currency),
            None => (None, None),
        },
    };
    let orders_count = match f.i32("numberOfOrders")? {
        Some(n) => Some(n),
        None => f.i32("ordersCount")?,
    };
    let (default_city, default_province, default_country) = match f.object("defaultAddress")? {
        Some(a) => (a.str("city")?, a.str("province")?, a.str("country")?),
        None => (None, None, None),
    };
    Ok(CustomerRow {
        id,
        email,
        phone,
        first_name: f.str("firstName")?,
        last_name: f.str("lastName")?,
        state: f.lower("state")?,
        verified_email: f.bool("verifiedEmail")?,
        tags: f.tags("tags")?,
        currency,
        orders_count,
        total_spent,
        default_city,
        default_province,
        default_country,
        created_at: f.time("createdAt")?,
        updated_at,
    })
}

/// A `Product` node with its variants.
pub fn product_from_graphql(v: &Value) -> Result<ProductRow> {
    let f = Fields::new("product", v)?;
    let id = node_id(&f)?;
    let updated_at = f.req_time("updatedAt")?;
    let variants = each(&f, "variants", |v| variant(v, id))?;
    Ok(ProductRow {
        id,
        title: f.str("title")?,
        handle: f.str("handle")?,
        vendor: f.str("vendor")?,
        product_type: f.str("productType")?,
        status: f.lower("status")?,
        tags: f.tags("tags")?,
        created_at: f.time("createdAt")?,
        published_at: f.time("publishedAt")?,
        updated_at,
        variants,
    })
}

fn variant(v: &Value, product_id: i64) -> Result<VariantRow> {
    let f = Fields::new("product", v)?;
    let (price, currency) = money_or_scalar(&f, "price")?;
    let (compare_at_price, _) = money_or_scalar(&f, "compareAtPrice")?;
    Ok(VariantRow {
        id: node_id(&f)?,
        product_id,
        title: f.str("title")?,
        sku: f.str("sku")?,
        price,
        compare_at_price,
        currency,
        position: f.i32("position")?,
        inventory_quantity: f.i32("inventoryQuantity")?,
        created_at: f.time("createdAt")?,
        updated_at: f.time("updatedAt")?,
    })
}

/// A variant price: the `Money` scalar (`"10.00"`) or, in older versions, `MoneyV2`.
fn money_or_scalar(f: &Fields<'_>, key: &'static str) -> Result<(Option<Decimal>, Option<String>)> {
    match f.get(key) {
        Some(Value::Object(_)) => Ok(match f.money(key)? {
            Some((amount, currency)) => (Some(amount), currency),
            None => (None, None),
        }),
        _ => Ok((f.decimal(key)?, None)),
    }
}
