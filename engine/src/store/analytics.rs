//! The analytics SQL: reads of the rollups (hourly sales per shop and currency, spend per
//! customer; each a folded table plus pending deltas, read through its `*_live` view, see
//! `sql/README.md`, "Analytics"), and the fold that moves pending deltas into the rollups.
//!
//! The revenue rules are there too. Callers: the figures of
//! `engine/src/analytics/queries.rs` and the RollupCompactor
//! (`engine/src/analytics/rollup_compactor.rs`). Every read takes the shops it is about and
//! costs a few index range scans whatever the number of orders.

use chrono::{DateTime, NaiveDateTime, Utc};
use deadpool_postgres::Pool;
use rust_decimal::Decimal;
use thiserror::Error;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Error};

/// Sales of one currency over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencySales {
    pub currency: String,
    pub orders_count: i64,
    pub gross: Decimal,
    pub refunds_count: i64,
    pub refunds: Decimal,
}

const SALES_SQL: &str = "
    SELECT h.currency, sum(h.orders_count)::bigint, sum(h.gross),
           sum(h.refunds_count)::bigint, sum(h.refunds)
    FROM unnest($1::text[]) AS s(shop)
    CROSS JOIN LATERAL (SELECT analytics_tz(s.shop) AS tz) z
    JOIN analytics_hourly_live h
      ON h.shop_domain = s.shop
     AND h.local_hour >= ($2::timestamptz AT TIME ZONE z.tz)
     AND h.local_hour < ($3::timestamptz AT TIME ZONE z.tz)
    GROUP BY h.currency
    HAVING sum(h.orders_count) <> 0 OR sum(h.refunds_count) <> 0
    ORDER BY h.currency";

const NEW_CUSTOMERS_SQL: &str = "
    SELECT count(*) FROM customers
    WHERE shop_domain = ANY($1) AND deleted_at IS NULL AND created_at >= $2 AND created_at < $3";

const PRODUCTS_SQL: &str = "
    SELECT count(*) FROM products
    WHERE shop_domain = ANY($1) AND created_at < $2 AND (deleted_at IS NULL OR deleted_at >= $2)";

/// Orders, gross, refunds per currency of the hours of each shop's zone that start in
/// `[from, to)`, by currency code.
pub async fn sales(
    client: &Client,
    shops: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<CurrencySales>, Error> {
    let args: [&(dyn ToSql + Sync); 3] = [&shops, &from, &to];
    let rows = client.query(SALES_SQL, &args).await?;
    Ok(rows
        .iter()
        .map(|row| CurrencySales {
            currency: row.get(0),
            orders_count: row.get(1),
            gross: row.get(2),
            refunds_count: row.get(3),
            refunds: row.get(4),
        })
        .collect())
}

/// Customers created in `[from, to)` and not deleted.
pub async fn new_customers(
    client: &Client,
    shops: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<i64, Error> {
    let args: [&(dyn ToSql + Sync); 3] = [&shops, &from, &to];
    Ok(client.query_one(NEW_CUSTOMERS_SQL, &args).await?.get(0))
}

/// Products that existed at `at`.
pub async fn products_at(
    client: &Client,
    shops: &[String],
    at: DateTime<Utc>,
) -> Result<i64, Error> {
    let args: [&(dyn ToSql + Sync); 2] = [&shops, &at];
    Ok(client.query_one(PRODUCTS_SQL, &args).await?.get(0))
}

/// Where a series starts and ends in the shops' wall-clock time, and the zones involved.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesBounds {
    /// The start of the bucket holding `from` (earliest over the shops' zones).
    pub first: Option<NaiveDateTime>,
    /// `to` in local time (latest over the shops' zones).
    pub end: Option<NaiveDateTime>,
    pub zones: Option<Vec<String>>,
}

/// One bucket's sums of one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    pub start: NaiveDateTime,
    pub currency: String,
    pub orders_count: i64,
    pub gross: Decimal,
    pub refunds: Decimal,
}

const SERIES_BOUNDS_SQL: &str = "
    SELECT min(date_trunc($4, $2::timestamptz AT TIME ZONE tz)),
           max($3::timestamptz AT TIME ZONE tz),
           array_agg(DISTINCT tz)
    FROM (SELECT analytics_tz(shop) AS tz FROM unnest($1::text[]) AS s(shop)) z";

const SERIES_SQL: &str = "
    SELECT date_trunc($4, h.local_hour) AS start, h.currency,
           sum(h.orders_count)::bigint, sum(h.gross), sum(h.refunds)
    FROM unnest($1::text[]) AS s(shop)
    CROSS JOIN LATERAL (SELECT analytics_tz(s.shop) AS tz) z
    JOIN analytics_hourly_live h
      ON h.shop_domain = s.shop
     AND h.local_hour >= ($2::timestamptz AT TIME ZONE z.tz)
     AND h.local_hour < ($3::timestamptz AT TIME ZONE z.tz)
    GROUP BY 1, 2
    HAVING sum(h.orders_count) <> 0 OR sum(h.refunds_count) <> 0
    ORDER BY 1, 2";

