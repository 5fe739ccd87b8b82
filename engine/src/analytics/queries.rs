//! The figures behind `/api/stats`, `/api/revenue-series` and `/api/top-customers`, built
//! from the rollup reads of `engine/src/store/analytics.rs` into the answer types of
//! `api-types/src/analytics.rs`. The handlers (`engine/src/api/analytics.rs`) check the
//! request and the token's shops first.
//!
//! Revenue rules (`sql/README.md`, "Analytics"): non-test, non-deleted, non-cancelled orders'
//! `total_price` on their creation hour; refunds of those orders on the refund's hour;
//! net = gross − refunds; always per currency, as exact decimal strings.
//!
//! Periods are hour-granular: an hour of the shop's time zone belongs to `[from, to)` when it
//! starts in it. So the current, partial hour counts, and a period and the one just before it
//! never share an hour.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDateTime};
use rust_decimal::Decimal;
use tokio_postgres::{Client, Error};
use xeno_api_types::analytics::{
    Bucket, CurrencyRanking, Figures, Money, SeriesPoint, SeriesResponse, StatsResponse,
    TopCustomer, TopCustomersResponse,
};

use super::period::Period;
use crate::store::analytics::{self as sql, SeriesRow};

/// Most points a series may have (a year of hours fits; ten years of hours does not).
pub const MAX_POINTS: i64 = 9000;

