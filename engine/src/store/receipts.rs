//! `webhook_receipts`: the forever-dedupe of webhooks. A webhook's receipt is inserted first
//! (outcome `pending`) and its outcome written in the same transaction, either by [`finish`]
//! or by the resource upsert's own statement (`store/resources/`).

use deadpool_postgres::Transaction;

use crate::envelope::Envelope;
use crate::store::error::StoreError;
use crate::store::outcome::Outcome;

/// Writes the receipt's final outcome (webhooks only) and returns it.
pub(crate) async fn finish(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    outcome: Outcome,
) -> Result<Outcome, StoreError> {
    if let Some(webhook_id) = webhook_id {
        const SQL: &str =
            "UPDATE webhook_receipts SET outcome = $3 WHERE shop_domain = $1 AND webhook_id = $2";
        let stmt = tx.prepare_cached(SQL).await?;
        tx.execute(&stmt, &[&env.shop_domain, &webhook_id, &outcome.label()])
            .await?;
    }
    Ok(outcome)
}

/// Inserts the receipt (outcome `pending`, finalised later in the same transaction) and
/// makes sure the shop row exists. Returns false when this webhook id was already applied.
///
/// The shop row is never updated here: an update holds the row until the batch commits, and
/// every other writer's `INSERT INTO shops … ON CONFLICT DO NOTHING` then waits for that
/// commit (a unique check waits on an in-progress change of the conflicting row), which
/// serialised all webhook batches. `shops.last_webhook_at` is folded from the receipts by the
/// RollupCompactor instead (`engine/src/analytics/rollup_compactor.rs`).
pub(crate) async fn insert_receipt(
    tx: &Transaction<'_>,
    env: &Envelope,
) -> Result<bool, StoreError> {
    const SQL: &str = "
        WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        )
        INSERT INTO webhook_receipts (shop_domain, webhook_id, topic, event_id, api_version,
                                      triggered_at, outcome)
        VALUES ($1, $2, $3, $4, $5, $6, 'pending')
        ON CONFLICT (shop_domain, webhook_id) DO NOTHING
        RETURNING 1";
    let stmt = tx.prepare_cached(SQL).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &env.shop_domain,
                &env.webhook_id,
                &env.topic.as_str(),
                &env.event_id,
                &env.api_version,
                &env.triggered_at,
            ],
        )
        .await?;
    Ok(!rows.is_empty())
}
