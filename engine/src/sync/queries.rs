//! The GraphQL documents the sync sends that belong to no resource: bulk operations (run,
//! poll, current, cancel) and webhook subscriptions. A resource's own documents (bulk, page,
//! node queries) are built from its spec: `shopify/src/resource/documents.rs`. Each is valid
//! on every supported Admin API version and uses nothing deprecated on the default one
//! (`cli/tests/shopify_schema.rs`); where versions differ the shop's version picks.

use serde_json::Value;
use xeno_shopify::versions;

/// Starts a bulk query. `groupObjects: true` because the JSONL reader
/// (`engine/src/sync/bulk.rs`) expects each child line right after its parent, which Shopify
/// stopped doing by default in 2026-01.
pub const BULK_RUN: &str = "mutation SyncBulkRun($query: String!) { \
    bulkOperationRunQuery(query: $query, groupObjects: true) { \
      bulkOperation { id status } userErrors { field message code } } }";

pub const BULK_POLL: &str = "query SyncBulkPoll($id: ID!) { node(id: $id) { ... on BulkOperation { \
    id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl } } }";

/// The app's latest bulk query, from 2026-01 on (`bulkOperations` lists newest first).
pub const BULK_CURRENT: &str = "query SyncBulkCurrent { \
    bulkOperations(first: 1, query: \"operation_type:query\") { nodes { \
    id status errorCode createdAt completedAt objectCount url partialDataUrl } } }";

/// The same before 2026-01, which has no `bulkOperations`.
pub const BULK_CURRENT_2025: &str = "query SyncBulkCurrent { currentBulkOperation(type: QUERY) { \
    id status errorCode createdAt completedAt objectCount url partialDataUrl } }";

/// The first version with `bulkOperations`.
const BULK_OPERATIONS_SINCE: &str = "2026-01";

/// The latest bulk query's document for a shop on `api_version`.
pub fn bulk_current(api_version: &str) -> &'static str {
    if versions::at_least(api_version, BULK_OPERATIONS_SINCE) {
        BULK_CURRENT
    } else {
        BULK_CURRENT_2025
    }
}

/// The latest bulk operation in an answer to [`bulk_current`] (either document).
pub fn current_bulk_operation(data: &Value) -> Option<&Value> {
    data.pointer("/bulkOperations/nodes/0")
        .or_else(|| data.get("currentBulkOperation"))
        .filter(|v| !v.is_null())
}

pub const BULK_CANCEL: &str = "mutation SyncBulkCancel($id: ID!) { bulkOperationCancel(id: $id) { \
    bulkOperation { id status } userErrors { field message } } }";

pub const SUBSCRIPTIONS: &str = "query SyncSubscriptions($after: String) { \
    webhookSubscriptions(first: 100, after: $after) { \
      nodes { id topic uri } pageInfo { hasNextPage endCursor } } }";

/// Creates a subscription. The URL and topic are literals (escaped as a JSON string, which is a
/// valid GraphQL string).
pub fn subscription_create(topic: &str, url: &str) -> String {
    format!(
        "mutation SyncSubscribe {{ webhookSubscriptionCreate(topic: {topic}, \
           webhookSubscription: {{ uri: {url}, format: JSON }}) {{ \
           webhookSubscription {{ id }} userErrors {{ field message }} }} }}",
        url = serde_json::Value::String(url.to_string()),
    )
}

/// Points an existing subscription at `url`.
pub fn subscription_update(id: &str, url: &str) -> String {
    format!(
        "mutation SyncResubscribe {{ webhookSubscriptionUpdate(id: {id}, \
           webhookSubscription: {{ uri: {url}, format: JSON }}) {{ \
           webhookSubscription {{ id }} userErrors {{ field message }} }} }}",
        id = serde_json::Value::String(id.to_string()),
        url = serde_json::Value::String(url.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_current_bulk_operation_follows_the_version() {
        assert_eq!(bulk_current("2025-10"), BULK_CURRENT_2025);
        for v in ["2026-01", "2026-07", "unstable"] {
            assert_eq!(bulk_current(v), BULK_CURRENT);
        }
        let new = json!({"bulkOperations": {"nodes": [{"id": "a"}]}});
        let old = json!({"currentBulkOperation": {"id": "b"}});
        assert_eq!(current_bulk_operation(&new).unwrap()["id"], "a");
        assert_eq!(current_bulk_operation(&old).unwrap()["id"], "b");
        assert!(current_bulk_operation(&json!({"bulkOperations": {"nodes": []}})).is_none());
    }
}
