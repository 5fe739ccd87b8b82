//! Completeness: after a run, each resource's stored live rows are compared with Shopify's own
//! count (`ordersCount(limit: null)` and the like, built by the seam's `count_query`; both
//! limited to objects updated since the shop's `backfill_since` when it is set), and the
//! pair is recorded (`engine/src/store/completeness.rs`) for `GET /api/completeness`, the
//! dashboard's health view and the `xeno_count_difference` metric. A difference is logged as
//! a warning: after a reconciliation it means rows are missing or left over.
//!
//! What a run published may still be on its way through JetStream to the writers, so the
//! stored count is read until it equals Shopify's or stops moving (a few polls apart), for at
//! most [`SETTLE_LIMIT`]; a webhook landing meanwhile can still make the two differ by a
//! little, which the next comparison settles.

use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};
use xeno_shopify::resource::documents::updated_since;
use xeno_shopify::Resource;

use super::context::SyncContext;
use super::error::SyncError;
use crate::metrics::ResourceLabels;
use crate::store::completeness::{self, CountRow};

/// The longest a comparison waits for the writers to catch up.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(30);
/// Time between reads of the stored count while it settles.
const POLL: Duration = Duration::from_millis(250);
/// Reads in a row without change after which the stored count counts as settled.
const STILL_READS: u32 = 8;

/// Shopify's count of a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopifyCount {
    pub count: i64,
    pub precision: String,
}

/// Compares every resource; a resource that cannot be counted (a missing scope, a failed
/// query) is logged and skipped, never failing the run.
pub async fn compare_all(ctx: &SyncContext) {
    for &resource in &ctx.resources {
        if let Err(e) = compare(ctx, resource).await {
            tracing::warn!(shop = %ctx.shop.domain, resource = resource.as_str(), error = %e, "cannot compare the stored count with Shopify's");
        }
    }
}

/// Compares one resource and records the result.
pub async fn compare(ctx: &SyncContext, resource: Resource) -> Result<CountRow, SyncError> {
    let shop = &ctx.shop.domain;
    let spec = resource.spec();
    let since = ctx.backfill_since(resource);
    let filter = since.map(updated_since);
    let data = ctx
        .client
        .query("count", &spec.count_query(), json!({ "query": filter }))
        .await?;
    let shopify = read_count(&data, spec.count_field).ok_or_else(|| {
        SyncError::Failed(format!("{} answered without a count", spec.count_field))
    })?;
    let client = ctx.pool.get().await?;
    let stored = settle(shopify.count, || {
        completeness::stored_count(&client, shop, resource, since)
    })
    .await?;
    let row = CountRow {
        shop_domain: shop.clone(),
        resource: resource.as_str().to_string(),
        shopify_count: shopify.count,
        precision: shopify.precision,
        stored_count: stored,
        compared_at: Utc::now(),
        filter,
    };
    completeness::record(&client, &row).await?;
    let difference = row.shopify_count - row.stored_count;
    ctx.metrics
        .count_difference
        .get_or_create(&ResourceLabels {
            shop: shop.clone(),
            resource: row.resource.clone(),
        })
        .set(difference);
    if difference == 0 {
        tracing::info!(shop = %shop, resource = resource.as_str(), count = stored, "stored count equals Shopify's");
    } else {
        tracing::warn!(shop = %shop, resource = resource.as_str(), shopify = row.shopify_count, stored, difference, "stored count differs from Shopify's");
    }
    Ok(row)
}

/// `{"ordersCount": {"count": 5, "precision": "EXACT"}}` → the count.
pub fn read_count(data: &Value, field: &str) -> Option<ShopifyCount> {
    let c = data.get(field)?;
    Some(ShopifyCount {
        count: c.get("count")?.as_i64()?,
        precision: c
            .get("precision")
            .and_then(Value::as_str)
            .unwrap_or("EXACT")
            .to_string(),
    })
}

/// Reads the stored count until it equals `target` or has not moved for [`STILL_READS`]
/// reads, within [`SETTLE_LIMIT`]; returns the last read.
async fn settle<F, Fut>(target: i64, mut read: F) -> Result<i64, tokio_postgres::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<i64, tokio_postgres::Error>>,
{
    let deadline = tokio::time::Instant::now() + SETTLE_LIMIT;
    let mut last = read().await?;
    let mut still = 0;
    while last != target && still < STILL_READS && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
        let now = read().await?;
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_shopifys_count_and_precision() {
        let data = json!({"ordersCount": {"count": 10000, "precision": "AT_LEAST"}});
        assert_eq!(
            read_count(&data, "ordersCount"),
            Some(ShopifyCount {
                count: 10000,
                precision: "AT_LEAST".into()
            })
        );
        assert_eq!(
            read_count(&json!({"ordersCount": null}), "ordersCount"),
            None
        );
        assert_eq!(read_count(&json!({}), "productsCount"), None);
    }

    #[tokio::test]
    async fn settling_stops_at_the_target_or_when_the_count_stops_moving() {
        let reads = std::sync::atomic::AtomicI64::new(0);
        let growing = || async { Ok(reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1) };
        assert_eq!(settle(3, growing).await.unwrap(), 3);
        let still = || async { Ok(7) };
        let started = tokio::time::Instant::now();
        assert_eq!(settle(9, still).await.unwrap(), 7);
        assert!(started.elapsed() >= POLL * STILL_READS);
    }
}
