//! Figures from the API (stats, series, top customers) equal the raw tables', whatever mix of
//! writes the rows went through, before and after the rollup deltas are folded.

use rand::{Rng, SeedableRng};

use crate::common::*;
use crate::support::*;

/// Figures from the API equal the same figures computed from the raw tables after a random
/// mix of creates, updates, refunds, cancellations, deletes (tombstones and row deletes),
/// test flags, redactions and a time-zone change; both while rollup deltas are pending and
/// after they are folded (`analytics_compact`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollup_figures_equal_raw_tables_after_a_random_mix() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let api = Api {
        h: &h,
        addr: engine.addr(),
    };
    sql(&h, "INSERT INTO shops (shop_domain, iana_timezone) VALUES ('acme.myshopify.com', 'Asia/Kolkata')").await;

    let mut rng = rand::rngs::StdRng::seed_from_u64(6);
    let c = h.db.pool.get().await.unwrap();
    random_mix(&c, &mut rng, 1500).await;
    // The zone changes midway through the shop's life: rollups are rebuilt in the new zone.
    sql(&h, "UPDATE shops SET iana_timezone = 'America/New_York' WHERE shop_domain = 'acme.myshopify.com'").await;
    assert_figures_equal_raw(&api, &c).await;

    // Holding the compaction lock keeps the engine's compactor from folding: the next
    // changes stay pending, and readers must add them.
    let lock = h.db.pool.get().await.unwrap();
    lock.execute(
        "SELECT pg_advisory_lock(hashtext('xeno.analytics_compact'))",
        &[],
    )
    .await
    .unwrap();
    random_mix(&c, &mut rng, 500).await;
    let pending = h
        .query_i64("SELECT count(*) FROM analytics_hourly_pending")
        .await;
    assert!(pending > 0, "changes left deltas pending");
    assert_figures_equal_raw(&api, &c).await;
    lock.execute(
        "SELECT pg_advisory_unlock(hashtext('xeno.analytics_compact'))",
        &[],
    )
    .await
    .unwrap();
    let moved = h.query_i64("SELECT analytics_compact()").await;
    assert!(moved >= pending, "folded {moved} of {pending}");
    assert_eq!(
        h.query_i64("SELECT count(*) FROM analytics_hourly_pending")
            .await,
        0
    );
    assert_figures_equal_raw(&api, &c).await;
    engine.shutdown().await;
}

/// `changes` random writes to one shop's orders and refunds, straight in SQL (the triggers
/// keep the rollups whatever writes the rows).
async fn random_mix(c: &deadpool_postgres::Client, rng: &mut rand::rngs::StdRng, changes: usize) {
    for _ in 0..changes {
        let order: i64 = rng.gen_range(1..150);
        let roll: f64 = rng.gen();
        if roll < 0.35 {
            let currency = if rng.gen_bool(0.2) { "EUR" } else { "USD" };
            let total = format!("{}.{:02}", rng.gen_range(1..500), rng.gen_range(0..100));
            let minutes: i64 = rng.gen_range(0..(60 * 24 * 60));
            let customer: i64 = rng.gen_range(1..25);
            c.execute(
                "INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, test, created_at, updated_at)
                 VALUES ('acme.myshopify.com', $1, $2, $3, $4::text::numeric, $5,
                         '2025-05-01T00:00:00Z'::timestamptz + make_interval(mins => $6::int), now())
                 ON CONFLICT (shop_domain, id) DO UPDATE
                    SET total_price = EXCLUDED.total_price, customer_id = EXCLUDED.customer_id,
                        updated_at = now()",
                &[&order, &customer, &currency, &total, &rng.gen_bool(0.05), &(minutes as i32)],
            )
            .await
            .unwrap();
        } else if roll < 0.5 {
            let refund: i64 = rng.gen_range(1..300);
            let amount = format!("{}.{:02}", rng.gen_range(0..50), rng.gen_range(0..100));
            let minutes: i32 = rng.gen_range(0..(60 * 24 * 60));
            c.execute(
                "INSERT INTO order_refunds (shop_domain, id, order_id, amount, processed_at)
                 VALUES ('acme.myshopify.com', $1, $2, $3::text::numeric,
                         '2025-05-01T00:00:00Z'::timestamptz + make_interval(mins => $4))
                 ON CONFLICT (shop_domain, id) DO UPDATE SET amount = EXCLUDED.amount",
                &[&refund, &order, &amount, &minutes],
            )
            .await
            .unwrap();
        } else {
            let statement = match roll {
                r if r < 0.6 => "UPDATE orders SET cancelled_at = CASE WHEN cancelled_at IS NULL THEN now() END WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.7 => "UPDATE orders SET deleted_at = now() WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.75 => "DELETE FROM orders WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.8 => "DELETE FROM order_refunds WHERE shop_domain = 'acme.myshopify.com' AND order_id = $1",
                r if r < 0.85 => "UPDATE orders SET email = NULL, redacted_at = now() WHERE shop_domain = 'acme.myshopify.com' AND customer_id = $1::bigint % 25",
                r if r < 0.9 => "UPDATE orders SET test = NOT test WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.93 => "UPDATE orders SET customer_id = NULL WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                _ => "UPDATE orders SET financial_status = 'paid', updated_at = now() WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
            };
            c.execute(statement, &[&order]).await.unwrap();
        }
    }
}

