//! `GET /api/sync-status`: each shop's sync progress per resource, and its latest log lines.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio_postgres::types::ToSql;

use super::auth::Access;
use super::error::ApiResult;
use super::params::Params;
use crate::http::state::AppState;

/// One `sync_state` row with derived progress figures.
#[derive(Debug, Serialize)]
pub struct ResourceSync {
    /// Every column of the `sync_state` row, as stored.
    #[serde(flatten)]
    pub row: serde_json::Map<String, Value>,
    /// Objects per second since the sync started (to its completion if it ended).
    pub rate_per_second: Option<f64>,
    /// `objects_done / objects_total` when the sync knows its total.
    pub progress: Option<f64>,
    /// Seconds left at the current rate, when running with a known total.
    pub eta_seconds: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct ShopSync {
    pub shop: String,
    /// Whether any resource of the shop is syncing now.
    pub running: bool,
    /// The oldest reconciliation among the shop's resources (when the shop was last fully
    /// reconciled), `null` if one never was.
    pub last_reconciled_at: Option<DateTime<Utc>>,
    pub resources: Vec<ResourceSync>,
}

/// A persisted live-log line.
#[derive(Debug, Serialize)]
pub struct LoggedEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub level: String,
    pub shop: Option<String>,
    pub source: String,
    pub message: String,
    pub fields: Value,
}

#[derive(Debug, Serialize)]
pub struct SyncStatusResponse {
    pub shops: Vec<ShopSync>,
    /// The latest log lines of these shops (and engine-wide ones for `["*"]` tokens), newest first.
    pub events: Vec<LoggedEvent>,
}

fn derive(row: serde_json::Map<String, Value>, now: DateTime<Utc>) -> ResourceSync {
    let time = |k: &str| {
        row.get(k)
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    let running = row.get("status").and_then(Value::as_str) == Some("running");
    let done = row
        .get("objects_done")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let total = row
        .get("objects_total")
        .and_then(Value::as_f64)
        .filter(|t| *t > 0.0);
    let rate = time("started_at").and_then(|start| {
        let end = if running {
            Some(now)
        } else {
            time("completed_at")
        }?;
        let secs = (end - start).num_milliseconds() as f64 / 1000.0;
        (secs > 0.0).then(|| done / secs)
    });
    let progress = total.map(|t| (done / t).min(1.0));
    let eta_seconds = match (running, total, rate) {
        (true, Some(t), Some(r)) if r > 0.0 => Some(((t - done).max(0.0)) / r),
        _ => None,
    };
    ResourceSync {
        row,
        rate_per_second: rate,
        progress,
        eta_seconds,
    }
}

/// `GET /api/sync-status?shop=&events=50`
pub async fn sync_status(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<SyncStatusResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let limit = params.limit("events", 50, 500)?;
    let engine_wide = access.all_shops() && params.get("shop").is_none();
    let client = state.pool.get().await?;
    let sync_args: [&(dyn ToSql + Sync); 1] = [&shops];
    let event_args: [&(dyn ToSql + Sync); 3] = [&shops, &engine_wide, &limit];
    let (syncs, events) = tokio::join!(
        client.query(
            "SELECT shop_domain, to_jsonb(s) FROM sync_state s
             WHERE shop_domain = ANY($1) ORDER BY shop_domain, resource",
            &sync_args,
        ),
        client.query(
            "SELECT id, at, level, shop_domain, source, message, fields FROM event_log
             WHERE shop_domain = ANY($1) OR ($2 AND shop_domain IS NULL)
             ORDER BY at DESC, id DESC LIMIT $3",
            &event_args,
        )
    );
    let now = Utc::now();
    let mut by_shop: BTreeMap<String, Vec<ResourceSync>> = BTreeMap::new();
    for row in syncs? {
        let shop: String = row.get(0);
        if let Value::Object(map) = row.get::<_, Value>(1) {
            by_shop.entry(shop).or_default().push(derive(map, now));
        }
    }
    let shops = shops
        .into_iter()
        .map(|shop| {
            let resources = by_shop.remove(&shop).unwrap_or_default();
            let running = resources
                .iter()
                .any(|r| r.row.get("status").and_then(Value::as_str) == Some("running"));
            let reconciled: Vec<Option<DateTime<Utc>>> = resources
                .iter()
                .map(|r| {
                    r.row
                        .get("last_reconciled_at")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc))
                })
                .collect();
            let last_reconciled_at =
                if reconciled.is_empty() || reconciled.iter().any(Option::is_none) {
                    None
                } else {
                    reconciled.into_iter().flatten().min()
                };
            ShopSync {
                shop,
                running,
                last_reconciled_at,
                resources,
            }
        })
        .collect();
    let events = events?
        .iter()
        .map(|r| LoggedEvent {
            id: r.get(0),
            at: r.get(1),
            level: r.get(2),
            shop: r.get(3),
            source: r.get(4),
            message: r.get(5),
            fields: r.get(6),
        })
        .collect();
    Ok(Json(SyncStatusResponse { shops, events }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn progress_rate_and_eta() {
        let now = DateTime::parse_from_rfc3339("2025-07-10T00:01:40Z")
            .unwrap()
            .with_timezone(&Utc);
        let Value::Object(row) = json!({
            "status": "running", "objects_done": 500, "objects_total": 1000,
            "started_at": "2025-07-10T00:00:00+00:00"
        }) else {
            unreachable!()
        };
        let r = derive(row, now);
        assert_eq!(r.rate_per_second, Some(5.0));
        assert_eq!(r.progress, Some(0.5));
        assert_eq!(r.eta_seconds, Some(100.0));

        let Value::Object(idle) = json!({"status": "idle", "objects_done": 0}) else {
            unreachable!()
        };
        let r = derive(idle, now);
        assert_eq!(
            (r.rate_per_second, r.progress, r.eta_seconds),
            (None, None, None)
        );
    }
}
