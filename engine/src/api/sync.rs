//! `POST /api/sync`: queues a sync run for a shop and answers 202 with its id.
//!
//! Body `{"shop": "acme.myshopify.com", "mode": "full" | "incremental"}` (mode defaults to
//! incremental). Like every API route it takes the dashboard's bearer token
//! ([`crate::api::auth::Access`]) and only for shops that token may see. The run is a row in
//! `sync_runs`; the shop's SyncActor, in whichever engine process holds the shop's lease,
//! picks it up (woken at once when it lives in this process). `GET /api/sync/{id}` follows
//! that run (`xeno sync` without `--config` watches it there); `GET /api/sync-status` shows
//! every resource's checkpoint.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use ractor::ActorRef;
use serde_json::Value;
use uuid::Uuid;
use xeno_api_types::sync::{SyncQueued, SyncRun};

use super::auth::Access;
use super::error::ApiError;
use crate::http::state::AppState;
use crate::sync::progress;
use crate::sync::shop_sync::{group_name, SyncMsg};
use crate::sync::SyncMode;

/// `POST /api/sync`
#[utoipa::path(
    post,
    path = "/api/sync",
    tag = "api",
    summary = "Queue a sync run for a shop",
    request_body(content = xeno_api_types::sync::SyncRequest, description = "The shop, and `full` or `incremental` (default)."),
    responses(
        (status = 202, description = "The run is queued; the shop's SyncActor picks it up.", body = xeno_api_types::sync::SyncQueued),
        (status = 400, description = "The body is not JSON, or `shop` is missing or malformed, or `mode` is not `full` or `incremental`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 409, description = "The shop has no Admin API access token configured.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn start_sync(
    State(state): State<AppState>,
    access: Access,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        message: format!("the body must be JSON like {{\"shop\": \"acme.myshopify.com\", \"mode\": \"full\"}}: {e}"),
        parameter: None,
    })?;
    let raw_shop = body.get("shop").and_then(Value::as_str).ok_or_else(|| {
        ApiError::bad_parameter("shop", "required: the shop's myshopify.com domain")
    })?;
    let mode = match body.get("mode") {
        None | Some(Value::Null) => SyncMode::Incremental,
        Some(Value::String(m)) => SyncMode::parse(m).ok_or_else(|| {
            ApiError::bad_parameter("mode", format!("`{m}` is not `full` or `incremental`"))
        })?,
        Some(other) => {
            return Err(ApiError::bad_parameter(
                "mode",
                format!("must be \"full\" or \"incremental\", not {other}"),
            ))
        }
    };
    let shop = access
        .select_shops(&state.config, Some(raw_shop))?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("no such shop"))?;
    let has_token = state
        .config
        .shop(&shop)
        .is_some_and(|s| s.access_token.is_some());
    if !has_token {
        return Err(ApiError::conflict(format!(
            "`{shop}` has no access_token_env in the config: the engine cannot call its Admin API"
        )));
    }
    let run_id = progress::queue(&state.pool, &shop, mode, "api")
        .await
        .map_err(|e| ApiError::unavailable("PostgreSQL", e))?;
    for member in ractor::pg::get_members(&group_name(&state.names.stream, &shop)) {
        let _ = ActorRef::<SyncMsg>::from(member).cast(SyncMsg::Wake);
    }
    tracing::info!(shop = %shop, run_id = %run_id, mode = mode.as_str(), token = %access.name, "sync requested");
    Ok((
        StatusCode::ACCEPTED,
        Json(SyncQueued {
            sync_id: run_id.to_string(),
            shop,
            mode: mode.as_str().to_string(),
            state: "queued".to_string(),
        }),
    )
        .into_response())
}

/// `GET /api/sync/{id}`: a run the token may see (another shop's run is "not found", so ids
/// do not tell which shops exist).
#[utoipa::path(
    get,
    path = "/api/sync/{id}",
    tag = "api",
    summary = "One sync run's state and progress",
    params(
        ("id" = String, Path, format = Uuid, description = "The run's `sync_id` from `POST /api/sync`."),
    ),
    responses(
        (status = 200, description = "The run and its latest numbers (about a second old while it runs).", body = xeno_api_types::sync::SyncRun),
        (status = 400, description = "`id` is not a UUID.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "No such run among the shops the token sees.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 503, description = "PostgreSQL unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn run_status(
    State(state): State<AppState>,
    access: Access,
    Path(id): Path<String>,
) -> Result<Json<SyncRun>, ApiError> {
    let run_id = Uuid::parse_str(&id).map_err(|_| {
        ApiError::bad_parameter(
            "id",
            format!("`{id}` is not a sync id (a UUID from POST /api/sync)"),
        )
    })?;
    let run = progress::read(&state.pool, run_id)
        .await
        .map_err(|e| ApiError::unavailable("PostgreSQL", e))?
        .filter(|run| access.select_shops(&state.config, Some(&run.shop)).is_ok())
        .ok_or_else(|| ApiError::not_found(format!("no sync run {run_id}")))?;
    let s = run.snapshot;
    Ok(Json(SyncRun {
        sync_id: run_id.to_string(),
        shop: run.shop,
        mode: run.mode,
        state: run.state,
        resource: s.resource,
        objects_done: s.objects_done,
        objects_total: s.objects_total,
        objects_fixed: s.objects_fixed,
        objects_deleted: s.objects_deleted,
        rate_per_second: s.rate_per_second,
        eta_seconds: s.eta_seconds,
        requests: s.requests,
        points_used: s.points_used,
        throttled_requests: s.throttled_requests,
        throttle_waits: s.throttle_waits,
        throttle_wait_seconds: s.throttle_wait_seconds,
        errors: s.errors,
        last_error: s.last_error,
        elapsed_seconds: s.elapsed_seconds,
    }))
}
