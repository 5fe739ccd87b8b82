//! Shopify's leaky bucket, as one arithmetic type used by both APIs.
//!
//! GraphQL: points, capacity 20 s of the plan's restore rate, the requested cost taken up front
//! and the difference to the actual cost given back. REST: 40 requests leaking at the plan's
//! rate. Time is passed in (`tokio::time::Instant`), so tests drive it with a paused clock.

use tokio::time::Instant;

/// A bucket of `capacity` points refilled at `restore_rate` per second.
#[derive(Debug, Clone)]
pub struct Bucket {
    capacity: f64,
    restore_rate: f64,
    available: f64,
    at: Instant,
}

/// The bucket's state as Shopify reports it (`throttleStatus`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

impl Bucket {
    /// A full bucket.
    pub fn new(capacity: f64, restore_rate: f64, now: Instant) -> Self {
        Bucket {
            capacity,
            restore_rate,
            available: capacity,
            at: now,
        }
    }

    /// GraphQL's bucket for a restore rate: 20 seconds' worth.
    pub fn graphql(restore_rate: f64, now: Instant) -> Self {
        Bucket::new(restore_rate * 20.0, restore_rate, now)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.available = (self.available + elapsed * self.restore_rate).min(self.capacity);
        self.at = self.at.max(now);
    }

    /// Takes `cost` if available; otherwise takes nothing and says how much there is.
    pub fn try_take(&mut self, now: Instant, cost: f64) -> Result<Level, Level> {
        self.refill(now);
        if self.available + 1e-9 >= cost {
            self.available -= cost;
            Ok(self.level(now))
        } else {
            Err(self.level(now))
        }
    }

    /// Gives back `amount` (requested minus actual cost), never above capacity.
    pub fn refund(&mut self, now: Instant, amount: f64) -> Level {
        self.refill(now);
        self.available = (self.available + amount.max(0.0)).min(self.capacity);
        self.level(now)
    }

    /// The state at `now`.
    pub fn level(&mut self, now: Instant) -> Level {
        self.refill(now);
        Level {
            maximum_available: self.capacity,
            currently_available: self.available,
            restore_rate: self.restore_rate,
        }
    }

    /// Seconds until `cost` would be available.
    pub fn wait_for(&mut self, now: Instant, cost: f64) -> f64 {
        self.refill(now);
        ((cost - self.available) / self.restore_rate).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn restores_refunds_and_throttles_over_paused_time() {
        let mut b = Bucket::graphql(100.0, Instant::now());
        assert_eq!(b.level(Instant::now()).maximum_available, 2000.0);
        // Take the requested 1000, refund 900 (actual 100).
        b.try_take(Instant::now(), 1000.0).unwrap();
        let l = b.refund(Instant::now(), 900.0);
        assert_eq!(l.currently_available, 1900.0);
        b.try_take(Instant::now(), 1900.0).unwrap();
        // Empty: 50 points short.
        let err = b.try_take(Instant::now(), 50.0).unwrap_err();
        assert_eq!(err.currently_available, 0.0);
        assert!((b.wait_for(Instant::now(), 50.0) - 0.5).abs() < 1e-9);
        tokio::time::advance(Duration::from_millis(250)).await;
        assert!(b.try_take(Instant::now(), 50.0).is_err());
        assert_eq!(b.level(Instant::now()).currently_available, 25.0);
        tokio::time::advance(Duration::from_millis(250)).await;
        assert_eq!(
            b.try_take(Instant::now(), 50.0)
                .unwrap()
                .currently_available,
            0.0
        );
        // Never above capacity.
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(b.level(Instant::now()).currently_available, 2000.0);
        assert_eq!(b.refund(Instant::now(), 500.0).currently_available, 2000.0);
    }
}
