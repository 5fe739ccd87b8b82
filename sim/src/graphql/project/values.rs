//! The value shapes every projection shares: times, money, lazy references.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::store::rest::gid;
use crate::store::round_money;

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
