//! Reads behind the operator views: the shops overview (`GET /api/shops`), the `sync_state`
//! checkpoints and the persisted live log (`GET /api/sync-status`). The handlers in
//! `engine/src/api/` map these rows to the answer types of `api-types/`.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_postgres::{Client, Error};

/// A configured shop joined with what the engine stored about it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopRow {
    pub shop: String,
    /// `false` after `app/uninstalled`; `None` before the shop's first record.
    pub installed: Option<bool>,
    pub currency: Option<String>,
    /// `analytics_tz(shop)`: the zone the shop's day buckets use.
    pub time_zone: String,
    pub last_webhook_at: Option<DateTime<Utc>>,
}

/// One row per shop of `shops`, in that order (shops never seen have empty columns).
pub async fn shops(client: &Client, shops: &[String]) -> Result<Vec<ShopRow>, Error> {
    let rows = client
        .query(
            "SELECT s.shop, sh.installed, sh.currency, analytics_tz(s.shop), sh.last_webhook_at
             FROM unnest($1::text[]) WITH ORDINALITY AS s(shop, n)
             LEFT JOIN shops sh ON sh.shop_domain = s.shop
             ORDER BY s.n",
            &[&shops],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ShopRow {
            shop: r.get(0),
            installed: r.get(1),
            currency: r.get(2),
            time_zone: r.get(3),
            last_webhook_at: r.get(4),
        })
        .collect())
}

/// One `sync_state` row: a resource's sync checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncStateRow {
    pub shop_domain: String,
    pub resource: String,
    pub mode: Option<String>,
    pub status: String,
    pub cursor: Option<String>,
    pub bulk_operation_id: Option<String>,
    pub updated_at_watermark: Option<DateTime<Utc>>,
    pub objects_done: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub last_reconciled_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub run_id: Option<uuid::Uuid>,
}

/// The checkpoints of `shops`, by shop then resource.
pub async fn sync_states(client: &Client, shops: &[String]) -> Result<Vec<SyncStateRow>, Error> {
    let rows = client
        .query(
            "SELECT shop_domain, resource, mode, status, cursor, bulk_operation_id,
                    updated_at_watermark, objects_done, started_at, completed_at,
                    last_reconciled_at, last_error, updated_at, run_id
             FROM sync_state WHERE shop_domain = ANY($1) ORDER BY shop_domain, resource",
            &[&shops],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| SyncStateRow {
            shop_domain: r.get(0),
            resource: r.get(1),
            mode: r.get(2),
            status: r.get(3),
            cursor: r.get(4),
            bulk_operation_id: r.get(5),
            updated_at_watermark: r.get(6),
            objects_done: r.get(7),
            started_at: r.get(8),
            completed_at: r.get(9),
            last_reconciled_at: r.get(10),
            last_error: r.get(11),
            updated_at: r.get(12),
            run_id: r.get(13),
        })
        .collect())
}

/// A persisted live-log line (`event_log`).
#[derive(Debug, Clone, PartialEq)]
pub struct EventLogRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub level: String,
    pub shop: Option<String>,
    pub source: String,
    pub message: String,
    pub fields: Value,
}

/// The latest `limit` lines of `shops` (and engine-wide ones when `engine_wide`), newest
/// first.
pub async fn recent_events(
    client: &Client,
    shops: &[String],
    engine_wide: bool,
    limit: i64,
) -> Result<Vec<EventLogRow>, Error> {
    let rows = client
        .query(
            "SELECT id, at, level, shop_domain, source, message, fields FROM event_log
             WHERE shop_domain = ANY($1) OR ($2 AND shop_domain IS NULL)
             ORDER BY at DESC, id DESC LIMIT $3",
            &[&shops, &engine_wide, &limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| EventLogRow {
            id: r.get(0),
            at: r.get(1),
            level: r.get(2),
            shop: r.get(3),
            source: r.get(4),
            message: r.get(5),
            fields: r.get(6),
        })
        .collect())
}
