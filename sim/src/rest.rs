//! The legacy REST Admin API: `shop.json`, `oauth/access_scopes.json`, `events.json` (destroy
//! events, `destroy_events.rs`), and `orders`,
//! `customers`, `products` as lists (`limit` ≤ 250, `since_id`, `updated_at_min/max`,
//! `created_at_min/max`, orders' `status=open|closed|cancelled|any` (default open), `fields`,
//! `order=id|created_at|updated_at asc|desc`), single objects (`orders/{id}.json`) and counts
//! (`orders/count.json`). Time parameters are read by `shop_time.rs`: a date or a time
//! without an offset is on the shop's clock, in its IANA zone; a malformed one is a 400.
//!
//! Lists page by `Link: <https://{shop}/admin/api/{version}/orders.json?limit=…&page_info=…>;
//! rel="next"` (and `rel="previous"`): like Shopify's, the link names the shop's own domain,
//! not the address the request came to, so a client reaches the next page by the link's path
//! and query (as Shopify's Node library builds it) on its own connection to the simulator.
//! The `page_info` token carries the filters and the order, so a request with one may only
//! add `limit` and `fields`, as on Shopify. Every answer carries `X-Shopify-Shop-Api-Call-Limit: used/40` from
//! the shop's REST bucket (40 requests leaking at the plan's rate); a full bucket answers 429
//! with `Retry-After`. Bodies are the same REST JSON as webhooks ([`crate::store::rest`]).
//! A resource outside the token's scopes answers `403` (`access.rs`); without
//! `read_all_orders`, orders older than 60 days are absent (`store/visibility.rs`).

use std::collections::HashMap;
use std::sync::Arc;
use xeno_shopify::headers;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::access::{
    authorized, injected_fault, rest_denied, scope_for_rest_resource, INVALID_TOKEN,
};
use crate::destroy_events::{self, EventFilters};
use crate::shop_time;
use crate::state::Shared;
use crate::store::rest as render;
use crate::store::visibility::OrderVisibility;
use crate::store::{Kind, Store};
use crate::webhooks::lock;

/// Largest `limit`.
pub const MAX_LIMIT: usize = 250;
/// Size of the REST bucket.
pub const BUCKET_SIZE: f64 = 40.0;

/// REST routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/admin/oauth/access_scopes.json", get(access_scopes))
        .route("/admin/api/{version}/{resource}", get(collection))
        .route("/admin/api/{version}/{resource}/{item}", get(member))
}

/// Filters of a list request; also the content of a `page_info` token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Filters {
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    since_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at_min: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at_max: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at_min: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at_max: Option<DateTime<Utc>>,
    #[serde(default)]
    order: Order,
    /// Page boundary: the sort keys after (next) or before (previous) this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<SortKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<SortKey>,
}

/// What `order=` sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
enum OrderBy {
    #[default]
    Id,
    CreatedAt,
    UpdatedAt,
}

/// `order=<field> <asc|desc>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Order {
    by: OrderBy,
    descending: bool,
}

/// An object's position in a listing: its sort value (epoch seconds, or the id), then its id.
type SortKey = (i64, u64);

impl Order {
    /// Whether key `a` comes after key `b` in this order.
    fn comes_after(self, a: SortKey, b: SortKey) -> bool {
        if self.descending {
            a < b
        } else {
            a > b
        }
    }

    fn key(self, (id, created, updated, ..): &IndexRow) -> SortKey {
        match self.by {
            OrderBy::Id => (*id as i64, *id),
            OrderBy::CreatedAt => (created.timestamp(), *id),
            OrderBy::UpdatedAt => (updated.timestamp(), *id),
        }
    }
}

fn error(status: StatusCode, errors: Value) -> Response {
    (status, Json(json!({ "errors": errors }))).into_response()
}

