//! The store's objects as the Admin schema sees them: JSON objects keyed by Shopify's field
//! names (`__typename` first), which the generic resolver (`graphql/admin/resolve.rs`)
//! answers from. One module per resource; what a field of Shopify's type has no key for here
//! is answered null or made up for its type. Related objects that can be reached in cycles
//! (a line item's product) are `{"__ref": gid}`, looked up by [`by_gid`] only when selected.

pub mod app;
pub mod customer;
pub mod order;
pub mod product;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::state::Shared;
use crate::store::rest::{gid, parse_gid};
use crate::store::round_money;
use crate::store::visibility::OrderVisibility;
use crate::webhooks::lock;

/// A time as Shopify's `DateTime` (`2024-01-01T00:00:00Z`).
pub fn ts(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// `MoneyV2`: the amount rounded to the currency's minor unit.
pub fn money(amount: Decimal, currency: &str) -> Value {
    json!({
        "__typename": "MoneyV2",
        "amount": round_money(amount, currency).to_string(),
        "currencyCode": currency,
    })
}

/// `MoneyBag` of an amount in the shop's currency, presented in `presentment` at `rate`.
pub fn bag(amount: Decimal, shop: &str, presentment: Option<(&str, Decimal)>) -> Value {
    let shop_money = money(amount, shop);
    let presentment_money = match presentment {
        Some((currency, rate)) => money(amount * rate, currency),
        None => shop_money.clone(),
    };
    json!({
        "__typename": "MoneyBag",
        "shopMoney": shop_money,
        "presentmentMoney": presentment_money,
    })
}

/// A lazy reference to the object `gid` names.
pub fn reference(type_name: &str, id: u64) -> Value {
    json!({"__ref": gid(type_name, id)})
}

/// Text, or null when empty.
pub fn present(text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        json!(text)
    }
}

/// The object a global id names, if it exists (and, for an order, if the token may see it).
pub fn by_gid(shared: &Arc<Shared>, id: &str) -> Option<Value> {
    let (ty, num) = parse_gid(id)?;
    match ty {
        "BulkOperation" => {
            return lock(&shared.bulk)
                .get(num)
                .map(|op| app::bulk_operation(&op))
        }
        "WebhookSubscription" => {
            return lock(shared.webhooks.subscriptions())
                .list()
                .iter()
                .find(|w| w.id == num && w.api_managed)
                .map(app::subscription)
        }
        _ => {}
    }
    let visible = OrderVisibility::of(&shared.config);
    let s = shared.store.read().unwrap_or_else(|e| e.into_inner());
    let cur = s.shop.currency.as_str();
    match ty {
        "Order" => s
            .orders
            .get(&num)
            .filter(|o| visible.shows(o.created_at))
            .map(|o| order::order(o, cur)),
        "Customer" => s.customers.get(&num).map(|c| customer::customer(c, cur)),
        "Product" => s.products.get(&num).map(|p| product::product(p, cur)),
        "ProductVariant" => s.products.values().find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.id == num)
                .map(|v| product::variant(v, p, cur))
        }),
        "Shop" => Some(app::shop(&s.shop)),
        _ => None,
    }
}
