//! Sales figures: `/api/stats`, `/api/revenue-series`, `/api/top-customers`.
//!
//! Every figure comes from the rollups of `sql/V3__analytics.sql` (kept by triggers in the
//! writers' transactions), so the answers cost a few index range scans whatever the number of
//! orders. Revenue rules live in `sql/README.md` ("Analytics"): non-test, non-deleted,
//! non-cancelled orders' `total_price` on their creation hour; refunds of those orders on the
//! refund's hour; net = gross − refunds; always per currency, as exact decimal strings.
//!
//! Periods are hour-granular: an hour of the shop's time zone belongs to `[from, to)` when it
//! starts in it. So the current, partial hour counts, and a period and the one just before it
//! never share an hour.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use tokio_postgres::types::ToSql;

use super::auth::Access;
use super::error::{ApiError, ApiResult};
use super::params::{Params, Period};
use crate::http::state::AppState;

/// A money amount as an exact decimal string with at least two decimals (`"12.30"`).
pub fn money(amount: Decimal) -> String {
    let mut d = amount;
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

// ---------------------------------------------------------------------------------------------
// /api/stats

/// The KPIs of one period.
#[derive(Debug, Serialize, Default)]
pub struct Figures {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Counted orders created in the period (all currencies).
    pub orders_count: i64,
    /// Customers created in the period (new customers), not deleted.
    pub customers_count: i64,
    /// Products that existed at the end of the period.
    pub products_count: i64,
    /// Gross sales per currency.
    pub revenue: BTreeMap<String, String>,
    /// Refunded per currency (refunds dated in the period).
    pub refunds: BTreeMap<String, String>,
    pub refunds_count: i64,
    /// `revenue − refunds` per currency.
    pub net_revenue: BTreeMap<String, String>,
    /// `revenue / orders` per currency, rounded to the currency amounts' decimals.
    pub average_order_value: BTreeMap<String, String>,
    pub orders_by_currency: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize)]
pub struct StatsResponse {
    pub shops: Vec<String>,
    #[serde(flatten)]
    pub current: Figures,
    /// The period of equal length just before (for "+12% vs last period").
    pub previous: Figures,
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

async fn figures(
    client: &deadpool_postgres::Client,
    shops: &[String],
    period: Period,
) -> ApiResult<Figures> {
    let in_period: [&(dyn ToSql + Sync); 3] = [&shops, &period.from, &period.to];
    let at_end: [&(dyn ToSql + Sync); 2] = [&shops, &period.to];
    let (sales, customers, products) = tokio::join!(
        client.query(SALES_SQL, &in_period),
        client.query_one(NEW_CUSTOMERS_SQL, &in_period),
        client.query_one(PRODUCTS_SQL, &at_end),
    );
    let mut f = Figures {
        from: period.from,
        to: period.to,
        customers_count: customers?.get(0),
        products_count: products?.get(0),
        ..Default::default()
    };
    for row in sales? {
        let currency: String = row.get(0);
        let orders: i64 = row.get(1);
        let gross: Decimal = row.get(2);
        let refunds_count: i64 = row.get(3);
        let refunds: Decimal = row.get(4);
        f.orders_count += orders;
        f.refunds_count += refunds_count;
        if orders != 0 {
            let aov = (gross / Decimal::from(orders)).round_dp(gross.scale().max(2));
            f.average_order_value.insert(currency.clone(), money(aov));
        }
        f.orders_by_currency.insert(currency.clone(), orders);
        f.revenue.insert(currency.clone(), money(gross));
        f.refunds.insert(currency.clone(), money(refunds));
        f.net_revenue.insert(currency, money(gross - refunds));
    }
    Ok(f)
}

/// `GET /api/stats?shop=&from=&to=`
pub async fn stats(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<StatsResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let period = params.period()?;
    let client = state.pool.get().await?;
    let (current, previous) = tokio::join!(
        figures(&client, &shops, period),
        figures(&client, &shops, period.previous())
    );
    Ok(Json(StatsResponse {
        shops,
        current: current?,
        previous: previous?,
    }))
}

// ---------------------------------------------------------------------------------------------
// /api/revenue-series

/// Bucket widths of the revenue series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Hour,
    Day,
    Week,
}

impl Bucket {
    pub fn parse(params: &Params) -> Result<Bucket, ApiError> {
        match params.get("bucket") {
            None | Some("day") => Ok(Bucket::Day),
            Some("hour") => Ok(Bucket::Hour),
            Some("week") => Ok(Bucket::Week),
            Some(v) => Err(ApiError::bad_parameter(
                "bucket",
                format!("`{v}` must be hour, day or week"),
            )),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Bucket::Hour => "hour",
            Bucket::Day => "day",
            Bucket::Week => "week",
        }
    }

    fn width(self) -> Duration {
        match self {
            Bucket::Hour => Duration::hours(1),
            Bucket::Day => Duration::days(1),
            Bucket::Week => Duration::weeks(1),
        }
    }
}

/// Most points a series may have (a year of hours fits; ten years of hours does not).
pub const MAX_POINTS: i64 = 9000;

/// Orders, revenue and refunds per currency of one bucket, before formatting.
type BucketSums = (i64, BTreeMap<String, Decimal>, BTreeMap<String, Decimal>);