/// Why a REST request is refused.
#[derive(Debug, thiserror::Error)]
enum RestError {
    #[error("bad request: {0}")]
    BadRequest(Value),
    #[error("unauthorized")]
    Unauthorized,
    #[error("throttled")]
    Throttled {
        call_limit: HeaderValue,
        retry_after: f64,
    },
    #[error("injected fault")]
    Fault(Box<Response>),
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        match self {
            RestError::BadRequest(v) => error(StatusCode::BAD_REQUEST, v),
            RestError::Unauthorized => error(StatusCode::UNAUTHORIZED, json!(INVALID_TOKEN)),
            RestError::Throttled {
                call_limit,
                retry_after,
            } => {
                let mut resp = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    json!("Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."),
                );
                resp.headers_mut()
                    .insert(headers::API_CALL_LIMIT, call_limit);
                resp.headers_mut().insert(
                    headers::RETRY_AFTER,
                    HeaderValue::from_str(&format!("{retry_after:.1}")).expect("ascii"),
                );
                resp
            }
            RestError::Fault(r) => *r,
        }
    }
}

/// A time parameter read as Shopify reads it (`shop_time.rs`): a date or an offsetless time is
/// on the shop's wall clock; anything else unreadable is a 400 naming the parameter.
fn parse_time(
    params: &HashMap<String, String>,
    key: &str,
    zone: Tz,
) -> Result<Option<DateTime<Utc>>, RestError> {
    match params.get(key) {
        None => Ok(None),
        Some(v) => shop_time::parse(v, zone)
            .map(Some)
            .map_err(|e| RestError::BadRequest(json!({ key: e.to_string() }))),
    }
}

/// `order=<field> <asc|desc>`: `id`, `created_at` or `updated_at` (default `id asc`).
fn parse_order(params: &HashMap<String, String>) -> Result<Order, RestError> {
    let Some(v) = params.get("order") else {
        return Ok(Order::default());
    };
    let bad = || {
        RestError::BadRequest(json!({
            "order": format!("{v} is not one of id, created_at, updated_at followed by asc or desc")
        }))
    };
    let mut words = v.split_whitespace();
    let by = match words.next() {
        Some("id") => OrderBy::Id,
        Some("created_at") => OrderBy::CreatedAt,
        Some("updated_at") => OrderBy::UpdatedAt,
        _ => return Err(bad()),
    };
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => false,
        Some("desc") => true,
        _ => return Err(bad()),
    };
    if words.next().is_some() {
        return Err(bad());
    }
    Ok(Order { by, descending })
}

fn filters_from(params: &HashMap<String, String>, zone: Tz) -> Result<Filters, RestError> {
    if let Some(token) = params.get("page_info") {
        if let Some(extra) = params
            .keys()
            .find(|k| !matches!(k.as_str(), "page_info" | "limit" | "fields"))
        {
            return Err(RestError::BadRequest(
                json!({"page_info": format!("page_info cannot be combined with {extra}")}),
            ));
        }
        let invalid = || RestError::BadRequest(json!({"page_info": "Invalid value."}));
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        return serde_json::from_slice(&bytes).map_err(|_| invalid());
    }
    Ok(Filters {
        status: params.get("status").cloned(),
        since_id: match params.get("since_id") {
            Some(v) => {
                Some(v.parse().map_err(|_| {
                    RestError::BadRequest(json!({"since_id": "expected an integer"}))
                })?)
            }
            None => None,
        },
        updated_at_min: parse_time(params, "updated_at_min", zone)?,
        updated_at_max: parse_time(params, "updated_at_max", zone)?,
        created_at_min: parse_time(params, "created_at_min", zone)?,
        created_at_max: parse_time(params, "created_at_max", zone)?,
        order: parse_order(params)?,
        after: None,
        before: None,
    })
}

/// Takes one request from the REST bucket; `Err` is the 429.
fn take_call(shared: &Shared) -> Result<HeaderValue, RestError> {
    let now = tokio::time::Instant::now();
    let mut bucket = lock(&shared.rest_bucket);
    let header = |available: f64| {
        let used = (BUCKET_SIZE - available).ceil().clamp(0.0, BUCKET_SIZE) as u32;
        HeaderValue::from_str(&format!("{used}/{}", BUCKET_SIZE as u32)).expect("ascii")
    };
    match bucket.try_take(now, 1.0) {
        Ok(level) => Ok(header(level.currently_available)),
        Err(level) => Err(RestError::Throttled {
            call_limit: header(level.currently_available),
            retry_after: bucket.wait_for(now, 1.0).max(0.1),
        }),
    }
}

