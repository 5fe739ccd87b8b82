//! Dead letters: list them and replay them.
//!
//! `GET /api/dead-letters?shop=&limit=&replayed=true`, `POST /api/dead-letters/{id}/replay`,
//! `POST /api/dead-letters/replay?shop=` (every open one the token sees, at most
//! [`REPLAY_ALL_MAX`] per call).
//!
//! A replay republishes the stored headers and payload to JetStream on the original subject,
//! with `Nats-Msg-Id` set to `{original}:replay:{dead letter id}:{random}` so the stream's
//! dedupe window does not swallow it, and the writers apply it again. `replayed_at` is set in
//! the same transaction that locks the row, committed only after the PubAck, so two replays of
//! one letter cannot both publish and a failed publish leaves the letter open.
//!
//! Receipts: a webhook's `webhook_receipts` row is inserted in the same transaction as its
//! effect, so a message that ended in `dead_letters` left no receipt and its replay is applied
//! normally. If Shopify redelivered the same webhook later and that delivery succeeded, the
//! receipt exists and the replay is (correctly) a duplicate no-op. Nothing is deleted here.

use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::auth::Access;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use crate::http::state::AppState;

/// Most dead letters one "replay all" call republishes.
pub const REPLAY_ALL_MAX: i64 = 1000;

#[derive(Debug, Serialize)]
pub struct DeadLetterView {
    pub id: i64,
    pub shop: Option<String>,
    pub topic: Option<String>,
    pub msg_id: Option<String>,
    pub subject: String,
    pub reason: String,
    pub deliveries: i32,
    pub created_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
    pub payload_bytes: usize,
    /// The payload's first 512 bytes as text (lossy), for a look without downloading.
    pub payload_preview: String,
}

#[derive(Debug, Serialize)]
pub struct DeadLettersResponse {
    pub dead_letters: Vec<DeadLetterView>,
    /// Open (not replayed) dead letters the token sees, in total.
    pub open_count: i64,
}

const VISIBLE: &str = "(shop_domain = ANY($1) OR ($2 AND shop_domain IS NULL))";

/// `GET /api/dead-letters`
pub async fn list(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<DeadLettersResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let engine_wide = access.all_shops() && params.get("shop").is_none();
    let limit = params.limit("limit", 100, 1000)?;
    let include_replayed = params.flag("replayed")?;
    let client = state.pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT id, shop_domain, topic, msg_id, subject, reason, deliveries, created_at,
                        replayed_at, length(payload), substring(payload FROM 1 FOR 512)
                 FROM dead_letters WHERE {VISIBLE} AND ($3 OR replayed_at IS NULL)
                 ORDER BY id DESC LIMIT $4"
            ),
            &[&shops, &engine_wide, &include_replayed, &limit],
        )
        .await?;
    let open: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM dead_letters WHERE {VISIBLE} AND replayed_at IS NULL"),
            &[&shops, &engine_wide],
        )
        .await?
        .get(0);
    let dead_letters = rows
        .iter()
        .map(|r| DeadLetterView {
            id: r.get(0),
            shop: r.get(1),
            topic: r.get(2),
            msg_id: r.get(3),
            subject: r.get(4),
            reason: r.get(5),
            deliveries: r.get(6),
            created_at: r.get(7),
            replayed_at: r.get(8),
            payload_bytes: r.get::<_, i32>(9).max(0) as usize,
            payload_preview: String::from_utf8_lossy(r.get::<_, &[u8]>(10)).into_owned(),
        })
        .collect();
    Ok(Json(DeadLettersResponse {
        dead_letters,
        open_count: open,
    }))
}

#[derive(Debug, Serialize)]
pub struct ReplayFailure {
    pub id: i64,
    pub error: String,
}

#[derive(Debug, Serialize, Default)]
pub struct ReplayResponse {
    /// Ids republished (and marked `replayed_at`).
    pub replayed: Vec<i64>,
    pub failed: Vec<ReplayFailure>,
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

/// Republishes one locked, open dead letter and marks it; the caller's transaction commits.
async fn replay_row(
    state: &AppState,
    tx: &deadpool_postgres::Transaction<'_>,
    id: i64,
) -> Result<(), String> {
    let row = tx
        .query_opt(
            "SELECT subject, headers, payload, msg_id FROM dead_letters
             WHERE id = $1 AND replayed_at IS NULL FOR UPDATE SKIP LOCKED",
            &[&id],
        )
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "already replayed or being replayed".to_string())?;
    let subject: String = row.get(0);
    let headers: Value = row.get(1);
    let payload: Vec<u8> = row.get(2);
    let msg_id: Option<String> = row.get(3);

    let mut map = async_nats::HeaderMap::new();
    if let Value::Object(h) = headers {
        for (k, v) in h {
            if let Some(v) = v.as_str() {
                map.insert(k.as_str(), v);
            }
        }
    }
    map.insert(
        async_nats::header::NATS_MESSAGE_ID,
        replay_msg_id(msg_id.as_deref(), id).as_str(),
    );
    let timeout = state.config.server.publish_timeout;
    let publish = async {
        let ack = state
            .js
            .publish_with_headers(subject, map, payload.into())
            .await
            .map_err(|e| e.to_string())?;
        ack.await.map_err(|e| e.to_string())
    };
    tokio::time::timeout(timeout * 2, publish)
        .await
        .map_err(|_| "JetStream did not acknowledge in time".to_string())??;
    tx.execute(
        "UPDATE dead_letters SET replayed_at = now() WHERE id = $1",
        &[&id],
    )
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
pub async fn replay_one(
    State(state): State<AppState>,
    access: Access,
    Path(id): Path<String>,
) -> ApiResult<Json<ReplayResponse>> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::bad_parameter("id", format!("`{id}` is not a dead letter id")))?;
    let shops = access.visible_shops(&state.config);
    let client = state.pool.get().await?;
    let row = client
        .query_opt(
            &format!(
                "SELECT replayed_at IS NOT NULL FROM dead_letters WHERE id = $3 AND {VISIBLE}"
            ),
            &[&shops, &access.all_shops(), &id],
        )
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no dead letter {id}")))?;
    drop(client);
    if row.get::<_, bool>(0) {
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
pub async fn replay_all(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<ReplayResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let engine_wide = access.all_shops() && params.get("shop").is_none();
    let client = state.pool.get().await?;
    let ids: Vec<i64> = client
        .query(
            &format!(
                "SELECT id FROM dead_letters WHERE {VISIBLE} AND replayed_at IS NULL ORDER BY id LIMIT $3"
            ),
            &[&shops, &engine_wide, &REPLAY_ALL_MAX],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
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
