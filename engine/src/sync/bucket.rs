//! The mirrored GraphQL rate-limit bucket of one shop.
//!
//! Shopify reports its leaky bucket on every answer (`extensions.cost.throttleStatus`:
//! maximumAvailable, currentlyAvailable, restoreRate). [`Bucket`] keeps the last report and
//! the instant it arrived, restores points locally at the reported rate, and says how long to
//! wait before a query of a given cost would be accepted. The GraphQL client
//! ([`super::graphql_client`]) waits exactly that long before each request, so a sync uses the
//! whole budget of the shop's plan without being throttled.

use std::time::Duration;

use tokio::time::Instant;
use xeno_shopify::throttle::ThrottleStatus;

/// Extra points asked for before a request: Shopify floors `currentlyAvailable`, and clocks
/// differ by a little.
const SAFETY_POINTS: f64 = 1.0;

/// The longest wait for points: a full Shopify Plus bucket (20 000 points at 1 000/s) takes
/// 20 s, so a longer computed wait means the report was nonsense.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// The shop's bucket as last reported, restored locally since.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Bucket size; `None` until the first response.
    maximum: Option<f64>,
    available: f64,
    restore_rate: f64,
    at: Instant,
}

impl Default for Bucket {
    fn default() -> Self {
        Bucket {
            maximum: None,
            available: 0.0,
            restore_rate: 0.0,
            at: Instant::now(),
        }
    }
}

impl Bucket {
    /// Takes Shopify's report as the truth from now on.
    pub fn observe(&mut self, status: &ThrottleStatus) {
        self.maximum = Some(status.maximum_available);
        self.available = status.currently_available;
        self.restore_rate = status.restore_rate;
        self.at = Instant::now();
    }

    /// Points available now (restored since the last report, never above the maximum).
    pub fn available(&self) -> Option<f64> {
        let maximum = self.maximum?;
        let restored = self.at.elapsed().as_secs_f64() * self.restore_rate;
        Some((self.available + restored).min(maximum))
    }

    pub fn maximum(&self) -> Option<f64> {
        self.maximum
    }

    pub fn restore_rate(&self) -> f64 {
        self.restore_rate
    }

    /// How long to wait until `cost` points are available; zero when they are, or when the
    /// bucket is still unknown (the first answer tells us).
    pub fn wait_for(&self, cost: f64) -> Duration {
        let (Some(available), Some(maximum)) = (self.available(), self.maximum) else {
            return Duration::ZERO;
        };
        // A query can never need more than a full bucket.
        let needed = (cost + SAFETY_POINTS).min(maximum);
        if available >= needed || self.restore_rate <= 0.0 {
            return Duration::ZERO;
        }
        // Shopify's buckets refill in well under a minute; an absurd report (a tiny rate, a
        // huge deficit) must not become a wait longer than that, or one that overflows.
        Duration::try_from_secs_f64((needed - available) / self.restore_rate)
            .unwrap_or(MAX_WAIT)
            .min(MAX_WAIT)
    }

    /// Takes `cost` points locally when a request leaves, before Shopify's answer says what
    /// it really charged.
    pub fn take(&mut self, cost: f64) {
        if let Some(available) = self.available() {
            self.available = (available - cost).max(0.0);
            self.at = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(max: f64, available: f64, rate: f64) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: max,
            currently_available: available,
            restore_rate: rate,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn unknown_bucket_never_waits() {
        let b = Bucket::default();
        assert_eq!(b.wait_for(1000.0), Duration::ZERO);
        assert_eq!(b.available(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn waits_just_long_enough_for_the_missing_points() {
        let mut b = Bucket::default();
        b.observe(&status(2000.0, 99.0, 100.0));
        // 502 + 1 safety - 99 = 404 points at 100/s.
        assert_eq!(b.wait_for(502.0), Duration::from_secs_f64(4.04));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(b.available(), Some(299.0));
        let wait = b.wait_for(502.0);
        assert!((wait.as_secs_f64() - 2.04).abs() < 1e-9, "{wait:?}");
        tokio::time::advance(wait).await;
        assert_eq!(b.wait_for(502.0), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn restores_up_to_the_maximum_only() {
        let mut b = Bucket::default();
        b.observe(&status(2000.0, 1990.0, 100.0));
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(b.available(), Some(2000.0));
        // Never asks for more than a full bucket.
        assert_eq!(b.wait_for(5000.0), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn local_take_counts_until_the_next_report() {
        let mut b = Bucket::default();
        b.observe(&status(1000.0, 1000.0, 50.0));
        b.take(900.0);
        assert_eq!(b.available(), Some(100.0));
        // 200 + 1 - 100 = 101 points at 50/s.
        assert_eq!(b.wait_for(200.0), Duration::from_secs_f64(2.02));
        b.observe(&status(1000.0, 950.0, 50.0));
        assert_eq!(b.wait_for(200.0), Duration::ZERO);
    }
}