/// Faults, token and bucket, in Shopify's order; `Ok` carries the call-limit header.
async fn admit(shared: &Shared, headers: &HeaderMap) -> Result<HeaderValue, RestError> {
    if let Some(fault) = injected_fault(shared).await {
        return Err(RestError::Fault(Box::new(fault)));
    }
    if !authorized(shared, headers) {
        return Err(RestError::Unauthorized);
    }
    take_call(shared)
}

fn with_limit_header(mut resp: Response, limit: HeaderValue) -> Response {
    resp.headers_mut().insert(headers::API_CALL_LIMIT, limit);
    resp
}

async fn access_scopes(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    match admit(&shared, &headers).await {
        Err(r) => r.into_response(),
        Ok(limit) => {
            let scopes: Vec<Value> = shared
                .config
                .scopes
                .iter()
                .map(|h| json!({"handle": h}))
                .collect();
            with_limit_header(
                Json(json!({"access_scopes": scopes})).into_response(),
                limit,
            )
        }
    }
}

fn shop_json(store: &Store) -> Value {
    let s = &store.shop;
    let zone = shop_time::zone(&s.iana_timezone);
    json!({"shop": {
        "id": s.id,
        "name": s.name,
        "email": s.email,
        "domain": s.domain,
        "myshopify_domain": s.domain,
        "currency": s.currency,
        "iana_timezone": s.iana_timezone,
        "timezone": shop_time::label(zone, s.created_at),
        "plan_name": format!("{:?}", s.plan).to_lowercase(),
        "plan_display_name": s.plan.display_name(),
        "created_at": render::time(s.created_at, zone),
        "updated_at": render::time(s.created_at, zone),
        "country_code": "US",
        "money_format": "${{amount}}",
    }})
}

fn kind_of(resource: &str) -> Option<Kind> {
    match resource {
        "orders" => Some(Kind::Order),
        "customers" => Some(Kind::Customer),
        "products" => Some(Kind::Product),
        "locations" => Some(Kind::Location),
        _ => None,
    }
}

/// The scope `resource` needs and the token lacks (answered `403`).
fn missing_scope(shared: &Shared, resource: &str) -> Option<&'static str> {
    scope_for_rest_resource(resource)
        .filter(|scope| !shared.config.scopes.iter().any(|s| s == scope))
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, json!("Not Found"))
}

/// `(id, created_at, updated_at, open, cancelled)` of a live object.
type IndexRow = (u64, DateTime<Utc>, DateTime<Utc>, bool, bool);

/// The [`IndexRow`] of every live object of a kind the token may see.
fn index(store: &Store, kind: Kind, visible: OrderVisibility) -> Vec<IndexRow> {
    match kind {
        Kind::Order => store
            .orders
            .values()
            .filter(|o| visible.shows(o.created_at))
            .map(|o| {
                (
                    o.id,
                    o.created_at,
                    o.updated_at,
                    o.closed_at.is_none(),
                    o.cancelled_at.is_some(),
                )
            })
            .collect(),
        Kind::Customer => store
            .customers
            .values()
            .map(|c| (c.id, c.created_at, c.updated_at, true, false))
            .collect(),
        Kind::Product => store
            .products
            .values()
            .map(|p| (p.id, p.created_at, p.updated_at, true, false))
            .collect(),
        Kind::Location => store
            .locations
            .values()
            .map(|l| (l.id, l.created_at, l.updated_at, true, false))
            .collect(),
    }
}

