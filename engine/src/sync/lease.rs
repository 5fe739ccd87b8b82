//! One SyncActor per shop across every engine process sharing the database: a row in
//! `sync_leases` names the holder and an expiry. The holder renews it well inside the TTL; a
//! crashed holder stops renewing, the lease expires, and another process takes the shop over
//! and resumes its interrupted run from the checkpoints.

use std::time::Duration;

use deadpool_postgres::Pool;

use super::error::SyncError;

/// A shop's lease as seen by one would-be holder.
#[derive(Clone)]
pub struct Lease {
    pool: Pool,
    shop: String,
    /// Unique per SyncActor instance (process, restart).
    holder: String,
    ttl: Duration,
}

impl Lease {
    pub fn new(pool: Pool, shop: &str, holder: String, ttl: Duration) -> Lease {
        Lease {
            pool,
            shop: shop.to_string(),
            holder,
            ttl,
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Takes the lease if it is free or expired, or renews it if we hold it; true when we
    /// hold it afterwards.
    pub async fn acquire_or_renew(&self) -> Result<bool, SyncError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "INSERT INTO sync_leases (shop_domain, holder, acquired_at, expires_at)
                 VALUES ($1, $2, now(), now() + make_interval(secs => $3))
                 ON CONFLICT (shop_domain) DO UPDATE SET
                     holder = EXCLUDED.holder,
                     acquired_at = CASE WHEN sync_leases.holder = EXCLUDED.holder
                                        THEN sync_leases.acquired_at ELSE now() END,
                     expires_at = EXCLUDED.expires_at
                 WHERE sync_leases.holder = EXCLUDED.holder OR sync_leases.expires_at < now()
                 RETURNING holder",
                &[&self.shop, &self.holder, &self.ttl.as_secs_f64()],
            )
            .await?;
        Ok(row.is_some())
    }

    /// Gives the lease up (graceful stop), so another process need not wait for the expiry.
    pub async fn release(&self) -> Result<(), SyncError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "DELETE FROM sync_leases WHERE shop_domain = $1 AND holder = $2",
                &[&self.shop, &self.holder],
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::TestDb;

    #[tokio::test]
    async fn one_holder_at_a_time_and_expiry_hands_over() {
        let db = TestDb::new().await;
        let ttl = Duration::from_millis(600);
        let a = Lease::new(db.pool.clone(), "a.myshopify.com", "holder-a".into(), ttl);
        let b = Lease::new(db.pool.clone(), "a.myshopify.com", "holder-b".into(), ttl);
        assert!(a.acquire_or_renew().await.unwrap());
        assert!(!b.acquire_or_renew().await.unwrap(), "held by a");
        assert!(a.acquire_or_renew().await.unwrap(), "a renews");
        // a "crashes": stops renewing; b gets it after the TTL.
        tokio::time::sleep(ttl + Duration::from_millis(200)).await;
        assert!(b.acquire_or_renew().await.unwrap());
        assert!(!a.acquire_or_renew().await.unwrap());
        b.release().await.unwrap();
        assert!(
            a.acquire_or_renew().await.unwrap(),
            "released leases are free at once"
        );
    }
}
