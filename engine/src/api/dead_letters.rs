//! Dead letters: list them and replay them.
//!
//! `GET /api/dead-letters?shop=&limit=&replayed=true`, `POST /api/dead-letters/{id}/replay`,
//! `POST /api/dead-letters/replay?shop=` (every open one the token sees, at most
//! [`REPLAY_ALL_MAX`] per call).
//!
//! A replay republishes the stored headers and payload on the original subject through the
//! JetStreamBridge (`engine/src/bus/bridge.rs`, which answers after the PubAck), with
//! `Nats-Msg-Id` set to `{original}:replay:{dead letter id}:{random}` so the stream's dedupe
//! window does not swallow it, and the writers apply it again. `replayed_at` is set in the
//! same transaction that locks the row, committed only after the PubAck, so two replays of
//! one letter cannot both publish and a failed publish leaves the letter open. The SQL is in
//! `engine/src/store/dead_letters.rs`.
//!
//! Receipts: a webhook's `webhook_receipts` row is inserted in the same transaction as its
//! effect, so a message that ended in `dead_letters` left no receipt and its replay is applied
//! normally. If Shopify redelivered the same webhook later and that delivery succeeded, the
//! receipt exists and the replay is (correctly) a duplicate no-op. Nothing is deleted here.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;
use xeno_api_types::dead_letters::{
    DeadLetterView, DeadLettersResponse, ReplayFailure, ReplayResponse,
};

use super::auth::Access;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use crate::http::state::AppState;
use crate::store::dead_letters::{self as store, DeadLetterSummary, Replayable, Visible};

/// Most dead letters one "replay all" call republishes.
pub const REPLAY_ALL_MAX: i64 = 1000;

fn view(d: DeadLetterSummary) -> DeadLetterView {
    DeadLetterView {
        id: d.id,
        shop: d.shop_domain,
        topic: d.topic,
        msg_id: d.msg_id,
        subject: d.subject,
        reason: d.reason,
        deliveries: d.deliveries,
        created_at: d.created_at,
        replayed_at: d.replayed_at,
        payload_bytes: d.payload_bytes.max(0) as usize,
        payload_preview: String::from_utf8_lossy(&d.payload_head).into_owned(),
    }
}

/// `GET /api/dead-letters`
#[utoipa::path(
    get,
    path = "/api/dead-letters",
    tag = "dead-letters",
    summary = "List dead letters",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "At most this many (default 100), newest first."),
        ("replayed" = Option<bool>, Query, description = "Include replayed ones (`true`/`false`/`1`/`0`, default false)."),
    ),
    responses(
        (status = 200, description = "The dead letters and the number still open.", body = xeno_api_types::dead_letters::DeadLettersResponse),
        (status = 400, description = "A malformed `shop`, `limit` or `replayed`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<DeadLettersResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let visible = Visible {
        shops: &shops,
        engine_wide: access.all_shops() && params.get("shop").is_none(),
    };
    let limit = params.limit("limit", 100, 1000)?;
    let include_replayed = params.flag("replayed")?;
    let client = state.pool.get().await?;
    let rows = store::list_visible(&**client, visible, include_replayed, limit).await?;
    let open_count = store::count_open(&**client, visible).await?;
    Ok(Json(DeadLettersResponse {
        dead_letters: rows.into_iter().map(view).collect(),
        open_count,
    }))
}

/// The `Nats-Msg-Id` of a replay: unique per attempt, traceable to the original.
pub fn replay_msg_id(original: Option<&str>, id: i64) -> String {
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "{}:replay:{id}:{}",
        original.unwrap_or("dead-letter"),
        &suffix[..12]
    )
}

/// The stored headers (a JSON object) with a fresh replay `Nats-Msg-Id`.
fn replay_headers(letter: &Replayable, id: i64) -> async_nats::HeaderMap {
    let mut map = async_nats::HeaderMap::new();
    if let Value::Object(h) = &letter.headers {
        for (k, v) in h {
            if let Some(v) = v.as_str() {
                map.insert(k.as_str(), v);
            }
        }
    }
    map.insert(
        async_nats::header::NATS_MESSAGE_ID,
        replay_msg_id(letter.msg_id.as_deref(), id).as_str(),
    );
    map
}

