//! The HTTP surface on hyper (axum's router on hyper-util's connection builder, so header
//! read time-outs and graceful shutdown are ours to set).
//!
//! Routes: `POST /api/webhooks` ([`crate::webhook::handler`]), `/healthz`, `/readyz`,
//! `/metrics` ([`health`]), and the API and dashboard mounted by [`crate::api`].

pub mod health;
pub mod server;
pub mod state;

pub use state::AppState;

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use tower_http::timeout::TimeoutLayer;

/// Every route the engine serves.
pub fn router(state: AppState) -> Router {
    let timeout = state.config.server.request_timeout;
    Router::new()
        .route("/api/webhooks", post(crate::webhook::handler::receive))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(crate::api::router(state.clone()))
        .merge(crate::sync::http::routes())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout.max(Duration::from_millis(100)),
        ))
        .with_state(state)
}
