//! The simulator's HTTP server: the Admin API routes ([`crate::graphql`], [`crate::rest`]),
//! bulk-operation downloads from signed URLs ([`crate::storage`]), and the simulator's own `/_sim/summary` and `/_sim/export`.
//!
//! # `GET /_sim/export`
//!
//! The whole store as JSON Lines, one object a line, from one consistent snapshot:
//!
//! ```text
//! {"type":"customer","deleted":false,"data":{…REST customer JSON, as in customers/update…}}
//! {"type":"customer","deleted":true,"data":{"id":7000000012345,"phone":null,"addresses":[],"tax_exemptions":[],"admin_graphql_api_id":"gid://shopify/Customer/7000000012345"}}
//! {"type":"product","deleted":false,"data":{…REST product JSON…}}
//! {"type":"product","deleted":true,"data":{"id":7000000012399}}
//! {"type":"order","deleted":false,"data":{…REST order JSON, as in orders/updated…}}
//! {"type":"order","deleted":true,"data":{"id":7000000012400}}
//! {"type":"transaction","deleted":false,"data":{…REST transaction, as in order_transactions/create…}}
//! {"type":"location","deleted":false,"data":{…REST location JSON, as in locations/update…}}
//! {"type":"location","deleted":true,"data":{"id":7000000012411}}
//! ```
//!
//! Types come in the order customer, product, order, transaction, location; within a type live objects
//! by ascending id, then deleted ones by ascending id. Transactions are those of live orders,
//! by order then in the order they were made. `data` of a live object is exactly the body its
//! latest webhook carried; of a deleted one, the body of its delete webhook.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::state::Shared;
use crate::store::rest::{self, Render};
use crate::store::{Kind, Store};
use crate::summary::Summary;

/// All routes of the simulator.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sim/summary", get(summary))
        .route("/_sim/export", get(export))
        .route(&crate::storage::route(), get(crate::storage::download))
        .route(
            "/admin/api/{version}/graphql.json",
            post(crate::graphql::handler::handler),
        )
        .merge(crate::rest::routes())
        .layer(axum::middleware::from_fn(api_version))
        .with_state(shared)
}

/// Versions as Shopify serves them, for every `/admin/api/{version}/…` request: a supported
/// version is served as itself, a retired one as the oldest supported
/// (`xeno_shopify::versions::served_as`), anything else is a 404. Every answer carries
/// `X-Shopify-API-Version` (the version served) and a fresh `X-Request-Id`.
async fn api_version(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let served = match request.uri().path().strip_prefix("/admin/api/") {
        None => None,
        Some(rest) => {
            let asked = rest.split('/').next().unwrap_or("");
            match xeno_shopify::versions::served_as(asked) {
                Some(v) => Some(v),
                None => {
                    return (
                        StatusCode::NOT_FOUND,
                        Json(serde_json::json!({"errors": "Not Found"})),
                    )
                        .into_response()
                }
            }
        }
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(v) = served {
        headers.insert(
            xeno_shopify::headers::API_VERSION,
            header::HeaderValue::from_static(v),
        );
    }
    if let Ok(id) = header::HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        headers.insert("X-Request-Id", id);
    }
    response
}

async fn summary(State(shared): State<Arc<Shared>>) -> Json<Summary> {
    Json(Summary::of(
        &shared.store.read().unwrap_or_else(|e| e.into_inner()),
    ))
}

/// Every export line of `store`, in the documented order.
pub fn export_lines(store: &Store) -> impl Iterator<Item = String> + '_ {
    let m = Render::for_shop(&store.shop);
    // Written by hand so the keys keep the documented order (type, deleted, data).
    let line = |kind: Kind, deleted: bool, data: serde_json::Value| {
        format!(
            r#"{{"type":"{}","deleted":{deleted},"data":{data}}}"#,
            kind.as_str()
        )
    };
    let tombstones = move |kind: Kind| {
        store
            .deleted
            .keys()
            .filter(move |(k, _)| *k == kind)
            .map(move |(k, id)| line(*k, true, rest::deleted_object(*k, *id)))
    };
    let customers = store
        .customers
        .values()
        .map(move |c| line(Kind::Customer, false, rest::customer(c, &m)));
    let products = store
        .products
        .values()
        .map(move |p| line(Kind::Product, false, rest::product(p, &m)));
    let orders = store
        .orders
        .values()
        .map(move |o| line(Kind::Order, false, rest::order(o, &m)));
    let locations = store
        .locations
        .values()
        .map(move |l| line(Kind::Location, false, rest::location(l, &m)));
    // Written by hand too: `transaction` is a line type of the export, not a store kind.
    let transactions = store.orders.values().flat_map(move |o| {
        o.transactions.iter().map(move |t| {
            format!(
                r#"{{"type":"transaction","deleted":false,"data":{}}}"#,
                rest::transaction(t, &m)
            )
        })
    });
    customers
        .chain(tombstones(Kind::Customer))
        .chain(products)
        .chain(tombstones(Kind::Product))
        .chain(orders)
        .chain(tombstones(Kind::Order))
        .chain(transactions)
        .chain(locations)
        .chain(tombstones(Kind::Location))
}

async fn export(State(shared): State<Arc<Shared>>) -> Response {
    let snapshot = shared
        .store
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    tokio::task::spawn_blocking(move || {
        let mut chunk = String::with_capacity(64 * 1024);
        for line in export_lines(&snapshot) {
            chunk.push_str(&line);
            chunk.push('\n');
            if chunk.len() >= 60 * 1024
                && tx
                    .blocking_send(Ok(Bytes::from(std::mem::take(&mut chunk))))
                    .is_err()
            {
                return;
            }
        }
        if !chunk.is_empty() {
            let _ = tx.blocking_send(Ok(Bytes::from(chunk)));
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (
        [(header::CONTENT_TYPE, "application/jsonl")],
        Body::from_stream(stream),
    )
        .into_response()
}
