//! What the app itself sees of the shop: `Shop`, `AppInstallation`, `BulkOperation`
//! (`graphql/bulk/operation.rs`) and `WebhookSubscription` (`webhooks.rs`).

use serde_json::{json, Value};

use super::values::ts;
use crate::graphql::bulk::operation::BulkOperation;
use crate::store::rest::gid;
use crate::store::ShopInfo;
use crate::webhooks::Subscription;

/// `SCREAMING_CASE` of a Rust variant name (`InternalServerError` → `INTERNAL_SERVER_ERROR`).
pub fn screaming(debug: &str) -> String {
    let mut out = String::new();
    for (i, ch) in debug.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// `BulkOperation`.
pub fn bulk_operation(op: &BulkOperation) -> Value {
    json!({
        "__typename": "BulkOperation",
        "id": gid("BulkOperation", op.id),
        "status": screaming(&format!("{:?}", op.status)),
        "errorCode": op.error_code.map(|c| screaming(&format!("{c:?}"))),
        "createdAt": ts(op.created_at),
        "completedAt": op.completed_at.map(ts),
        "objectCount": op.object_count.to_string(),
        "rootObjectCount": op.root_object_count.to_string(),
        "fileSize": op.file_size.map(|s| s.to_string()),
        "url": op.url,
        "partialDataUrl": op.partial_data_url,
        "query": op.query,
        "type": "QUERY",
    })
}

/// `WebhookSubscriptionTopic` of a REST topic (`orders/create` → `ORDERS_CREATE`).
pub fn topic_enum(rest: &str) -> String {
    rest.replace('/', "_").to_ascii_uppercase()
}

/// The REST topic of a `WebhookSubscriptionTopic` value.
pub fn topic_rest(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    match lower.split_once('_') {
        // `BULK_OPERATIONS_FINISH` → `bulk_operations/finish`,
        // `ORDER_TRANSACTIONS_CREATE` → `order_transactions/create`: the resource is the first
        // of Shopify's (multi-word ones first) the value starts with.
        Some(_) => [
            "bulk_operations",
            "order_transactions",
            "fulfillment_orders",
            "fulfillment_events",
            "draft_orders",
            "inventory_items",
            "inventory_levels",
            "app",
            "orders",
            "customers",
            "products",
            "refunds",
            "fulfillments",
            "collections",
            "checkouts",
            "discounts",
            "locations",
        ]
        .iter()
        .find(|r| lower.starts_with(&format!("{r}_")))
        .map(|r| format!("{r}/{}", &lower[r.len() + 1..]))
        .unwrap_or_else(|| lower.replacen('_', "/", 1)),
        None => lower,
    }
}

/// `WebhookSubscription`.
pub fn subscription(s: &Subscription) -> Value {
    json!({
        "__typename": "WebhookSubscription",
        "id": gid("WebhookSubscription", s.id),
        "legacyResourceId": s.id.to_string(),
        "topic": topic_enum(&s.topic),
        "format": "JSON",
        "callbackUrl": s.callback_url,
        "uri": s.callback_url,
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": s.callback_url},
        "includeFields": [],
        "metafieldNamespaces": [],
        "metafields": [],
        "createdAt": ts(s.created_at),
        "updatedAt": ts(s.updated_at),
    })
}

/// `Shop`.
pub fn shop(shop: &ShopInfo) -> Value {
    let plus = matches!(
        shop.plan,
        crate::config::Plan::Plus | crate::config::Plan::Enterprise
    );
    json!({
        "__typename": "Shop",
        "id": gid("Shop", shop.id),
        "name": shop.name,
        "email": shop.email,
        "contactEmail": shop.email,
        "currencyCode": shop.currency,
        "enabledPresentmentCurrencies": [shop.currency],
        "ianaTimezone": shop.iana_timezone,
        "myshopifyDomain": shop.domain,
        "url": format!("https://{}", shop.domain),
        "primaryDomain": {
            "__typename": "Domain",
            "id": gid("Domain", shop.id),
            "host": shop.domain,
            "url": format!("https://{}", shop.domain),
            "sslEnabled": true,
        },
        "plan": {
            "__typename": "ShopPlan",
            "displayName": shop.plan.display_name(),
            "partnerDevelopment": false,
            "shopifyPlus": plus,
        },
        "taxesIncluded": false,
        "taxShipping": false,
        "checkoutApiSupported": true,
        "setupRequired": false,
        "unitSystem": "METRIC_SYSTEM",
        "weightUnit": "KILOGRAMS",
        "createdAt": ts(shop.created_at),
        "updatedAt": ts(shop.created_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip_between_rest_and_graphql_spellings() {
        for rest in [
            "orders/create",
            "orders/partially_fulfilled",
            "order_transactions/create",
            "bulk_operations/finish",
            "app/uninstalled",
            "inventory_levels/connect",
        ] {
            assert_eq!(topic_rest(&topic_enum(rest)), rest);
        }
    }
}
