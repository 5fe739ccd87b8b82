//! Keeps the shop's webhook subscriptions alive. Shopify deletes a subscription after 8
//! consecutive failed deliveries and webhooks then stop without a sound, so at every run the
//! SyncActor lists `webhookSubscriptions`, points any of ours elsewhere back at
//! `{server.public_url}/api/webhooks` (`webhookSubscriptionUpdate`), and creates the missing
//! ones (`webhookSubscriptionCreate`). A subscription that disappeared after the shop was
//! synced once is logged as a WARN; the run that follows reconciles the gap.

use std::collections::HashMap;

use serde_json::{json, Value};
use xeno_shopify::{Resource, Topic};

use super::context::SyncContext;
use super::error::SyncError;
use super::graphql_client::GraphqlClient;
use super::queries;

/// The topics the engine subscribes to when every resource is on: those of a resource whose
/// records it keeps, the uninstall, and bulk operations finishing.
pub const SUBSCRIBED: [Topic; 22] = [
    Topic::OrdersCreate,
    Topic::OrdersUpdated,
    Topic::OrdersPaid,
    Topic::OrdersCancelled,
    Topic::OrdersFulfilled,
    Topic::OrdersPartiallyFulfilled,
    Topic::OrdersDelete,
    Topic::RefundsCreate,
    Topic::OrderTransactionsCreate,
    Topic::CustomersCreate,
    Topic::CustomersUpdate,
    Topic::CustomersDelete,
    Topic::ProductsCreate,
    Topic::ProductsUpdate,
    Topic::ProductsDelete,
    Topic::LocationsCreate,
    Topic::LocationsUpdate,
    Topic::LocationsDelete,
    Topic::LocationsActivate,
    Topic::LocationsDeactivate,
    Topic::AppUninstalled,
    Topic::BulkOperationsFinish,
];

/// The subscription topics (GraphQL's spelling) for the resources `on`: a resource's topics
/// only when it is on (Shopify refuses a topic the token's scopes do not cover), the others
/// always. Also what the doctor checks (`engine/src/doctor/checks.rs`).
pub fn topics(on: &[Resource]) -> Vec<String> {
    SUBSCRIBED
        .iter()
        .filter(|t| t.resource().is_none_or(|r| on.contains(&r)))
        .map(Topic::subscription_name)
        .collect()
}

/// What ensuring did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ensured {
    /// Topics subscribed anew.
    pub created: Vec<String>,
    /// Topics whose subscription pointed elsewhere.
    pub updated: Vec<String>,
}

/// Ensures every topic of the run's resources ([`topics`]) is subscribed to
/// `{public_url}/api/webhooks`.
/// `known_before` says the shop was set up before, so a missing subscription was lost.
pub async fn ensure(
    ctx: &SyncContext,
    public_url: &reqwest::Url,
    known_before: bool,
) -> Result<Ensured, SyncError> {
    let callback = callback_url(public_url)?;
    let existing = list(&ctx.client).await?;
    let mut ensured = Ensured::default();
    for topic in topics(&ctx.resources) {
        let topic = topic.as_str();
        match existing.get(topic) {
            Some(subs) if subs.iter().any(|(_, url)| url == &callback) => {}
            Some(subs) => {
                let (id, old) = &subs[0];
                let data = ctx
                    .client
                    .query(
                        "subscriptions:update",
                        &queries::subscription_update(id, &callback),
                        json!({}),
                    )
                    .await?;
                check_user_errors(&data, "webhookSubscriptionUpdate", topic)?;
                tracing::warn!(shop = %ctx.shop.domain, topic, from = %old, to = %callback, "webhook subscription pointed elsewhere; updated");
                ensured.updated.push(topic.to_string());
            }
            None => {
                let data = ctx
                    .client
                    .query(
                        "subscriptions:create",
                        &queries::subscription_create(topic, &callback),
                        json!({}),
                    )
                    .await?;
                check_user_errors(&data, "webhookSubscriptionCreate", topic)?;
                ensured.created.push(topic.to_string());
            }
        }
    }
    if !ensured.created.is_empty() {
        if known_before {
            tracing::warn!(shop = %ctx.shop.domain, topics = %ensured.created.join(","), callback = %callback, "webhook subscriptions had disappeared (Shopify removes them after repeated failed deliveries); re-created them, reconciling the gap");
        } else {
            tracing::info!(shop = %ctx.shop.domain, topics = ensured.created.len(), callback = %callback, "webhook subscriptions created");
        }
    }
    Ok(ensured)
}

/// Where the engine's subscriptions point: `{public_url}/api/webhooks`.
pub fn callback_url(public_url: &reqwest::Url) -> Result<String, SyncError> {
    public_url
        .join("api/webhooks")
        .map(|u| u.to_string())
        .map_err(|e| SyncError::Failed(format!("server.public_url: {e}")))
}

/// The shop's subscriptions by topic: (gid, callback URL). Also read by the doctor
/// (`engine/src/doctor/checks.rs`).
pub async fn list(
    client: &GraphqlClient,
) -> Result<HashMap<String, Vec<(String, String)>>, SyncError> {
    let mut by_topic: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut after = Value::Null;
    loop {
        let data = client
            .query(
                "subscriptions:list",
                queries::SUBSCRIPTIONS,
                json!({ "after": after }),
            )
            .await?;
        let conn = data
            .get("webhookSubscriptions")
            .cloned()
            .unwrap_or(Value::Null);
        for node in conn
            .get("nodes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let topic = node.get("topic").and_then(Value::as_str);
            let id = node.get("id").and_then(Value::as_str);
            let url = node
                .get("uri")
                .and_then(Value::as_str)
                .or_else(|| {
                    node.pointer("/endpoint/callbackUrl")
                        .and_then(Value::as_str)
                })
                .unwrap_or("");
            if let (Some(topic), Some(id)) = (topic, id) {
                by_topic
                    .entry(topic.to_string())
                    .or_default()
                    .push((id.to_string(), url.to_string()));
            }
        }
        match super::node::next_cursor(&conn) {
            Some(cursor) => after = cursor,
            None => return Ok(by_topic),
        }
    }
}

fn check_user_errors(data: &Value, field: &str, topic: &str) -> Result<(), SyncError> {
    let errors = data
        .pointer(&format!("/{field}/userErrors"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(SyncError::Failed(format!(
            "{field} for {topic} refused: {}",
            Value::Array(errors)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_turned_off_is_not_subscribed() {
        assert_eq!(topics(&Resource::ALL).len(), SUBSCRIBED.len());
        let orders_only = topics(&[Resource::Orders]);
        for t in [
            "ORDERS_CREATE",
            "REFUNDS_CREATE",
            "APP_UNINSTALLED",
            "BULK_OPERATIONS_FINISH",
        ] {
            assert!(orders_only.iter().any(|o| o == t), "{t}");
        }
        assert!(!orders_only.iter().any(|t| t.starts_with("CUSTOMERS_")));
        assert!(!orders_only.iter().any(|t| t.starts_with("PRODUCTS_")));
    }
}
