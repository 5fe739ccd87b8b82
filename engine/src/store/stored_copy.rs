//! What the sync asks of the stored copy before it publishes: which objects are stored in which
//! version (reconciliation fetches only the ones that differ, `engine/src/sync/incremental.rs`),
//! how many append-only children each holds (`ResourceSpec::appended`), and which live rows a
//! deletion sweep may tombstone (`engine/src/sync/context.rs`). Tables are the seam's constant
//! names (`Resource::as_str`, `Appended::table`), never caller input.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, Error};
use xeno_shopify::resource::spec::Appended;
use xeno_shopify::Resource;

/// A stored object's `updated_at` and whether it is tombstoned.
pub type StoredVersion = (DateTime<Utc>, bool);

/// The stored version of each of `ids` that is stored.
pub async fn versions(
    client: &Client,
    shop: &str,
    resource: Resource,
    ids: &[i64],
) -> Result<HashMap<i64, StoredVersion>, Error> {
    let sql = format!(
        "SELECT id, updated_at, deleted_at IS NOT NULL FROM {} WHERE shop_domain = $1 AND id = ANY($2)",
        resource.as_str()
    );
    let rows = client.query(&sql, &[&shop, &ids]).await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect())
}

/// How many append-only children each of `ids` holds (absent: none).
pub async fn child_counts(
    client: &Client,
    shop: &str,
    appended: &Appended,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, Error> {
    let sql = format!(
        "SELECT {parent}, count(*) FROM {table} WHERE shop_domain = $1 AND {parent} = ANY($2) GROUP BY {parent}",
        parent = appended.parent_column,
        table = appended.table,
    );
    let rows = client.query(&sql, &[&shop, &ids]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Live rows last changed before `before` (and, with a `floor`, not before it): the candidates
/// of a deletion sweep.
pub async fn live_ids(
    client: &Client,
    shop: &str,
    resource: Resource,
    before: DateTime<Utc>,
    floor: Option<DateTime<Utc>>,
) -> Result<Vec<i64>, Error> {
    let sql = format!(
        "SELECT id FROM {} WHERE shop_domain = $1 AND deleted_at IS NULL AND updated_at < $2
           AND ($3::timestamptz IS NULL OR updated_at >= $3)",
        resource.as_str()
    );
    let rows = client.query(&sql, &[&shop, &before, &floor]).await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}
