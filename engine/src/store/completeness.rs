//! `resource_counts` (`sql/V5__resource_counts.sql`): Shopify's own count of a resource beside
//! the live rows stored, per shop, as of the last comparison. The sync writes it
//! (`engine/src/sync/completeness.rs`); `GET /api/completeness` reads it.

use chrono::{DateTime, Utc};
use tokio_postgres::{Client, Error};
use xeno_shopify::Resource;

/// One comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CountRow {
    pub shop_domain: String,
    pub resource: String,
    pub shopify_count: i64,
    /// `EXACT`, or `AT_LEAST` when Shopify stopped counting.
    pub precision: String,
    pub stored_count: i64,
    pub compared_at: DateTime<Utc>,
    /// The Shopify search both counts were taken under; `None`: every object.
    pub filter: Option<String>,
}

/// Live (not tombstoned) rows of `resource` stored for `shop`, updated since `since` when
/// given (the same filter as Shopify's count). The table is the resource's name
/// (`Resource::as_str`, a constant of the seam), never caller input.
pub async fn stored_count(
    client: &Client,
    shop: &str,
    resource: Resource,
    since: Option<DateTime<Utc>>,
) -> Result<i64, Error> {
    let sql = format!(
        "SELECT count(*) FROM {} WHERE shop_domain = $1 AND deleted_at IS NULL
           AND ($2::timestamptz IS NULL OR updated_at >= $2)",
        resource.as_str()
    );
    Ok(client.query_one(&sql, &[&shop, &since]).await?.get(0))
}

/// Records a comparison, replacing the previous one of the shop and resource.
pub async fn record(client: &Client, row: &CountRow) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO resource_counts
               (shop_domain, resource, shopify_count, precision, stored_count, compared_at, filter)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (shop_domain, resource) DO UPDATE SET
               shopify_count = EXCLUDED.shopify_count, precision = EXCLUDED.precision,
               stored_count = EXCLUDED.stored_count, compared_at = EXCLUDED.compared_at,
               filter = EXCLUDED.filter",
            &[
                &row.shop_domain,
                &row.resource,
                &row.shopify_count,
                &row.precision,
                &row.stored_count,
                &row.compared_at,
                &row.filter,
            ],
        )
        .await?;
    Ok(())
}

/// The last comparison of every resource of `shops`, by shop then resource.
pub async fn counts(client: &Client, shops: &[String]) -> Result<Vec<CountRow>, Error> {
    let rows = client
        .query(
            "SELECT shop_domain, resource, shopify_count, precision, stored_count, compared_at,
                    filter
             FROM resource_counts WHERE shop_domain = ANY($1)
             ORDER BY shop_domain, resource",
            &[&shops],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| CountRow {
            shop_domain: r.get(0),
            resource: r.get(1),
            shopify_count: r.get(2),
            precision: r.get(3),
            stored_count: r.get(4),
            compared_at: r.get(5),
            filter: r.get(6),
        })
        .collect())
}