/// The objects a listing shows, with their sort keys, in the listing's order.
fn matching(
    store: &Store,
    kind: Kind,
    visible: OrderVisibility,
    f: &Filters,
) -> Result<Vec<(SortKey, u64)>, RestError> {
    let status = f
        .status
        .as_deref()
        .unwrap_or(if kind == Kind::Order { "open" } else { "any" });
    if kind == Kind::Order && !matches!(status, "open" | "closed" | "cancelled" | "any") {
        return Err(RestError::BadRequest(
            json!({"status": "must be open, closed, cancelled or any"}),
        ));
    }
    let mut listed: Vec<(SortKey, u64)> = index(store, kind, visible)
        .into_iter()
        .filter(|(id, created, updated, open, cancelled)| {
            let status_ok = kind != Kind::Order
                || match status {
                    "open" => *open && !*cancelled,
                    "closed" => !*open,
                    "cancelled" => *cancelled,
                    _ => true,
                };
            status_ok
                && f.since_id.is_none_or(|s| *id > s)
                && f.updated_at_min.is_none_or(|t| *updated >= t)
                && f.updated_at_max.is_none_or(|t| *updated <= t)
                && f.created_at_min.is_none_or(|t| *created >= t)
                && f.created_at_max.is_none_or(|t| *created <= t)
        })
        .map(|row| (f.order.key(&row), row.0))
        .collect();
    listed.sort_unstable();
    if f.order.descending {
        listed.reverse();
    }
    Ok(listed)
}

fn project(v: Value, fields: Option<&String>) -> Value {
    match (fields, v) {
        (Some(list), Value::Object(obj)) => {
            let keep: Vec<&str> = list.split(',').map(str::trim).collect();
            Value::Object(
                obj.into_iter()
                    .filter(|(k, _)| keep.contains(&k.as_str()))
                    .collect(),
            )
        }
        (_, v) => v,
    }
}

fn token(f: &Filters) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(f).expect("filters serialize"))
}

async fn collection(
    State(shared): State<Arc<Shared>>,
    Path((version, resource)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let limit_header = match admit(&shared, &headers).await {
        Ok(h) => h,
        Err(r) => return r.into_response(),
    };
    if let Some(scope) = missing_scope(&shared, &resource) {
        return with_limit_header(rest_denied(scope), limit_header);
    }
    let resp = list(&shared, &version, &resource, &params);
    with_limit_header(resp, limit_header)
}

fn list(
    shared: &Shared,
    version: &str,
    resource: &str,
    params: &HashMap<String, String>,
) -> Response {
    let store = shared.store.read().unwrap_or_else(|e| e.into_inner());
    if resource == "shop.json" {
        return Json(shop_json(&store)).into_response();
    }
    if resource == "events.json" {
        return match events(&store, params) {
            Ok(v) => Json(v).into_response(),
            Err(r) => r.into_response(),
        };
    }
    let Some(kind) = resource.strip_suffix(".json").and_then(kind_of) else {
        return not_found();
    };
    let limit = match parse_limit(params) {
        Ok(n) => n,
        Err(r) => return r.into_response(),
    };
    let filters = match filters_from(params, shop_time::zone(&store.shop.iana_timezone)) {
        Ok(f) => f,
        Err(r) => return r.into_response(),
    };
    let listed = match matching(&store, kind, OrderVisibility::of(&shared.config), &filters) {
        Ok(listed) => listed,
        Err(r) => return r.into_response(),
    };
    let order = filters.order;
    let page: Vec<(SortKey, u64)> = match (filters.after, filters.before) {
        (_, Some(before)) => {
            let earlier: Vec<(SortKey, u64)> = listed
                .iter()
                .copied()
                .filter(|(k, _)| order.comes_after(before, *k))
                .collect();
            earlier[earlier.len().saturating_sub(limit)..].to_vec()
        }
        (Some(after), _) => listed
            .iter()
            .copied()
            .filter(|(k, _)| order.comes_after(*k, after))
            .take(limit)
            .collect(),
        _ => listed.iter().copied().take(limit).collect(),
    };
    let objects: Vec<Value> = page
        .iter()
        .filter_map(|(_, id)| render::live_object(&store, kind, *id))
        .map(|v| project(v, params.get("fields")))
        .collect();
    // Shopify's links name the shop's own domain, whatever address the request came to.
    let base = format!(
        "https://{}/admin/api/{version}/{resource}",
        store.shop.domain
    );
    let links = page_links(&base, limit, params.get("fields"), &listed, &page, &filters);
    let key = resource.trim_end_matches(".json");
    let mut resp = Json(json!({ key: objects })).into_response();
    if !links.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            resp.headers_mut().insert("Link", v);
        }
    }
    resp
}

