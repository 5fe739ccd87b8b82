//! Objects by global id: `node`, `nodes`, single reads and lazy references.

use std::sync::Arc;

use serde_json::Value;

use super::{app, customer, location, order, product};
use crate::state::Shared;
use crate::store::rest::parse_gid;
use crate::store::visibility::OrderVisibility;
use crate::webhooks::lock;

/// Only the identity of the object a global id names (`__typename`, `id`,
/// `legacyResourceId`), if it exists: what a reference selected for its id needs, without
/// projecting the whole object.
pub fn identity(shared: &Arc<Shared>, id: &str) -> Option<Value> {
    let (ty, num) = parse_gid(id)?;
    let exists = {
        let visible = OrderVisibility::of(&shared.config);
        let s = shared.store.read().unwrap_or_else(|e| e.into_inner());
        match ty {
            "Order" => s
                .orders
                .get(&num)
                .is_some_and(|o| visible.shows(o.created_at)),
            "Customer" => s.customers.contains_key(&num),
            "Product" => s.products.contains_key(&num),
            "Location" => s.locations.contains_key(&num),
            "ProductVariant" => s
                .products
                .values()
                .any(|p| p.variants.iter().any(|v| v.id == num)),
            _ => return by_gid(shared, id),
        }
    };
    exists.then(
        || serde_json::json!({"__typename": ty, "id": id, "legacyResourceId": num.to_string()}),
    )
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
        "Location" => s.locations.get(&num).map(location::location),
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
