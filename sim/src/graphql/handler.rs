//! `POST /admin/api/{version}/graphql.json`: one request goes injected faults (slow, 429, 5xx)
//! → `X-Shopify-Access-Token` check (401) → body parse → query parse (syntax errors answered
//! Shopify-style, with locations) → requested cost (`graphql/cost.rs`) → single-query maximum
//! (`MAX_COST_EXCEEDED`) → the shop's bucket (`bucket.rs`, `THROTTLED` when short) → access
//! scopes (`access.rs`: denied root fields are left out and answered `ACCESS_DENIED`) → execution
//! (`graphql/schema.rs`; unknown fields and arguments worded as Shopify's, `graphql/validation.rs`)
//! → actual cost and refund → `extensions.cost` on every answer.

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::access::{self, authorized, injected_fault, INVALID_TOKEN};
use crate::bucket::Level;
use crate::graphql::cost;
use crate::graphql::executor::VersionApi;
use crate::graphql::validation;
use crate::state::Shared;
use crate::webhooks::lock;

fn cost_extension(requested: u64, actual: Option<u64>, level: Level) -> Value {
    json!({
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": level.maximum_available,
            "currentlyAvailable": level.currently_available.floor() as u64,
            "restoreRate": level.restore_rate,
        }
    })
}

/// `POST /admin/api/{version}/graphql.json`.
pub async fn handler(
    State(shared): State<Arc<Shared>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(fault) = injected_fault(&shared).await {
        return fault;
    }
    if !authorized(&shared, &headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"errors": INVALID_TOKEN})),
        )
            .into_response();
    }
    let Some(request) = parse_body(&headers, &body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"errors": {"query": "Required parameter missing or invalid"}})),
        )
            .into_response();
    };
    let now = tokio::time::Instant::now;
    // A retired version is served as the oldest supported one (`sim/src/server.rs`).
    let served = xeno_shopify::versions::served_as(&version).map_or(version, str::to_string);
    let api = match shared.graphql.version(&served) {
        Ok(api) => api,
        Err(e) => {
            tracing::error!(version = %served, error = %e, "no schema for the version");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"errors": [{"message": e}]})),
            )
                .into_response();
        }
    };
    let doc = match async_graphql::parser::parse_query(&request.query) {
        Ok(doc) => doc,
        Err(e) => return syntax_error(&shared, e),
    };
    let op_name = request.operation_name.clone();
    let requested = cost::operation_cost(
        &api.types,
        &doc,
        op_name.as_deref(),
        &request.variables,
        None,
    );
    if requested > cost::MAX_QUERY_COST {
        let level = lock(&shared.graphql_bucket).level(now());
        return max_cost_exceeded(requested, level);
    }
    let taken = lock(&shared.graphql_bucket).try_take(now(), requested as f64);
    if let Err(level) = taken {
        return throttled(requested, level);
    }
    execute(&shared, &api, &doc, request, op_name.as_deref(), requested).await
}

/// Runs a priced, paid-for query: fields outside the token's scopes are denied, errors take
/// Shopify's shape, and what the answer did not use of `requested` is refunded to the bucket.
async fn execute(
    shared: &Arc<Shared>,
    api: &VersionApi,
    doc: &ExecutableDocument,
    request: async_graphql::Request,
    op_name: Option<&str>,
    requested: u64,
) -> Response {
    let now = tokio::time::Instant::now;
    let denied = access::denied_root_fields(&shared.config.scopes, doc, op_name);
    let request = access::strip(request, doc, &denied);
    let request = request.data(shared.clone());
    let response = api.schema.execute(request).await;
    let mut out = serde_json::to_value(&response)
        .unwrap_or_else(|e| json!({"errors": [{"message": e.to_string()}]}));
    validation::shopify_errors(doc, &mut out);
    access::report_denied(&mut out, &denied);
    let data = out.get("data").filter(|d| !d.is_null()).cloned();
    let actual = match &data {
        Some(d) => cost::operation_cost(&api.types, doc, op_name, &Default::default(), Some(d))
            .min(requested),
        None => 0,
    };
    let level = lock(&shared.graphql_bucket).refund(now(), (requested - actual) as f64);
    if let Some(obj) = out.as_object_mut() {
        if obj.get("data").is_some_and(Value::is_null) && obj.contains_key("errors") {
            obj.remove("data");
        }
        obj.insert(
            "extensions".into(),
            json!({"cost": cost_extension(requested, Some(actual), level)}),
        );
    }
    Json(out).into_response()
}

/// The request of a JSON body, or of a bare query with `Content-Type: application/graphql`;
/// `None` when neither reads.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Option<async_graphql::Request> {
    let raw_graphql = headers
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/graphql"));
    if raw_graphql {
        std::str::from_utf8(body)
            .map(async_graphql::Request::new)
            .ok()
    } else {
        serde_json::from_slice::<async_graphql::Request>(body).ok()
    }
}

/// A query that does not parse: the error with its locations, at no cost.
fn syntax_error(shared: &Shared, e: async_graphql::parser::Error) -> Response {
    let locations: Vec<Value> = e
        .positions()
        .map(|p| json!({"line": p.line, "column": p.column}))
        .collect();
    let level = lock(&shared.graphql_bucket).level(tokio::time::Instant::now());
    Json(json!({
        "errors": [{"message": e.to_string(), "locations": locations}],
        "extensions": {"cost": cost_extension(0, Some(0), level)},
    }))
    .into_response()
}

/// A query over the single-query maximum (`MAX_COST_EXCEEDED`), Shopify's message.
fn max_cost_exceeded(requested: u64, level: Level) -> Response {
    Json(json!({
        "errors": [{
            "message": format!("Query cost is {requested}, which exceeds the single query max cost limit ({}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n", cost::MAX_QUERY_COST),
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": cost::MAX_QUERY_COST},
        }],
        "extensions": {"cost": cost_extension(requested, None, level)},
    }))
    .into_response()
}

/// The bucket holds fewer points than the query asks (`THROTTLED`).
fn throttled(requested: u64, level: Level) -> Response {
    tracing::debug!(
        requested,
        available = level.currently_available,
        "graphql throttled"
    );
    Json(json!({
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": cost_extension(requested, None, level)},
    }))
    .into_response()
}
