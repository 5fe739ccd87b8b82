//! Liveness, readiness and metrics: no token needed (load balancers and Prometheus call them),
//! and nothing of any store's data in the answers. The `check_*` probes are shared with
//! `GET /api/health` (`engine/src/api/health.rs`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use xeno_api_types::health::Readiness;

use crate::http::state::AppState;

/// The process is up and serving.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "probes",
    summary = "Liveness",
    responses(
        (status = 200, description = "The process serves.", content_type = "text/plain", body = String, example = "ok\n"),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
    ),
)]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// PostgreSQL and JetStream both reachable: 200; otherwise 503 naming which is not.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "probes",
    summary = "Readiness: PostgreSQL and JetStream reachable",
    responses(
        (status = 200, description = "Both reachable.", body = xeno_api_types::health::Readiness),
        (status = 503, description = "One is not (`down: <why>`).", body = xeno_api_types::health::Readiness),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
    ),
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let (pg, js) = tokio::join!(check_postgres(&state), check_jetstream(&state));
    let ok = pg.is_ok() && js.is_ok();
    let describe = |r: &Result<(), String>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("down: {e}"),
    };
    let body = Readiness {
        postgres: describe(&pg),
        jetstream: describe(&js),
        roles: state.config.server.roles.names(),
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

pub async fn check_postgres(state: &AppState) -> Result<(), String> {
    let probe = async {
        let client = state.pool.get().await.map_err(|e| e.to_string())?;
        client
            .simple_query("SELECT 1")
            .await
            .map_err(|e| e.to_string())?;
        Ok::<(), String>(())
    };
    tokio::time::timeout(Duration::from_secs(2), probe)
        .await
        .unwrap_or_else(|_| Err("timed out".into()))
}

pub async fn check_jetstream(state: &AppState) -> Result<(), String> {
    if state.nats.connection_state() != async_nats::connection::State::Connected {
        return Err("not connected to NATS".into());
    }
    if !state.bridge.is_ready() {
        return Err("stream not set up yet".into());
    }
    let probe = async {
        state
            .js
            .get_stream(&state.names.stream)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(Duration::from_secs(2), probe)
        .await
        .unwrap_or_else(|_| Err("timed out".into()))
}

/// Prometheus text exposition.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "probes",
    summary = "Prometheus metrics",
    responses(
        (status = 200, description = "OpenMetrics text exposition (`docs/operations.md` lists the metrics).", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
    ),
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}
