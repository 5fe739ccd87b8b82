//! The restart policy both supervisors share: how many restarts a child gets
//! ([`RESTART_BUDGET`] within [`RESTART_WINDOW`]), the per-child bookkeeping
//! ([`RestartBudget`]), and which supervision events call for a restart decision ([`ended`]).
//!
//! Used by the root supervisor (`engine/src/supervisor.rs`) and the SyncSupervisor
//! (`engine/src/sync/supervisor.rs`); it imports neither, so both can depend on it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ractor::{ActorCell, SupervisionEvent};

/// Restarts allowed per child within [`RESTART_WINDOW`].
pub const RESTART_BUDGET: usize = 5;
/// The sliding window the restart budget counts over.
pub const RESTART_WINDOW: Duration = Duration::from_secs(60);

/// Recent restarts of one child, against [`RESTART_BUDGET`] within [`RESTART_WINDOW`].
#[derive(Debug, Default)]
pub struct RestartBudget {
    recent: VecDeque<Instant>,
}

impl RestartBudget {
    /// Records a restart at `now` when the budget allows one; false once it is spent.
    pub fn try_restart(&mut self, now: Instant) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > RESTART_WINDOW)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= RESTART_BUDGET {
            return false;
        }
        self.recent.push_back(now);
        true
    }
}

/// The actor behind a failure or an unexpected stop, with a reason for the log; `None` for
/// events that need no restart decision.
pub fn ended(event: SupervisionEvent) -> Option<(ActorCell, String)> {
    match event {
        SupervisionEvent::ActorFailed(cell, err) => Some((cell, format!("failed: {err}"))),
        SupervisionEvent::ActorTerminated(cell, _, reason) => Some((
            cell,
            format!("stopped: {}", reason.unwrap_or_else(|| "no reason".into())),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_refuses_the_sixth_restart_within_the_window() {
        let mut budget = RestartBudget::default();
        let t0 = Instant::now();
        for i in 0..RESTART_BUDGET {
            assert!(budget.try_restart(t0 + Duration::from_secs(i as u64)));
        }
        assert!(!budget.try_restart(t0 + Duration::from_secs(10)));
        // Once the first restarts leave the window, the budget allows restarts again.
        assert!(budget.try_restart(t0 + RESTART_WINDOW + Duration::from_secs(2)));
    }
}
