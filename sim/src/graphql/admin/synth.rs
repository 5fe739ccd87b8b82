//! Values made up for the non-null fields the simulator keeps no data behind, so an answer
//! always has the shape Shopify's schema promises: each plausible for its type and tied to its
//! object where it can be (an id of the object's own type and number, the object's own dates,
//! money in the shop's currency), else the type's zero (`""`, `0`, `false`, an empty list or
//! connection, an enum's first value).

use async_graphql::dynamic::{ResolverContext, TypeRef};
use serde_json::{json, Value};

use super::catalog::{Catalog, Shape};
use std::sync::Arc;

use crate::state::Shared;

/// The simulator's state, from the request data.
pub fn shared<'a>(ctx: &ResolverContext<'a>) -> &'a Arc<Shared> {
    ctx.ctx.data_unchecked::<Arc<Shared>>()
}

/// A number identifying `parent` (its legacy id, the tail of its gid, or the number it
/// inherited).
fn seed(parent: &Value) -> u64 {
    let from = |v: Option<&Value>| match v {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s
            .rsplit('/')
            .next()
            .and_then(|t| t.split('?').next())
            .and_then(|t| t.parse().ok()),
        _ => None,
    };
    from(parent.get("legacyResourceId"))
        .or_else(|| from(parent.get("id")))
        .or_else(|| from(parent.get("__seed")))
        .unwrap_or(1)
}

/// The time `parent` is of (its own dates, or the one it inherited).
fn at(parent: &Value) -> Option<Value> {
    ["updatedAt", "createdAt", "processedAt", "__at"]
        .iter()
        .find_map(|k| parent.get(*k).filter(|v| v.is_string()).cloned())
}

/// The shop's currency, domain and creation time.
fn shop(ctx: &ResolverContext<'_>) -> (String, String, String) {
    let s = shared(ctx).store.read().unwrap_or_else(|e| e.into_inner());
    (
        s.shop.currency.clone(),
        s.shop.domain.clone(),
        s.shop
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

fn money(amount: &str, currency: &str) -> Value {
    json!({"__typename": "MoneyV2", "amount": amount, "currencyCode": currency})
}

/// A value of `ty` for a field of `parent`.
pub fn value(ctx: &ResolverContext<'_>, catalog: &Catalog, ty: &TypeRef, parent: &Value) -> Value {
    let name = match ty {
        TypeRef::NonNull(inner) => return value(ctx, catalog, inner, parent),
        TypeRef::List(_) => return json!([]),
        TypeRef::Named(name) => name.as_ref(),
    };
    let parent_type = parent
        .get("__typename")
        .and_then(Value::as_str)
        .unwrap_or("Node");
    match catalog.shape(name) {
        Shape::Scalar => match name {
            "ID" => json!(format!("gid://shopify/{parent_type}/{}", seed(parent))),
            "Boolean" => json!(false),
            "Int" => json!(0),
            "Float" => json!(0.0),
            "DateTime" => at(parent).unwrap_or_else(|| json!(shop(ctx).2)),
            "Date" => {
                let t = at(parent)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| shop(ctx).2);
                json!(t.get(..10).unwrap_or("2024-01-01"))
            }
            "Decimal" | "Money" => json!("0.0"),
            "UnsignedInt64" | "BigInt" => json!(seed(parent).to_string()),
            "URL" => json!(format!("https://{}/", shop(ctx).1)),
            "JSON" => json!({}),
            "Color" => json!("#000000"),
            "UtcOffset" => json!("+00:00"),
            _ => json!(""),
        },
        Shape::Enum { values } => match name {
            "CurrencyCode" => json!(shop(ctx).0),
            "CountryCode" => json!("US"),
            _ => json!(values.first().cloned().unwrap_or_default()),
        },
        Shape::Object { .. } => match name {
            "MoneyV2" => money("0.0", &shop(ctx).0),
            "MoneyBag" => {
                let c = shop(ctx).0;
                json!({"__typename": "MoneyBag", "shopMoney": money("0.0", &c), "presentmentMoney": money("0.0", &c)})
            }
            "Count" => json!({"__typename": "Count", "count": 0, "precision": "EXACT"}),
            _ => json!({"__typename": name, "__seed": seed(parent), "__at": at(parent)}),
        },
        Shape::Abstract { first } => {
            json!({"__typename": first, "__seed": seed(parent), "__at": at(parent)})
        }
        Shape::Input => Value::Null,
    }
}
