//! The GraphQL documents the sync sends that belong to no resource: bulk operations (run,
//! poll, cancel) and webhook subscriptions. A resource's own documents (bulk, page, node
//! queries) are built from its spec: `shopify/src/resource/documents.rs`.

pub const BULK_RUN: &str = "mutation SyncBulkRun($query: String!) { \
    bulkOperationRunQuery(query: $query) { \
      bulkOperation { id status } userErrors { field message code } } }";

pub const BULK_POLL: &str = "query SyncBulkPoll($id: ID!) { node(id: $id) { ... on BulkOperation { \
    id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl } } }";

pub const BULK_CURRENT: &str = "query SyncBulkCurrent { currentBulkOperation(type: QUERY) { \
    id status errorCode createdAt completedAt objectCount url partialDataUrl } }";

pub const BULK_CANCEL: &str = "mutation SyncBulkCancel($id: ID!) { bulkOperationCancel(id: $id) { \
    bulkOperation { id status } userErrors { field message } } }";

pub const SUBSCRIPTIONS: &str = "query SyncSubscriptions($after: String) { \
    webhookSubscriptions(first: 100, after: $after) { \
      nodes { id topic endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } \
      pageInfo { hasNextPage endCursor } } }";

/// Creates a subscription. The URL and topic are literals (escaped as a JSON string, which is a
/// valid GraphQL string), so the document works whether the schema types `callbackUrl` as
/// `URL` or `String`.
pub fn subscription_create(topic: &str, url: &str) -> String {
    format!(
        "mutation SyncSubscribe {{ webhookSubscriptionCreate(topic: {topic}, \
           webhookSubscription: {{ callbackUrl: {url}, format: JSON }}) {{ \
           webhookSubscription {{ id }} userErrors {{ field message }} }} }}",
        url = serde_json::Value::String(url.to_string()),
    )
}

/// Points an existing subscription at `url`.
pub fn subscription_update(id: &str, url: &str) -> String {
    format!(
        "mutation SyncResubscribe {{ webhookSubscriptionUpdate(id: {id}, \
           webhookSubscription: {{ callbackUrl: {url}, format: JSON }}) {{ \
           webhookSubscription {{ id }} userErrors {{ field message }} }} }}",
        id = serde_json::Value::String(id.to_string()),
        url = serde_json::Value::String(url.to_string()),
    )
}
