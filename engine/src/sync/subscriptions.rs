//! Keeps the shop's webhook subscriptions alive. Shopify deletes a subscription after 8
//! consecutive failed deliveries and webhooks then stop without a sound, so at every run the
//! SyncActor lists `webhookSubscriptions`, points any of ours elsewhere back at
//! `{server.public_url}/api/webhooks` (`webhookSubscriptionUpdate`), and creates the missing
//! ones (`webhookSubscriptionCreate`). A subscription that disappeared after the shop was
//! synced once is logged as a WARN; the run that follows reconciles the gap.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::context::SyncContext;
use super::error::SyncError;
use super::graphql_client::GraphqlClient;
use super::queries;

/// The topics the engine needs, as GraphQL's `WebhookSubscriptionTopic`.
pub const TOPICS: [&str; 17] = [
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_PAID",
    "ORDERS_CANCELLED",
    "ORDERS_FULFILLED",
    "ORDERS_PARTIALLY_FULFILLED",
    "ORDERS_DELETE",
    "REFUNDS_CREATE",
    "ORDER_TRANSACTIONS_CREATE",
    "CUSTOMERS_CREATE",
    "CUSTOMERS_UPDATE",
    "CUSTOMERS_DELETE",
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "APP_UNINSTALLED",
    "BULK_OPERATIONS_FINISH",
];

/// Topics subscribed only when the token holds the scope that reads their resource: Shopify
/// refuses a subscription to a topic the app cannot read, and a shop may well not grant it.
pub const SCOPED_TOPICS: [(&str, &str); 5] = [
    ("LOCATIONS_CREATE", "read_locations"),
    ("LOCATIONS_UPDATE", "read_locations"),
    ("LOCATIONS_DELETE", "read_locations"),
    ("LOCATIONS_ACTIVATE", "read_locations"),
    ("LOCATIONS_DEACTIVATE", "read_locations"),
];

/// Every topic to subscribe with the `granted` scopes: [`TOPICS`], then the
/// [`SCOPED_TOPICS`] whose scope is granted.
pub fn wanted(granted: &[String]) -> Vec<&'static str> {
    let scoped = SCOPED_TOPICS
        .iter()
        .filter(|(_, scope)| granted.iter().any(|g| g == scope))
        .map(|(topic, _)| *topic);
    TOPICS.iter().copied().chain(scoped).collect()
}

/// What ensuring did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ensured {
    /// Topics subscribed anew.
    pub created: Vec<String>,
    /// Topics whose subscription pointed elsewhere.
    pub updated: Vec<String>,
}

/// Ensures every topic in [`TOPICS`], and each of [`SCOPED_TOPICS`] the token's scopes read,
/// is subscribed to `{public_url}/api/webhooks`. `known_before` says the shop was set up before, so a missing subscription was lost.
pub async fn ensure(
    ctx: &SyncContext,
    public_url: &reqwest::Url,
    known_before: bool,
) -> Result<Ensured, SyncError> {
    let callback = callback_url(public_url)?;
    let existing = list(&ctx.client).await?;
    let granted = match super::scopes::granted(ctx.client.http(), &ctx.shop).await {
        Ok(granted) => granted,
        Err(e) => {
            tracing::debug!(shop = %ctx.shop.domain, error = %e, "cannot read the granted access scopes; subscribing the unscoped topics only");
            Vec::new()
        }
    };
    let mut ensured = Ensured::default();
    for topic in wanted(&granted) {
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
    fn scoped_topics_only_with_their_scope() {
        assert_eq!(wanted(&[]), TOPICS);
        let granted = vec!["read_orders".to_string(), "read_locations".to_string()];
        let all = wanted(&granted);
        assert_eq!(all.len(), TOPICS.len() + 5);
        assert!(all.contains(&"LOCATIONS_DEACTIVATE"));
    }
}