/// Republishes one locked, open dead letter and marks it; the caller's transaction commits.
async fn replay_row(
    state: &AppState,
    tx: &deadpool_postgres::Transaction<'_>,
    id: i64,
) -> Result<(), String> {
    let letter = store::lock_open(&**tx, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "already replayed or being replayed".to_string())?;
    let headers = replay_headers(&letter, id);
    state
        .bridge
        .republish(letter.subject, headers, letter.payload.into())
        .await
        .map_err(|e| e.to_string())?;
    store::mark_replayed(&**tx, id)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(dead_letter = id, "dead letter replayed to JetStream");
    Ok(())
}

async fn replay_ids(state: &AppState, ids: Vec<i64>) -> ApiResult<ReplayResponse> {
    let mut client = state.pool.get().await?;
    let mut out = ReplayResponse::default();
    for id in ids {
        let tx = client.transaction().await?;
        match replay_row(state, &tx, id).await {
            Ok(()) => match tx.commit().await {
                Ok(()) => out.replayed.push(id),
                Err(e) => out.failed.push(ReplayFailure {
                    id,
                    error: format!("published, but marking it failed: {e}"),
                }),
            },
            Err(error) => {
                let _ = tx.rollback().await;
                out.failed.push(ReplayFailure { id, error });
            }
        }
    }
    Ok(out)
}

/// `POST /api/dead-letters/{id}/replay`
#[utoipa::path(
    post,
    path = "/api/dead-letters/{id}/replay",
    tag = "dead-letters",
    summary = "Replay one dead letter",
    params(
        ("id" = i64, Path, description = "The dead letter's id."),
    ),
    responses(
        (status = 200, description = "Republished after JetStream's PubAck and marked replayed.", body = xeno_api_types::dead_letters::ReplayResponse),
        (status = 400, description = "`id` is not a number.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "No such dead letter among the shops the token sees.", body = xeno_api_types::error::ErrorBody),
        (status = 409, description = "Already replayed.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn replay_one(
    State(state): State<AppState>,
    access: Access,
    Path(id): Path<String>,
) -> ApiResult<Json<ReplayResponse>> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::bad_parameter("id", format!("`{id}` is not a dead letter id")))?;
    let shops = access.visible_shops(&state.config);
    let visible = Visible {
        shops: &shops,
        engine_wide: access.all_shops(),
    };
    let client = state.pool.get().await?;
    let replayed = store::replayed(&**client, visible, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no dead letter {id}")))?;
    drop(client);
    if replayed {
        return Err(ApiError::conflict(format!(
            "dead letter {id} was already replayed"
        )));
    }
    let result = replay_ids(&state, vec![id]).await?;
    if let Some(f) = result.failed.first() {
        return Err(ApiError::unavailable("JetStream", &f.error));
    }
    Ok(Json(result))
}

/// `POST /api/dead-letters/replay?shop=`
#[utoipa::path(
    post,
    path = "/api/dead-letters/replay",
    tag = "dead-letters",
    summary = "Replay every open dead letter",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
    ),
    responses(
        (status = 200, description = "What was republished (at most 1000 per call) and what failed.", body = xeno_api_types::dead_letters::ReplayResponse),
        (status = 400, description = "A malformed `shop`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn replay_all(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<ReplayResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let visible = Visible {
        shops: &shops,
        engine_wide: access.all_shops() && params.get("shop").is_none(),
    };
    let client = state.pool.get().await?;
    let ids = store::open_ids(&**client, visible, REPLAY_ALL_MAX).await?;
    drop(client);
    Ok(Json(replay_ids(&state, ids).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_ids_are_unique_and_traceable() {
        let a = replay_msg_id(Some("wh-1"), 7);
        let b = replay_msg_id(Some("wh-1"), 7);
        assert!(a.starts_with("wh-1:replay:7:"));
        assert_ne!(a, b);
        assert!(replay_msg_id(None, 3).starts_with("dead-letter:replay:3:"));
    }
}