/// Stats, series and top customers from the API equal the raw tables' figures.
async fn assert_figures_equal_raw(api: &Api<'_>, c: &deadpool_postgres::Client) {
    assert_stats_equal_raw(api, c).await;
    assert_series_sums_to_the_stats(api).await;
    assert_top_customers_equal_raw(api, c).await;
}

/// Orders, gross revenue and refunds per currency, over periods aligned to the shop's hours.
async fn assert_stats_equal_raw(api: &Api<'_>, c: &deadpool_postgres::Client) {
    // Periods aligned to the shop's local hours (New York, summer: UTC-4).
    for (from, to) in [
        ("2025-05-01T00:00:00-04:00", "2025-07-01T00:00:00-04:00"),
        ("2025-05-10T13:00:00-04:00", "2025-06-02T07:00:00-04:00"),
    ] {
        let stats = api
            .get(
                &format!("/api/stats?from={}&to={}", from.replace('+', "%2B"), to),
                API_TOKEN,
            )
            .await;
        let raw = c
            .query(
                "WITH live AS (SELECT * FROM orders WHERE shop_domain = 'acme.myshopify.com'
                               AND NOT test AND deleted_at IS NULL AND cancelled_at IS NULL)
                 SELECT currency,
                        (SELECT count(*) FROM live l WHERE l.currency = c.currency
                           AND created_at >= $1::text::timestamptz AND created_at < $2::text::timestamptz),
                        (SELECT coalesce(sum(total_price), 0)::text FROM live l WHERE l.currency = c.currency
                           AND created_at >= $1::text::timestamptz AND created_at < $2::text::timestamptz),
                        (SELECT coalesce(sum(f.amount), 0)::text FROM order_refunds f JOIN live l
                           ON l.shop_domain = f.shop_domain AND l.id = f.order_id
                          WHERE l.currency = c.currency
                            AND f.processed_at >= $1::text::timestamptz AND f.processed_at < $2::text::timestamptz)
                 FROM (SELECT DISTINCT currency FROM live) c ORDER BY currency",
                &[&from, &to],
            )
            .await
            .unwrap();
        let mut orders = 0;
        for row in raw {
            let currency: String = row.get(0);
            let n: i64 = row.get(1);
            let gross: String = row.get(2);
            let refunds: String = row.get(3);
            orders += n;
            let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
            let api_gross = stats["revenue"][&currency]
                .as_str()
                .map(dec)
                .unwrap_or_default();
            let api_refunds = stats["refunds"][&currency]
                .as_str()
                .map(dec)
                .unwrap_or_default();
            assert_eq!(
                api_gross,
                dec(&gross),
                "gross {currency} {from}..{to}: {stats}"
            );
            assert_eq!(
                api_refunds,
                dec(&refunds),
                "refunds {currency} {from}..{to}: {stats}"
            );
            assert_eq!(
                stats["orders_by_currency"][&currency].as_i64().unwrap_or(0),
                n
            );
        }
        assert_eq!(stats["orders_count"].as_i64().unwrap(), orders, "{stats}");
    }
}

