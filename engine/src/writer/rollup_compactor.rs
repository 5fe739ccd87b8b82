//! RollupCompactor: folds the analytics deltas that writer transactions append
//! (`analytics_*_pending`, see `sql/V5__rollup_deltas.sql`) into the rollup tables, and
//! `shops.last_webhook_at` from the newest webhook receipts.
//!
//! Writers append instead of updating shared rollup rows so that parallel batches never wait
//! on each other's row locks. Readers add pending deltas themselves, so figures are exact
//! whether or not this actor has run; it exists to keep the pending tables small (reads stay
//! fast) and is not on any correctness path. One engine process folds at a time (an advisory
//! lock inside `analytics_compact()`), so several processes can all run this actor.

use std::time::Duration;

use deadpool_postgres::Pool;
use ractor::{Actor, ActorProcessingErr, ActorRef};

/// Messages the compactor handles.
#[derive(Debug)]
pub enum CompactorMsg {
    /// Fold what is pending now, then schedule the next run.
    Tick,
}

pub struct RollupCompactor;

pub struct CompactorArgs {
    pub pool: Pool,
    /// Pause between runs. Short, so the pending tables hold about this long's worth of
    /// deltas at the busiest and reads scan little.
    pub every: Duration,
}

impl Actor for RollupCompactor {
    type Msg = CompactorMsg;
    type State = CompactorArgs;
    type Arguments = CompactorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        myself.send_after(args.every, || CompactorMsg::Tick);
        Ok(args)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            CompactorMsg::Tick => {
                match compact(&state.pool).await {
                    Ok(0) => {}
                    Ok(moved) => tracing::debug!(moved, "folded analytics deltas into rollups"),
                    // PostgreSQL away: the deltas wait safely; /readyz reports the outage.
                    Err(e) => tracing::debug!(error = %e, "rollup compaction skipped"),
                }
                // Chained rather than a fixed interval: a long fold never queues up ticks.
                myself.send_after(state.every, || CompactorMsg::Tick);
            }
        }
        Ok(())
    }
}

/// Runs one fold and returns how many delta rows it moved (0 when another process holds the
/// compaction lock).
pub async fn compact(pool: &Pool) -> Result<i64, anyhow::Error> {
    // Writers never update the shop row (it would serialise their batches; see
    // `store::insert_receipt`): its last-webhook time follows the receipts from here, in a
    // transaction of its own that holds the rows for a moment only.
    const LAST_WEBHOOK: &str = "
        UPDATE shops s SET last_webhook_at = r.at
        FROM (SELECT shop_domain, max(received_at) AS at FROM webhook_receipts
              WHERE received_at > now() - interval '1 minute' GROUP BY shop_domain) r
        WHERE s.shop_domain = r.shop_domain
          AND (s.last_webhook_at IS NULL OR s.last_webhook_at < r.at)";
    let client = pool.get().await?;
    client.execute(LAST_WEBHOOK, &[]).await?;
    let row = client.query_one("SELECT analytics_compact()", &[]).await?;
    Ok(row.get(0))
}