/// The bounds and the non-empty buckets (`bucket` is `hour`, `day` or `week`, a
/// `date_trunc` unit) of `[from, to)`, by start and currency; both queries are pipelined on
/// the one connection.
pub async fn series(
    client: &Client,
    shops: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket: &str,
) -> Result<(SeriesBounds, Vec<SeriesRow>), Error> {
    let args: [&(dyn ToSql + Sync); 4] = [&shops, &from, &to, &bucket];
    let (bounds, rows) = tokio::join!(
        client.query_one(SERIES_BOUNDS_SQL, &args),
        client.query(SERIES_SQL, &args)
    );
    let bounds = bounds?;
    let bounds = SeriesBounds {
        first: bounds.get(0),
        end: bounds.get(1),
        zones: bounds.get(2),
    };
    let rows = rows?
        .iter()
        .map(|row| SeriesRow {
            start: row.get(0),
            currency: row.get(1),
            orders_count: row.get(2),
            gross: row.get(3),
            refunds: row.get(4),
        })
        .collect();
    Ok((bounds, rows))
}

/// Distinct currencies of the shops' customers: a skip scan of the ranking index, plus the
/// currencies of deltas not folded yet (a shop's first sale in a new currency).
const CURRENCIES_SQL: &str = "
    SELECT DISTINCT c.currency
    FROM unnest($1::text[]) AS s(shop)
    CROSS JOIN LATERAL (
        WITH RECURSIVE cur(currency) AS (
            (SELECT currency FROM analytics_customers
             WHERE shop_domain = s.shop ORDER BY currency LIMIT 1)
            UNION ALL
            SELECT (SELECT a.currency FROM analytics_customers a
                    WHERE a.shop_domain = s.shop AND a.currency > cur.currency
                    ORDER BY a.currency LIMIT 1)
            FROM cur WHERE cur.currency IS NOT NULL)
        SELECT currency FROM cur WHERE currency IS NOT NULL
        UNION
        SELECT currency FROM analytics_customers_pending p WHERE p.shop_domain = s.shop) c
    ORDER BY 1";

/// The currencies the shops' customers have spent in, in code order.
pub async fn customer_currencies(client: &Client, shops: &[String]) -> Result<Vec<String>, Error> {
    Ok(client
        .query(CURRENCIES_SQL, &[&shops])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// One customer of a ranking, with net spend in the ranking's currency.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedCustomer {
    pub shop: String,
    pub customer_id: i64,
    pub orders_count: i64,
    pub spent: Decimal,
    pub name: Option<String>,
    pub email: Option<String>,
    pub last_order_at: Option<DateTime<Utc>>,
}

/// The top customers by spend, exact although some deltas may not be folded yet.
///
/// Candidates per shop: the `limit + k` best folded rows (by the ranking index), where `k`
/// is the number of customers with pending deltas, plus those `k` customers. A customer
/// without pending deltas has its exact figure in the folded row, and at most `k` of the
/// `limit + k` best can change, so the true top `limit` is always among the candidates.
/// Each candidate's figure is then summed exactly over the live view.
const TOP_SQL: &str = "
    SELECT t.shop_domain, t.customer_id, t.orders_count, t.spent,
           nullif(btrim(concat_ws(' ', cu.first_name, cu.last_name)), ''), cu.email,
           (SELECT max(o.created_at) FROM analytics_orders o
            WHERE o.shop_domain = t.shop_domain AND o.customer_id = t.customer_id)
    FROM unnest($1::text[]) AS s(shop)
    CROSS JOIN LATERAL (
        WITH pending AS (
            SELECT DISTINCT customer_id FROM analytics_customers_pending
            WHERE shop_domain = s.shop AND currency = $2
        ), candidates AS (
            (SELECT customer_id FROM analytics_customers
             WHERE shop_domain = s.shop AND currency = $2 AND orders_count > 0
             ORDER BY spent DESC
             LIMIT $3 + (SELECT count(*) FROM pending))
            UNION
            SELECT customer_id FROM pending
        )
        SELECT s.shop AS shop_domain, l.customer_id, sum(l.orders_count)::bigint AS orders_count,
               sum(l.gross - l.refunds) AS spent
        FROM candidates k
        JOIN analytics_customers_live l
          ON l.shop_domain = s.shop AND l.currency = $2 AND l.customer_id = k.customer_id
        GROUP BY l.customer_id
        HAVING sum(l.orders_count) > 0
        ORDER BY spent DESC, l.customer_id
        LIMIT $3) t
    LEFT JOIN customers cu ON cu.shop_domain = t.shop_domain AND cu.id = t.customer_id
    ORDER BY t.spent DESC, t.shop_domain, t.customer_id
    LIMIT $3";

/// The `limit` customers of the shops who spent most in `currency`, best first.
pub async fn top_customers(
    client: &Client,
    shops: &[String],
    currency: &str,
    limit: i64,
) -> Result<Vec<RankedCustomer>, Error> {
    let rows = client.query(TOP_SQL, &[&shops, &currency, &limit]).await?;
    Ok(rows
        .iter()
        .map(|r| RankedCustomer {
            shop: r.get(0),
            customer_id: r.get(1),
            orders_count: r.get(2),
            spent: r.get(3),
            name: r.get(4),
            email: r.get(5),
            last_order_at: r.get(6),
        })
        .collect())
}

/// Why a fold did not run.
#[derive(Debug, Error)]
pub enum CompactError {
    #[error("no PostgreSQL connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error(transparent)]
    Query(#[from] Error),
}

/// Runs one fold and returns how many delta rows it moved (0 when another process holds the
/// compaction lock inside `analytics_compact()`).
pub async fn compact(pool: &Pool) -> Result<i64, CompactError> {
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
