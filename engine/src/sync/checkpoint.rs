//! Sync checkpoints in `sync_state`, one row per shop and resource.
//!
//! The cursor is written only after JetStream acknowledged every record before it, so a run
//! killed at any point resumes without losing a record (records after the cursor may be
//! published twice; JetStream's dedupe and the idempotent upserts absorb that). A cursor is
//! `bulk:<root objects done>` inside a bulk result or `page:<endCursor>` inside paged
//! queries; `bulk_operation_id` names the bulk operation a run waits for or reads.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use uuid::Uuid;

use xeno_shopify::Resource;

use super::error::SyncError;
use super::mode::SyncMode;

/// One resource's checkpoint.
#[derive(Debug, Clone, Default)]
pub struct Checkpoint {
    /// The run the cursor belongs to.
    pub run_id: Option<Uuid>,
    pub status: String,
    pub cursor: Option<String>,
    pub bulk_operation_id: Option<String>,
    /// Every change up to this time is in JetStream (the incremental lower bound).
    pub watermark: Option<DateTime<Utc>>,
    pub objects_done: i64,
}

pub async fn load(pool: &Pool, shop: &str, resource: Resource) -> Result<Checkpoint, SyncError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT run_id, status, cursor, bulk_operation_id, updated_at_watermark, objects_done
             FROM sync_state WHERE shop_domain = $1 AND resource = $2",
            &[&shop, &resource.as_str()],
        )
        .await?;
    Ok(match row {
        None => Checkpoint::default(),
        Some(r) => Checkpoint {
            run_id: r.get(0),
            status: r.get(1),
            cursor: r.get(2),
            bulk_operation_id: r.get(3),
            watermark: r.get(4),
            objects_done: r.get(5),
        },
    })
}

/// Starts `resource` within a new run: no cursor, no bulk operation, the watermark kept.
pub async fn begin(
    pool: &Pool,
    shop: &str,
    resource: Resource,
    run_id: Uuid,
    mode: SyncMode,
) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO sync_state (shop_domain, resource, run_id, mode, status, cursor,
                                     bulk_operation_id, objects_done, started_at, completed_at,
                                     last_error, updated_at)
             VALUES ($1, $2, $3, $4, 'running', NULL, NULL, 0, now(), NULL, NULL, now())
             ON CONFLICT (shop_domain, resource) DO UPDATE SET
                 run_id = EXCLUDED.run_id, mode = EXCLUDED.mode, status = 'running',
                 cursor = NULL, bulk_operation_id = NULL, objects_done = 0,
                 started_at = now(), completed_at = NULL, last_error = NULL, updated_at = now()",
            &[&shop, &resource.as_str(), &run_id, &mode.as_str()],
        )
        .await?;
    Ok(())
}

/// Records the position after records JetStream has acknowledged.
pub async fn save_cursor(
    pool: &Pool,
    shop: &str,
    resource: Resource,
    cursor: Option<&str>,
    objects_done: i64,
) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_state SET cursor = $3, objects_done = $4, updated_at = now()
             WHERE shop_domain = $1 AND resource = $2",
            &[&shop, &resource.as_str(), &cursor, &objects_done],
        )
        .await?;
    Ok(())
}

/// Records (or clears) the bulk operation the resource waits for or reads.
pub async fn save_bulk(
    pool: &Pool,
    shop: &str,
    resource: Resource,
    bulk_operation_id: Option<&str>,
) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_state SET bulk_operation_id = $3, cursor = NULL, objects_done = 0,
                 updated_at = now()
             WHERE shop_domain = $1 AND resource = $2",
            &[&shop, &resource.as_str(), &bulk_operation_id],
        )
        .await?;
    Ok(())
}

/// Marks the resource done in this run and moves its watermark forward (never back).
pub async fn complete(
    pool: &Pool,
    shop: &str,
    resource: Resource,
    watermark: Option<DateTime<Utc>>,
    reconciled: bool,
) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_state SET status = 'completed', cursor = NULL, bulk_operation_id = NULL,
                 updated_at_watermark = GREATEST(updated_at_watermark, $3),
                 completed_at = now(),
                 last_reconciled_at = CASE WHEN $4 THEN now() ELSE last_reconciled_at END,
                 updated_at = now()
             WHERE shop_domain = $1 AND resource = $2",
            &[&shop, &resource.as_str(), &watermark, &reconciled],
        )
        .await?;
    Ok(())
}

/// Notes why the resource stopped (the run may resume it later).
pub async fn note_error(
    pool: &Pool,
    shop: &str,
    resource: Resource,
    error: &str,
    failed: bool,
) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_state SET last_error = $3,
                 status = CASE WHEN $4 THEN 'failed' ELSE status END, updated_at = now()
             WHERE shop_domain = $1 AND resource = $2",
            &[&shop, &resource.as_str(), &error, &failed],
        )
        .await?;
    Ok(())
}
