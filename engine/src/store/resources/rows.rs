//! Helpers shared by the resource writers: a record read by its format's parser, child rows
//! deduplicated by id, the guard's verdict read back as an [`Outcome`], whether a payload carries a child list, and the tombstone
//! statement every resource table shares.

use std::collections::HashSet;

use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::Error;

use xeno_shopify::PayloadError;

use crate::envelope::{Envelope, Format, Source};
use crate::store::outcome::Outcome;

/// Keeps the last occurrence of each id: `ON CONFLICT DO UPDATE` refuses to touch one row
/// twice in a statement, and Shopify's last word for an id is the one to keep.
pub(super) fn dedup_by_id<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<&T> {
    let mut seen = HashSet::with_capacity(items.len());
    let mut out: Vec<&T> = items.iter().rev().filter(|i| seen.insert(id(i))).collect();
    out.reverse();
    out
}

pub(super) fn applied(rows: &[tokio_postgres::Row]) -> Outcome {
    match rows.first().map(|r| r.get::<_, bool>(0)) {
        Some(true) => Outcome::Applied,
        _ => Outcome::Stale,
    }
}

/// A record read by the parser of its envelope's format: a synced GraphQL node or a REST
/// webhook body.
pub(super) fn read<T>(
    env: &Envelope,
    value: &Value,
    rest: fn(&Value) -> Result<T, PayloadError>,
    graphql: fn(&Value) -> Result<T, PayloadError>,
) -> Result<T, PayloadError> {
    if env.format == Format::Graphql {
        graphql(value)
    } else {
        rest(value)
    }
}

/// Whether `value` carries any of `keys` with a non-null value (the payload states the list).
pub(super) fn has_any(value: &Value, keys: &[&str]) -> bool {
    keys.iter()
        .any(|k| value.get(k).is_some_and(|v| !v.is_null()))
}

/// The tombstone statement of a resource table: sets `deleted_at` (the webhook's triggered
/// time, else now); when the row does not exist yet, inserts a tombstone row so a late create
/// or update cannot resurrect it. A tombstone that was set records its change
/// (`store/changes.rs`); one already set records nothing.
macro_rules! tombstone_sql {
    ($table:literal) => {
        concat!(
            "WITH shop AS (INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING),
             up AS (
                INSERT INTO ",
            $table,
            " AS t (shop_domain, id, updated_at, deleted_at)
                VALUES ($1, $2, COALESCE($3, now()), COALESCE($3, now()))
                ON CONFLICT (shop_domain, id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at
                WHERE t.deleted_at IS NULL
                RETURNING t.*
             )",
            $crate::store::changes::change_cte!($table, "$4", "$5", ""),
            " SELECT count(*) FROM up"
        )
    };
}
pub(super) use tombstone_sql;

/// Runs a resource's tombstone statement (made by `tombstone_sql!`) for `id`.
pub(super) async fn tombstone(
    tx: &Transaction<'_>,
    env: &Envelope,
    sql: &'static str,
    id: i64,
) -> Result<(), Error> {
    let webhook_id = (env.source == Source::Webhook).then_some(env.webhook_id.as_str());
    let stmt = tx.prepare_cached(sql).await?;
    tx.execute(
        &stmt,
        &[
            &env.shop_domain,
            &id,
            &env.triggered_at,
            &env.source.as_str(),
            &webhook_id,
        ],
    )
    .await?;
    Ok(())
}