/// `events.json`: destroy events (`destroy_events.rs`), with the REST time rules and `limit`.
fn events(store: &Store, params: &HashMap<String, String>) -> Result<Value, RestError> {
    let zone = shop_time::zone(&store.shop.iana_timezone);
    let limit = parse_limit(params)?;
    let mut filters = EventFilters::from_params(params)
        .map_err(|(key, message)| RestError::BadRequest(json!({ key: message })))?;
    filters.created_at_min = parse_time(params, "created_at_min", zone)?;
    filters.created_at_max = parse_time(params, "created_at_max", zone)?;
    let events: Vec<Value> = destroy_events::list(store, &filters, limit)
        .into_iter()
        .map(|v| project(v, params.get("fields")))
        .collect();
    Ok(json!({ "events": events }))
}

/// `limit`: 1 to [`MAX_LIMIT`], 50 when absent.
fn parse_limit(params: &HashMap<String, String>) -> Result<usize, RestError> {
    match params.get("limit").map(|l| l.parse::<usize>()) {
        None => Ok(50),
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(RestError::BadRequest(
            json!({"limit": format!("must be between 1 and {MAX_LIMIT}")}),
        )),
    }
}

/// The `Link` header's `rel="previous"` and `rel="next"` of a `page` of the `listed` objects,
/// each carrying the filters in its `page_info` token.
fn page_links(
    base: &str,
    limit: usize,
    fields: Option<&String>,
    listed: &[(SortKey, u64)],
    page: &[(SortKey, u64)],
    filters: &Filters,
) -> Vec<String> {
    let mut links = Vec::new();
    let fields = fields.map(|f| format!("&fields={f}")).unwrap_or_default();
    let order = filters.order;
    if let (Some((first, _)), Some((last, _))) = (page.first(), page.last()) {
        if listed.iter().any(|(k, _)| order.comes_after(*first, *k)) {
            let t = token(&Filters {
                after: None,
                before: Some(*first),
                ..filters.clone()
            });
            links.push(format!(
                "<{base}?limit={limit}{fields}&page_info={t}>; rel=\"previous\""
            ));
        }
        if listed.iter().any(|(k, _)| order.comes_after(*k, *last)) {
            let t = token(&Filters {
                after: Some(*last),
                before: None,
                ..filters.clone()
            });
            links.push(format!(
                "<{base}?limit={limit}{fields}&page_info={t}>; rel=\"next\""
            ));
        }
    }
    links
}

async fn member(
    State(shared): State<Arc<Shared>>,
    Path((_version, resource, item)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let limit_header = match admit(&shared, &headers).await {
        Ok(h) => h,
        Err(r) => return r.into_response(),
    };
    if let Some(scope) = missing_scope(&shared, &resource) {
        return with_limit_header(rest_denied(scope), limit_header);
    }
    let visible = OrderVisibility::of(&shared.config);
    let resp = (|| {
        let kind = kind_of(&resource)?;
        let item = item.strip_suffix(".json")?;
        let store = shared.store.read().unwrap_or_else(|e| e.into_inner());
        if item == "count" {
            let zone = shop_time::zone(&store.shop.iana_timezone);
            let counted =
                filters_from(&params, zone).and_then(|f| matching(&store, kind, visible, &f));
            return Some(match counted {
                Ok(ids) => Json(json!({"count": ids.len()})).into_response(),
                Err(r) => r.into_response(),
            });
        }
        let id: u64 = item.parse().ok()?;
        if kind == Kind::Order
            && !store
                .orders
                .get(&id)
                .is_some_and(|o| visible.shows(o.created_at))
        {
            return None;
        }
        let v = render::live_object(&store, kind, id)?;
        let key = resource.trim_end_matches('s');
        Some(Json(json!({ key: project(v, params.get("fields")) })).into_response())
    })()
    .unwrap_or_else(not_found);
    with_limit_header(resp, limit_header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_tokens_round_trip() {
        let f = Filters {
            status: Some("any".into()),
            after: Some((1_700_000_000, 5)),
            order: Order {
                by: OrderBy::UpdatedAt,
                descending: true,
            },
            ..Filters::default()
        };
        let back: Filters =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token(&f)).unwrap()).unwrap();
        assert_eq!(back.after, Some((1_700_000_000, 5)));
        assert_eq!(back.order, f.order);
        assert_eq!(back.status.as_deref(), Some("any"));
    }
}
