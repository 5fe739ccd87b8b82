//! `GET /api/sync-status?shop=&events=50`: each shop's sync checkpoints per resource with
//! derived progress figures, and its latest log lines.
//!
//! The `sync_state` rows (`engine/src/store/status.rs`) are mapped field by field to
//! `xeno_api_types::sync::ResourceSync`, so the table can change without changing the API.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use xeno_api_types::sync::{LoggedEvent, ResourceSync, ShopSync, SyncStatusResponse};

use super::auth::Access;
use super::error::ApiResult;
use super::params::Params;
use crate::http::state::AppState;
use crate::store::status::{self, EventLogRow, SyncStateRow};

/// Rate, progress and time left of one resource's sync.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Progress {
    rate_per_second: Option<f64>,
    progress: Option<f64>,
    eta_seconds: Option<f64>,
}

/// Objects per second since `started_at` (to `completed_at` once ended, else to `now`);
/// with a known `total`, the fraction done and, while running, the seconds left.
fn derive(
    running: bool,
    done: i64,
    total: Option<i64>,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Progress {
    let done = done as f64;
    let total = total.map(|t| t as f64).filter(|t| *t > 0.0);
    let rate = started_at.and_then(|start| {
        let end = if running { Some(now) } else { completed_at }?;
        let secs = (end - start).num_milliseconds() as f64 / 1000.0;
        (secs > 0.0).then(|| done / secs)
    });
    let progress = total.map(|t| (done / t).min(1.0));
    let eta_seconds = match (running, total, rate) {
        (true, Some(t), Some(r)) if r > 0.0 => Some(((t - done).max(0.0)) / r),
        _ => None,
    };
    Progress {
        rate_per_second: rate,
        progress,
        eta_seconds,
    }
}

/// The API's view of a checkpoint. `sync_state` keeps no total, so progress and ETA stay
/// `null` (the run's totals are in `sync_runs`).
fn resource_sync(row: SyncStateRow, now: DateTime<Utc>) -> ResourceSync {
    let running = row.status == "running";
    let p = derive(
        running,
        row.objects_done,
        None,
        row.started_at,
        row.completed_at,
        now,
    );
    ResourceSync {
        shop_domain: row.shop_domain,
        resource: row.resource,
        mode: row.mode,
        status: row.status,
        cursor: row.cursor,
        bulk_operation_id: row.bulk_operation_id,
        updated_at_watermark: row.updated_at_watermark,
        objects_done: row.objects_done,
        started_at: row.started_at,
        completed_at: row.completed_at,
        last_reconciled_at: row.last_reconciled_at,
        last_error: row.last_error,
        updated_at: row.updated_at,
        run_id: row.run_id.map(|id| id.to_string()),
        rate_per_second: p.rate_per_second,
        progress: p.progress,
        eta_seconds: p.eta_seconds,
    }
}

/// A shop's summary: running when any resource is, reconciled when every resource was (as of
/// the oldest).
fn shop_sync(shop: String, resources: Vec<ResourceSync>) -> ShopSync {
    let running = resources.iter().any(|r| r.status == "running");
    let reconciled: Vec<Option<DateTime<Utc>>> =
        resources.iter().map(|r| r.last_reconciled_at).collect();
    let last_reconciled_at = if reconciled.is_empty() || reconciled.iter().any(Option::is_none) {
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
}

fn logged_event(r: EventLogRow) -> LoggedEvent {
    LoggedEvent {
        id: r.id,
        at: r.at,
        level: r.level,
        shop: r.shop,
        source: r.source,
        message: r.message,
        fields: r.fields,
    }
}

/// `GET /api/sync-status?shop=&events=50`
#[utoipa::path(
    get,
    path = "/api/sync-status",
    tag = "api",
    summary = "Each shop's sync checkpoints and latest log lines",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
        ("events" = Option<i64>, Query, minimum = 1, maximum = 500, description = "How many log lines (default 50)."),
    ),
    responses(
        (status = 200, description = "Per shop and resource, the sync's state and progress.", body = xeno_api_types::sync::SyncStatusResponse),
        (status = 400, description = "A malformed `shop` or `events`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn sync_status(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<SyncStatusResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let limit = params.limit("events", 50, 500)?;
    let engine_wide = access.all_shops() && params.get("shop").is_none();
    let client = state.pool.get().await?;
    let (syncs, events) = tokio::join!(
        status::sync_states(&client, &shops),
        status::recent_events(&client, &shops, engine_wide, limit)
    );
    let now = Utc::now();
    let mut by_shop: BTreeMap<String, Vec<ResourceSync>> = BTreeMap::new();
    for row in syncs? {
        by_shop
            .entry(row.shop_domain.clone())
            .or_default()
            .push(resource_sync(row, now));
    }
    let shops = shops
        .into_iter()
        .map(|shop| {
            let resources = by_shop.remove(&shop).unwrap_or_default();
            shop_sync(shop, resources)
        })
        .collect();
    let events = events?.into_iter().map(logged_event).collect();
    Ok(Json(SyncStatusResponse { shops, events }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_rate_and_eta() {
        let time = |t: &str| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
        let now = time("2025-07-10T00:01:40Z");
        let started = Some(time("2025-07-10T00:00:00+00:00"));
        let r = derive(true, 500, Some(1000), started, None, now);
        assert_eq!(r.rate_per_second, Some(5.0));
        assert_eq!(r.progress, Some(0.5));
        assert_eq!(r.eta_seconds, Some(100.0));

        let r = derive(false, 0, None, None, None, now);
        assert_eq!(
            (r.rate_per_second, r.progress, r.eta_seconds),
            (None, None, None)
        );
    }
}
