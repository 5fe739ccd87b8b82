//! `feed_dead_letters` (`sql/V12__feed_dead_letters.sql`): the changes a `[[feed_webhooks]]`
//! target refused until its attempts ran out, recorded so the loss is visible and repairable
//! (the entity's current version is in its table).

use tokio_postgres::GenericClient;

use super::error::StoreError;

/// One change a target did not take.
#[derive(Debug, Clone)]
pub struct FeedDeadLetter<'a> {
    pub target: &'a str,
    pub seq: i64,
    pub shop: &'a str,
    pub resource: &'a str,
    pub entity_id: i64,
    pub deleted: bool,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub attempts: i32,
    pub reason: &'a str,
}

pub async fn insert<C: GenericClient + Sync>(
    client: &C,
    d: &FeedDeadLetter<'_>,
) -> Result<i64, StoreError> {
    let row = client
        .query_one(
            "INSERT INTO feed_dead_letters
                 (target, seq, shop_domain, resource, entity_id, deleted, updated_at, attempts, reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                &d.target,
                &d.seq,
                &d.shop,
                &d.resource,
                &d.entity_id,
                &d.deleted,
                &d.updated_at,
                &d.attempts,
                &d.reason,
            ],
        )
        .await?;
    Ok(row.get(0))
}