/// The series sums to the stats of the same period.
async fn assert_series_sums_to_the_stats(api: &Api<'_>) {
    let period = "from=2025-05-01T00:00:00-04:00&to=2025-07-01T00:00:00-04:00";
    let stats = api.get(&format!("/api/stats?{period}"), API_TOKEN).await;
    let series = api
        .get(
            &format!("/api/revenue-series?{period}&bucket=week"),
            API_TOKEN,
        )
        .await;
    assert_eq!(series["time_zone"], "America/New_York");
    let points = series["points"].as_array().unwrap();
    let total: i64 = points
        .iter()
        .map(|p| p["orders_count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, stats["orders_count"].as_i64().unwrap());
}

/// Top customers: net spend per customer from the raw tables, ranked; a short ranking is the
/// head of the long one.
async fn assert_top_customers_equal_raw(api: &Api<'_>, c: &deadpool_postgres::Client) {
    let top = api
        .get("/api/top-customers?limit=100&currency=USD", API_TOKEN)
        .await;
    let ranking = top["by_currency"][0]["customers"]
        .as_array()
        .unwrap()
        .clone();
    let raw = c
        .query(
            "WITH live AS (SELECT * FROM orders WHERE shop_domain = 'acme.myshopify.com' AND currency = 'USD'
                           AND NOT test AND deleted_at IS NULL AND cancelled_at IS NULL
                           AND customer_id IS NOT NULL)
             SELECT customer_id, count(*),
                    (sum(total_price) - coalesce((SELECT sum(f.amount) FROM order_refunds f JOIN live l2
                        ON l2.id = f.order_id AND l2.shop_domain = f.shop_domain
                        WHERE l2.customer_id = live.customer_id), 0))::text,
                    -- The customer's last counted order, in any currency.
                    (SELECT max(o.created_at) FROM orders o
                      WHERE o.shop_domain = 'acme.myshopify.com' AND o.customer_id = live.customer_id
                        AND NOT o.test AND o.deleted_at IS NULL AND o.cancelled_at IS NULL)
             FROM live GROUP BY customer_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(ranking.len(), raw.len(), "{top}");
    for row in raw {
        let id: i64 = row.get(0);
        let entry = ranking
            .iter()
            .find(|c| c["customer_id"] == id)
            .unwrap_or_else(|| panic!("customer {id} missing from {top}"));
        assert_eq!(entry["orders_count"], row.get::<_, i64>(1));
        let spent: rust_decimal::Decimal = row.get::<_, String>(2).parse().unwrap();
        assert_eq!(
            entry["spent"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap(),
            spent
        );
        let last: chrono::DateTime<chrono::Utc> = row.get(3);
        let api_last: chrono::DateTime<chrono::Utc> =
            entry["last_order_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(api_last, last);
    }
    let spends: Vec<rust_decimal::Decimal> = ranking
        .iter()
        .map(|c| c["spent"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        spends.windows(2).all(|w| w[0] >= w[1]),
        "ranked by spend: {spends:?}"
    );
    // A short ranking is the head of the long one (its candidates come from the index).
    let top3 = api
        .get("/api/top-customers?limit=3&currency=USD", API_TOKEN)
        .await;
    let head: Vec<String> = top3["by_currency"][0]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["spent"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = spends.iter().take(3).map(|d| d.to_string()).collect();
    assert_eq!(head.len(), 3);
    for (got, want) in head.iter().zip(&want) {
        assert_eq!(
            got.parse::<rust_decimal::Decimal>().unwrap(),
            want.parse().unwrap()
        );
    }
}
