//! A sample of written webhooks for the live log.
//!
//! Operators watch the live terminal to see webhooks land, but a flash sale writes thousands
//! a second: one line each would bury everything else (and the log table). Each writer lets
//! through up to [`LINES_PER_SECOND`] lines a second and says on the next line how many it
//! left out, so the terminal shows activity at any rate and the count stays honest.

use std::time::{Duration, Instant};

/// Lines a writer may log per second (the pool's total is this times its workers).
pub const LINES_PER_SECOND: u32 = 5;

#[derive(Debug)]
pub struct ActivitySampler {
    window_start: Instant,
    in_window: u32,
    skipped: u64,
}

impl Default for ActivitySampler {
    fn default() -> Self {
        ActivitySampler {
            window_start: Instant::now(),
            in_window: 0,
            skipped: 0,
        }
    }
}

impl ActivitySampler {
    /// `Some(left_out)` when this event may be logged (with how many were left out since the
    /// last line), `None` when it is counted instead.
    pub fn admit(&mut self, now: Instant) -> Option<u64> {
        if now.duration_since(self.window_start) >= Duration::from_secs(1) {
            self.window_start = now;
            self.in_window = 0;
        }
        if self.in_window < LINES_PER_SECOND {
            self.in_window += 1;
            Some(std::mem::take(&mut self.skipped))
        } else {
            self.skipped += 1;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lets_a_few_through_per_second_and_counts_the_rest() {
        let t0 = Instant::now();
        let mut s = ActivitySampler::default();
        let admitted: Vec<Option<u64>> = (0..8).map(|_| s.admit(t0)).collect();
        assert_eq!(admitted.iter().filter(|a| a.is_some()).count(), 5);
        assert_eq!(admitted[0], Some(0));
        // A second later the next line reports the three left out.
        assert_eq!(s.admit(t0 + Duration::from_millis(1001)), Some(3));
        assert_eq!(s.admit(t0 + Duration::from_millis(1002)), Some(0));
    }
}