/// A money amount as an exact decimal string with at least two decimals (`"12.30"`).
pub fn money(amount: Decimal) -> String {
    let mut d = amount;
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

/// The width of one bucket.
pub fn bucket_width(bucket: Bucket) -> Duration {
    match bucket {
        Bucket::Hour => Duration::hours(1),
        Bucket::Day => Duration::days(1),
        Bucket::Week => Duration::weeks(1),
    }
}

/// How many points a series of `period` in `bucket`s can have (both ends partial).
pub fn points_needed(period: Period, bucket: Bucket) -> i64 {
    (period.to - period.from).num_seconds() / bucket_width(bucket).num_seconds() + 2
}

/// The KPIs of one period; its three reads are pipelined on the one connection.
async fn figures(client: &Client, shops: &[String], period: Period) -> Result<Figures, Error> {
    let (sales, customers, products) = tokio::join!(
        sql::sales(client, shops, period.from, period.to),
        sql::new_customers(client, shops, period.from, period.to),
        sql::products_at(client, shops, period.to),
    );
    let mut f = Figures {
        from: period.from,
        to: period.to,
        orders_count: 0,
        customers_count: customers?,
        products_count: products?,
        revenue: Money::new(),
        refunds: Money::new(),
        refunds_count: 0,
        net_revenue: Money::new(),
        average_order_value: Money::new(),
        orders_by_currency: BTreeMap::new(),
    };
    for s in sales? {
        f.orders_count += s.orders_count;
        f.refunds_count += s.refunds_count;
        if s.orders_count != 0 {
            let aov = (s.gross / Decimal::from(s.orders_count)).round_dp(s.gross.scale().max(2));
            f.average_order_value.insert(s.currency.clone(), money(aov));
        }
        f.orders_by_currency
            .insert(s.currency.clone(), s.orders_count);
        f.revenue.insert(s.currency.clone(), money(s.gross));
        f.refunds.insert(s.currency.clone(), money(s.refunds));
        f.net_revenue.insert(s.currency, money(s.gross - s.refunds));
    }
    Ok(f)
}

/// `/api/stats`: the period's figures and the previous period's.
pub async fn stats(
    client: &Client,
    shops: Vec<String>,
    period: Period,
) -> Result<StatsResponse, Error> {
    let (current, previous) = tokio::join!(
        figures(client, &shops, period),
        figures(client, &shops, period.previous())
    );
    Ok(StatsResponse {
        shops,
        current: current?,
        previous: previous?,
    })
}

/// Orders, revenue and refunds per currency of one bucket, before formatting.
type BucketSums = (i64, BTreeMap<String, Decimal>, BTreeMap<String, Decimal>);

/// `/api/revenue-series`: one point per bucket from the bucket holding `from` up to `to`,
/// every currency in every point (zero where nothing happened). The caller has checked
/// [`points_needed`] against [`MAX_POINTS`].
pub async fn revenue_series(
    client: &Client,
    shops: Vec<String>,
    period: Period,
    bucket: Bucket,
) -> Result<SeriesResponse, Error> {
    let (bounds, rows) =
        sql::series(client, &shops, period.from, period.to, bucket.as_str()).await?;
    let time_zone = match bounds.zones.as_deref() {
        Some([one]) => one.clone(),
        Some([]) | None => "UTC".to_string(),
        Some(_) => "shop local".to_string(),
    };
    let (by_start, currencies) = sums_by_start(rows);
    let points = match (bounds.first, bounds.end) {
        (Some(first), Some(end)) => fill_points(first, end, bucket, by_start, &currencies),
        _ => Vec::new(),
    };
    Ok(SeriesResponse {
        shops,
        from: period.from,
        to: period.to,
        bucket,
        time_zone,
        currencies: currencies.into_iter().collect(),
        points,
    })
}

/// The rows grouped by bucket start, and every currency seen.
fn sums_by_start(rows: Vec<SeriesRow>) -> (BTreeMap<NaiveDateTime, BucketSums>, BTreeSet<String>) {
    let mut by_start: BTreeMap<NaiveDateTime, BucketSums> = BTreeMap::new();
    let mut currencies = BTreeSet::new();
    for row in rows {
        let entry = by_start.entry(row.start).or_default();
        entry.0 += row.orders_count;
        entry.1.insert(row.currency.clone(), row.gross);
        entry.2.insert(row.currency.clone(), row.refunds);
        currencies.insert(row.currency);
    }
    (by_start, currencies)
}

/// Points from `first` while before `end`, at most [`MAX_POINTS`].
fn fill_points(
    first: NaiveDateTime,
    end: NaiveDateTime,
    bucket: Bucket,
    mut by_start: BTreeMap<NaiveDateTime, BucketSums>,
    currencies: &BTreeSet<String>,
) -> Vec<SeriesPoint> {
    let fill = |m: BTreeMap<String, Decimal>| -> Money {
        currencies
            .iter()
            .map(|c| (c.clone(), money(m.get(c).copied().unwrap_or(Decimal::ZERO))))
            .collect()
    };
    let mut series = Vec::new();
    let mut start = first;
    while start < end && (series.len() as i64) < MAX_POINTS {
        let (orders, revenue, refunds) = by_start.remove(&start).unwrap_or_default();
        series.push(SeriesPoint {
            start,
            orders_count: orders,
            revenue: fill(revenue),
            refunds: fill(refunds),
        });
        start += bucket_width(bucket);
    }
    series
}

/// `/api/top-customers`: one ranking per currency (`currency` alone when given, else every
/// currency the shops' customers spent in).
pub async fn top_customers(
    client: &Client,
    shops: Vec<String>,
    limit: i64,
    currency: Option<String>,
) -> Result<TopCustomersResponse, Error> {
    let currencies = match currency {
        Some(c) => vec![c],
        None => sql::customer_currencies(client, &shops).await?,
    };
    let mut by_currency = Vec::new();
    for currency in currencies {
        let customers = sql::top_customers(client, &shops, &currency, limit)
            .await?
            .into_iter()
            .map(|r| TopCustomer {
                shop: r.shop,
                customer_id: r.customer_id,
                name: r.name,
                email: r.email,
                orders_count: r.orders_count,
                spent: money(r.spent),
                last_order_at: r.last_order_at,
            })
            .collect();
        by_currency.push(CurrencyRanking {
            currency,
            customers,
        });
    }
    Ok(TopCustomersResponse { shops, by_currency })
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
}
