//! The GraphQL documents the sync sends. Each node selection asks for exactly the fields
//! `xeno_shopify::parse::*_from_graphql` reads (shopify/src/parse/graphql.rs), so the writer
//! builds the same rows from a synced node as from a webhook.
//!
//! Paged queries take `$first`, `$after` and `$query` (Shopify search syntax on `updated_at`)
//! with `sortKey: UPDATED_AT`; nested children are connections with their own `pageInfo`
//! so an order with more line items than one page is completed by [`children_query`]. Bulk
//! queries use the same fields without paging arguments.

use super::Resource;

const MONEY: &str = "shopMoney { amount currencyCode }";

/// Line items asked for inside one order page; more are fetched separately.
pub const NESTED_PAGE: u32 = 10;

fn line_item_fields() -> String {
    format!(
        "id title name sku variantTitle vendor quantity \
         originalUnitPriceSet {{ {MONEY} }} totalDiscountSet {{ {MONEY} }} \
         product {{ id }} variant {{ id }}"
    )
}

fn variant_fields() -> &'static str {
    "id legacyResourceId title sku price compareAtPrice position inventoryQuantity createdAt updatedAt"
}

/// The root fields of a node (without nested connections).
fn node_fields(resource: Resource) -> String {
    match resource {
        Resource::Orders => format!(
            "id legacyResourceId name email test currencyCode createdAt updatedAt processedAt \
             cancelledAt closedAt cancelReason displayFinancialStatus displayFulfillmentStatus \
             totalPriceSet {{ {MONEY} }} subtotalPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }} \
             totalDiscountsSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }} \
             totalRefundedSet {{ {MONEY} }} customer {{ id legacyResourceId }} \
             refunds {{ id legacyResourceId note createdAt totalRefundedSet {{ {MONEY} }} }}"
        ),
        Resource::Customers => "id legacyResourceId email phone firstName lastName state \
             verifiedEmail tags numberOfOrders amountSpent { amount currencyCode } \
             defaultAddress { city province country } createdAt updatedAt"
            .to_string(),
        Resource::Products => "id legacyResourceId title handle vendor productType status tags \
             createdAt publishedAt updatedAt"
            .to_string(),
    }
}

/// The nested connection of a resource: (field, node fields).
pub fn nested(resource: Resource) -> Option<(&'static str, String)> {
    match resource {
        Resource::Orders => Some(("lineItems", line_item_fields())),
        Resource::Products => Some(("variants", variant_fields().to_string())),
        Resource::Customers => None,
    }
}

/// A node's nested connection, first page, with `pageInfo` to complete it.
fn children_page(resource: Resource) -> String {
    match nested(resource) {
        Some((field, fields)) => format!(
            "{field}(first: {NESTED_PAGE}) {{ nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }}"
        ),
        None => String::new(),
    }
}

/// A page of `resource` updated since a time, oldest change first.
pub fn page_query(resource: Resource) -> String {
    format!(
        "query SyncPage($first: Int!, $after: String, $query: String) {{ \
           {root}(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{ \
             nodes {{ {fields} {children} }} \
             pageInfo {{ hasNextPage endCursor }} }} }}",
        root = resource.as_str(),
        fields = node_fields(resource),
        children = children_page(resource),
    )
}

/// A page of ids and `updatedAt` only: what reconciliation compares with the stored copy
/// before fetching the few objects that differ (one point per object instead of dozens).
pub fn changed_query(resource: Resource) -> String {
    format!(
        "query SyncChanged($first: Int!, $after: String, $query: String) {{ \
           {}(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{ \
             nodes {{ id updatedAt }} pageInfo {{ hasNextPage endCursor }} }} }}",
        resource.as_str()
    )
}

/// Whole nodes by id (the objects reconciliation found stale or missing).
pub fn nodes_query(resource: Resource) -> String {
    format!(
        "query SyncNodes($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {ty} {{ {fields} {children} }} }} }}",
        ty = resource.graphql_type(),
        fields = node_fields(resource),
        children = children_page(resource),
    )
}

/// The requested cost of one node of [`page_query`] / [`nodes_query`] by Shopify's rules
/// (objects 1, money bags 2, the nested connection 2 + 10 × its node).
pub fn node_cost(resource: Resource) -> f64 {
    match resource {
        Resource::Customers => 3.0,
        Resource::Products => 13.0,
        Resource::Orders => 89.0,
    }
}

/// The rest of one node's children after `$after`.
pub fn children_query(resource: Resource) -> Option<String> {
    let (field, fields) = nested(resource)?;
    Some(format!(
        "query SyncChildren($id: ID!, $after: String) {{ node(id: $id) {{ ... on {ty} {{ \
           {field}(first: 250, after: $after) {{ nodes {{ {fields} }} pageInfo {{ hasNextPage endCursor }} }} }} }} }}",
        ty = resource.graphql_type(),
    ))
}

/// Every object of `resource` with its children, for `bulkOperationRunQuery`.
pub fn bulk_query(resource: Resource) -> String {
    let children = match nested(resource) {
        Some((field, fields)) => format!("{field} {{ edges {{ node {{ {fields} }} }} }}"),
        None => String::new(),
    };
    format!(
        "{{ {root} {{ edges {{ node {{ {fields} {children} }} }} }} }}",
        root = resource.as_str(),
        fields = node_fields(resource),
    )
}

/// Only the ids of every live object: the deletion sweep.
pub fn bulk_ids_query(resource: Resource) -> String {
    format!(
        "{{ {} {{ edges {{ node {{ id }} }} }} }}",
        resource.as_str()
    )
}

/// A page of ids, when bulk operations are unavailable.
pub fn ids_page_query(resource: Resource) -> String {
    format!(
        "query SyncIds($first: Int!, $after: String) {{ {}(first: $first, after: $after) {{ \
           nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}",
        resource.as_str()
    )
}

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