#[derive(Debug, Serialize)]
pub struct SeriesPoint {
    /// Bucket start, wall-clock time in the shop's time zone (no offset).
    pub start: NaiveDateTime,
    pub orders_count: i64,
    pub revenue: BTreeMap<String, String>,
    pub refunds: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct SeriesResponse {
    pub shops: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket: Bucket,
    /// The zone bucket starts are in: the shops' zone when they share one, else `"shop local"`.
    pub time_zone: String,
    pub currencies: Vec<String>,
    pub points: Vec<SeriesPoint>,
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

/// `GET /api/revenue-series?shop=&from=&to=&bucket=hour|day|week`
pub async fn revenue_series(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<SeriesResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let period = params.period()?;
    let bucket = Bucket::parse(&params)?;
    let points = (period.to - period.from).num_seconds() / bucket.width().num_seconds() + 2;
    if points > MAX_POINTS {
        return Err(ApiError::bad_parameter(
            "bucket",
            format!(
                "{points} {}s is too many points for this period; use a wider bucket",
                bucket.as_str()
            ),
        ));
    }
    let client = state.pool.get().await?;
    let args: [&(dyn ToSql + Sync); 4] = [&shops, &period.from, &period.to, &bucket.as_str()];
    let (bounds, rows) = tokio::join!(
        client.query_one(SERIES_BOUNDS_SQL, &args),
        client.query(SERIES_SQL, &args)
    );
    let bounds = bounds?;
    let rows = rows?;
    let first: Option<NaiveDateTime> = bounds.get(0);
    let end: Option<NaiveDateTime> = bounds.get(1);
    let zones: Option<Vec<String>> = bounds.get(2);
    let time_zone = match zones.as_deref() {
        Some([one]) => one.clone(),
        Some([]) | None => "UTC".to_string(),
        Some(_) => "shop local".to_string(),
    };

    let mut by_start: BTreeMap<NaiveDateTime, BucketSums> = BTreeMap::new();
    let mut currencies = std::collections::BTreeSet::new();
    for row in rows {
        let start: NaiveDateTime = row.get(0);
        let currency: String = row.get(1);
        let entry = by_start.entry(start).or_default();
        entry.0 += row.get::<_, i64>(2);
        entry.1.insert(currency.clone(), row.get(3));
        entry.2.insert(currency.clone(), row.get(4));
        currencies.insert(currency);
    }
    let zero = |_: &String| money(Decimal::ZERO);
    let mut series = Vec::new();
    if let (Some(first), Some(end)) = (first, end) {
        let mut start = first;
        while start < end && (series.len() as i64) < MAX_POINTS {
            let (orders, revenue, refunds) = by_start.remove(&start).unwrap_or_default();
            let fill = |m: BTreeMap<String, Decimal>| -> BTreeMap<String, String> {
                currencies
                    .iter()
                    .map(|c| {
                        (
                            c.clone(),
                            m.get(c).map(|d| money(*d)).unwrap_or_else(|| zero(c)),
                        )
                    })
                    .collect()
            };
            series.push(SeriesPoint {
                start,
                orders_count: orders,
                revenue: fill(revenue),
                refunds: fill(refunds),
            });
            start += bucket.width();
        }
    }
    Ok(Json(SeriesResponse {
        shops,
        from: period.from,
        to: period.to,
        bucket,
        time_zone,
        currencies: currencies.into_iter().collect(),
        points: series,
    }))
}

// ---------------------------------------------------------------------------------------------
// /api/top-customers

#[derive(Debug, Serialize)]
pub struct TopCustomer {
    pub shop: String,
    pub customer_id: i64,
    /// First and last name, or `null` when unknown or redacted.
    pub name: Option<String>,
    pub email: Option<String>,
    pub orders_count: i64,
    /// Net spend: counted orders' totals minus their refunds.
    pub spent: String,
    pub last_order_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct CurrencyRanking {
    pub currency: String,
    pub customers: Vec<TopCustomer>,
}

#[derive(Debug, Serialize)]
pub struct TopCustomersResponse {
    pub shops: Vec<String>,
    /// One ranking per currency (amounts in different currencies are never compared).
    pub by_currency: Vec<CurrencyRanking>,
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

/// `GET /api/top-customers?shop=&limit=5&currency=`
pub async fn top_customers(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<TopCustomersResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let limit = params.limit("limit", 5, 100)?;
    let client = state.pool.get().await?;
    let currencies: Vec<String> = match params.get("currency") {
        Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            vec![c.to_ascii_uppercase()]
        }
        Some(c) => {
            return Err(ApiError::bad_parameter(
                "currency",
                format!("`{c}` is not a three-letter currency code"),
            ))
        }
        None => client
            .query(CURRENCIES_SQL, &[&shops])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    };
    let mut by_currency = Vec::new();
    for currency in currencies {
        let rows = client.query(TOP_SQL, &[&shops, &currency, &limit]).await?;
        let customers = rows
            .iter()
            .map(|r| TopCustomer {
                shop: r.get(0),
                customer_id: r.get(1),
                orders_count: r.get(2),
                spent: money(r.get(3)),
                name: r.get(4),
                email: r.get(5),
                last_order_at: r.get(6),
            })
            .collect();
        by_currency.push(CurrencyRanking {
            currency,
            customers,
        });
    }
    Ok(Json(TopCustomersResponse { shops, by_currency }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_keeps_exact_decimals() {
        assert_eq!(money(Decimal::new(1230, 2)), "12.30");
        assert_eq!(money(Decimal::new(5, 0)), "5.00");
        assert_eq!(money(Decimal::new(12345, 3)), "12.345");
        assert_eq!(money(Decimal::new(-75, 1)), "-7.50");
    }

    #[test]
    fn buckets_parse() {
        assert_eq!(Bucket::parse(&Params::default()).unwrap(), Bucket::Day);
        assert_eq!(
            Bucket::parse(&Params::parse("bucket=week")).unwrap(),
            Bucket::Week
        );
        let e = Bucket::parse(&Params::parse("bucket=month")).unwrap_err();
        assert_eq!(e.parameter, Some("bucket"));
    }
}
