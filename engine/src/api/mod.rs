//! The JSON API and the dashboard, mounted beside the webhook endpoint by [`crate::http`].
//!
//! Every `/api/…` route here needs a bearer token ([`auth`]) and only ever shows the shops
//! that token may see; client mistakes are 4xx JSON naming the parameter ([`error`],
//! [`params`]). Routes:
//!
//! | route | module |
//! |---|---|
//! | `GET /api/shops`, `GET /api/sync-status` | [`shops`] |
//! | `GET /api/stats`, `GET /api/revenue-series`, `GET /api/top-customers` | [`analytics`] |
//! | `GET /api/events/stream` (SSE) | [`events`] |
//! | `GET /api/health` | [`health`] |
//! | `GET /api/dead-letters`, `POST /api/dead-letters/{id}/replay`, `POST /api/dead-letters/replay` | [`dead_letters`] |
//! | `GET /`, `GET /assets/{*path}` (the embedded dashboard, no token) | [`assets`] |
//!
//! Browsers may call the API cross-origin only from `server.cors_origins`; with none
//! configured there is no CORS header at all (same origin only).

pub mod analytics;
pub mod assets;
pub mod auth;
pub mod dead_letters;
pub mod error;
pub mod events;
pub mod health;
pub mod params;
pub mod shops;

use axum::http::{header, HeaderValue, Method};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::http::AppState;

/// Routes of the analytics API and the dashboard.
pub fn router(state: AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/api/shops", get(shops::shops))
        .route("/api/sync-status", get(shops::sync_status))
        .route("/api/stats", get(analytics::stats))
        .route("/api/revenue-series", get(analytics::revenue_series))
        .route("/api/top-customers", get(analytics::top_customers))
        .route(auth::STREAM_PATH, get(events::stream))
        .route("/api/health", get(health::health))
        .route("/api/dead-letters", get(dead_letters::list))
        .route("/api/dead-letters/replay", post(dead_letters::replay_all))
        .route(
            "/api/dead-letters/{id}/replay",
            post(dead_letters::replay_one),
        )
        .layer(Extension(health::RateSampler::default()));
    let api = match cors(&state.config.server.cors_origins) {
        Some(layer) => api.layer(layer),
        None => api,
    };
    Router::new()
        .route("/", get(assets::index))
        .route("/assets/{*path}", get(assets::asset))
        .merge(api)
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
