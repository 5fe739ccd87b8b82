//! RollupCompactor: folds the analytics deltas that writer transactions append
//! (`analytics_*_pending`, see `sql/README.md`, "Analytics") into the rollup tables, and
//! `shops.last_webhook_at` from the newest webhook receipts.
//!
//! Writers append instead of updating shared rollup rows so that parallel batches never wait
//! on each other's row locks. Readers add pending deltas themselves, so figures are exact
//! whether or not this actor has run; it exists to keep the pending tables small (reads stay
//! fast) and is not on any correctness path. One engine process folds at a time (an advisory
//! lock inside `analytics_compact()`), so several processes can all run this actor.
//!
//! The fold itself is SQL, in `engine/src/store/analytics.rs`; the root supervisor
//! (`engine/src/supervisor.rs`) starts this actor.

use std::time::Duration;

use deadpool_postgres::Pool;
use ractor::{Actor, ActorProcessingErr, ActorRef};

use crate::store::analytics::compact;

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
