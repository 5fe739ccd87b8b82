//! The one list of every route the engine serves, and the layers around them.
//!
//! | route | handler | token |
//! |---|---|---|
//! | `POST /api/webhooks` | `api/webhook.rs` | HMAC signature |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | `api/probes.rs` | none |
//! | `GET /api/shops` | `api/shops.rs` | bearer |
//! | `GET /api/sync-status` | `api/sync_status.rs` | bearer |
//! | `POST /api/sync`, `GET /api/sync/{id}` | `api/sync.rs` | bearer |
//! | `GET /api/stats`, `GET /api/revenue-series`, `GET /api/top-customers` | `api/analytics.rs` | bearer |
//! | `GET /api/events/stream` (SSE) | `api/events.rs` | bearer or `?access_token=` |
//! | `GET /api/health` | `api/health.rs` | bearer |
//! | `GET /api/completeness` | `api/completeness.rs` | bearer |
//! | `GET /api/dead-letters`, `POST /api/dead-letters/{id}/replay`, `POST /api/dead-letters/replay` | `api/dead_letters.rs` | bearer |
//! | `GET /api/openapi.json` (this table as an OpenAPI 3.1 document) | `api/openapi.rs` | none |
//! | `GET /`, `GET /assets/{*path}` (the embedded dashboard) | `api/assets.rs` | none |
//!
//! The probes are always served; `POST /api/webhooks` only by a process with the `edge`
//! role, everything else only with the `api` role (`[server] roles`,
//! `engine/src/config/roles.rs`); a route of a role the process does not run answers 404.
//!
//! Each handler documents itself (`#[utoipa::path]`) and is listed in `api/openapi.rs`'s
//! `ApiDoc`; `cli/tests/openapi.rs` fails when a route here is missing from the document.
//!
//! Browsers may call the bearer-token routes (all but `POST /api/sync`, which answers the
//! same origin only) cross-origin only from `server.cors_origins`; with none configured
//! there is no CORS header at all (same origin only). Every request is
//! bounded by `server.request_timeout` (408).

use std::time::Duration;

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;

use crate::api::auth::STREAM_PATH;
use crate::api::health::RateSampler;
use crate::api::{
    analytics, assets, completeness, dead_letters, events, health, openapi, probes, shops, sync,
    sync_status, webhook,
};
use crate::config::Role;
use crate::http::state::AppState;

/// Every route of the process's roles, and the probes.
pub fn router(state: AppState) -> Router {
    let timeout = state.config.server.request_timeout;
    let roles = state.config.server.roles;
    let mut router = Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .route("/metrics", get(probes::metrics));
    if roles.has(Role::Edge) {
        router = router.route("/api/webhooks", post(webhook::receive));
    }
    if roles.has(Role::Api) {
        let api = api_routes();
        let api = match cors(&state.config.server.cors_origins) {
            Some(layer) => api.layer(layer),
            None => api,
        };
        router = router
            .route("/api/openapi.json", get(openapi::openapi_json))
            .route("/", get(assets::index))
            .route("/assets/{*path}", get(assets::asset))
            .merge(api)
            .route("/api/sync", post(sync::start_sync));
    }
    router
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout.max(Duration::from_millis(100)),
        ))
        .with_state(state)
}

/// The bearer-token JSON API and the live log (CORS applies to these).
fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/shops", get(shops::shops))
        .route("/api/sync-status", get(sync_status::sync_status))
        .route("/api/sync/{id}", get(sync::run_status))
        .route("/api/stats", get(analytics::stats))
        .route("/api/revenue-series", get(analytics::revenue_series))
        .route("/api/top-customers", get(analytics::top_customers))
        .route(STREAM_PATH, get(events::stream))
        .route("/api/health", get(health::health))
        .route("/api/completeness", get(completeness::completeness))
        .route("/api/dead-letters", get(dead_letters::list))
        .route("/api/dead-letters/replay", post(dead_letters::replay_all))
        .route(
            "/api/dead-letters/{id}/replay",
            post(dead_letters::replay_one),
        )
        .layer(Extension(RateSampler::default()))
}

/// The CORS layer for the configured origins, or none (same origin only).
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
    )
}
