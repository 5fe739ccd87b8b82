//! `change_outbox`: the change feed's transactional outbox (`sql/V11__change_outbox.sql`,
//! `docs/change-feed.md`).
//!
//! Writers record a change inside the very statement that changes an entity: every resource
//! upsert and the tombstone statement (`store/resources/`) end with the CTE
//! [`change_cte!`] builds, which inserts one row per row the statement's `up` CTE returned.
//! So a change exists exactly when its write commits, carries exactly the row that statement
//! wrote (not a later one written by the same transaction), and a stale or duplicate envelope
//! (no row returned) records nothing. The row lock the upsert takes orders the changes of one
//! entity: a later write of it waits for the earlier transaction's commit, so its `seq` is
//! higher and it becomes visible after.
//!
//! The relay (`engine/src/feed/relay.rs`) reads, publishes and deletes the rows with the
//! functions below, inside one transaction holding [`RELAY_LOCK`] so that only one engine
//! process publishes at a time.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::{Error, GenericClient};

/// The data-modifying CTE that records the change of the rows returned by the statement's
/// `up` CTE (`RETURNING t.*` of the entity's table). Arguments: the resource's name, the
/// placeholder of the envelope's source (`webhook`/`sync`), the placeholder of its webhook id,
/// and an expression appended to the row's JSON (`''` or `|| jsonb_build_object(...)`, for
/// the children the statement replaced).
macro_rules! change_cte {
    ($resource:literal, $source:literal, $webhook_id:literal, $children:literal) => {
        concat!(
            ", change AS (
                INSERT INTO change_outbox (shop_domain, resource, entity_id, deleted, columns,
                                           updated_at, source, webhook_id)
                SELECT up.shop_domain, '",
            $resource,
            "', up.id, up.deleted_at IS NOT NULL, (to_jsonb(up) - 'raw') ",
            $children,
            ", up.updated_at, ",
            $source,
            "::text, ",
            $webhook_id,
            "::text FROM up
            )"
        )
    };
}
pub(crate) use change_cte;

/// The advisory lock (transaction-scoped) the relay holds while it publishes; its key is
/// fixed so every engine process sharing the database contends for the same one.
pub const RELAY_LOCK: i64 = 0x7865_6e6f_6665_6564; // "xenofeed"

/// One recorded change, as the relay reads it.
#[derive(Debug, Clone)]
pub struct Change {
    pub seq: i64,
    pub shop_domain: String,
    pub resource: String,
    pub entity_id: i64,
    pub deleted: bool,
    pub columns: Value,
    pub updated_at: DateTime<Utc>,
    pub source: String,
    pub webhook_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// Takes the relay's lock for the rest of `tx`; false when another process holds it.
pub async fn try_lock_relay(tx: &Transaction<'_>) -> Result<bool, Error> {
    let row = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&RELAY_LOCK])
        .await?;
    Ok(row.get(0))
}

/// The oldest `limit` unpublished changes, in `seq` order.
pub async fn oldest(tx: &Transaction<'_>, limit: i64) -> Result<Vec<Change>, Error> {
    const SQL: &str = "
        SELECT seq, shop_domain, resource, entity_id, deleted, columns, updated_at, source,
               webhook_id, recorded_at
        FROM change_outbox ORDER BY seq LIMIT $1";
    let stmt = tx.prepare_cached(SQL).await?;
    let rows = tx.query(&stmt, &[&limit]).await?;
    Ok(rows
        .into_iter()
        .map(|r| Change {
            seq: r.get(0),
            shop_domain: r.get(1),
            resource: r.get(2),
            entity_id: r.get(3),
            deleted: r.get(4),
            columns: r.get(5),
            updated_at: r.get(6),
            source: r.get(7),
            webhook_id: r.get(8),
            recorded_at: r.get(9),
        })
        .collect())
}

/// Deletes published changes.
pub async fn delete(tx: &Transaction<'_>, seqs: &[i64]) -> Result<u64, Error> {
    const SQL: &str = "DELETE FROM change_outbox WHERE seq = ANY($1)";
    let stmt = tx.prepare_cached(SQL).await?;
    tx.execute(&stmt, &[&seqs]).await
}

/// Changes not yet published (the relay's backlog, for `/metrics`).
pub async fn depth(client: &impl GenericClient) -> Result<i64, Error> {
    let row = client
        .query_one("SELECT count(*) FROM change_outbox", &[])
        .await?;
    Ok(row.get(0))
}
