//! Figure 5, the dashboard API over a large store: ORDERS orders spread over SHOPS shops and
//! the past year, generated in SQL (`generate_series`) in a freshly migrated database, then
//! read through a real engine with an API token: `/api/stats` and `/api/revenue-series`
//! (day buckets) over the year, and `/api/top-customers`, many sequential requests each.
//!
//! The rows are inserted with the row triggers off and the rollups rebuilt per shop with
//! `analytics_rebuild` (what an operator runs to repair them): a million rows through the
//! per-row triggers would not fit the suite's time budget. Both times are reported.

use std::time::{Duration, Instant};

use anyhow::ensure;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use xeno_engine::testkit::TestDb;

use crate::procs::{EngineProc, Env, Run, API_TOKEN};
use crate::stats::{micros_histogram, Rate};

#[derive(Debug, Clone, Serialize)]
pub struct Endpoint {
    pub path: String,
    pub latency: Rate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub orders: u64,
    pub shops: u64,
    pub customers: u64,
    pub insert_secs: f64,
    pub rollup_rebuild_secs: f64,
    pub endpoints: Vec<Endpoint>,
    pub engine_peak_rss_mb: f64,
}

fn shop(i: u64) -> String {
    format!("bench{i}.myshopify.com")
}

/// Inserts shops, customers and orders; returns (customers, insert time, rebuild time).
async fn generate(db: &TestDb, orders: u64, shops: u64) -> anyhow::Result<(u64, f64, f64)> {
    let pg = db.pool.get().await?;
    let per_shop = orders / shops;
    let customers_per_shop = (per_shop / 5).max(1);
    let t0 = Instant::now();
    pg.batch_execute(&format!(
        "SET session_replication_role = replica;
         INSERT INTO shops (shop_domain, currency, iana_timezone)
         SELECT 'bench' || s || '.myshopify.com', 'USD', 'America/New_York'
         FROM generate_series(0, {last_shop}) s;
         INSERT INTO customers (shop_domain, id, email, first_name, last_name, state, currency,
                                created_at, updated_at)
         SELECT 'bench' || s || '.myshopify.com', c, 'customer' || c || '@example.com',
                'First' || c, 'Last' || c, 'enabled', 'USD',
                now() - (c % 400) * interval '1 day', now()
         FROM generate_series(0, {last_shop}) s, generate_series(1::bigint, {customers_per_shop}) c;
         INSERT INTO orders (shop_domain, id, name, order_number, email, customer_id, currency,
                             total_price, subtotal_price, total_tax, financial_status,
                             created_at, processed_at, updated_at)
         SELECT 'bench' || s || '.myshopify.com', o, '#' || o, o,
                'customer' || (1 + (o * 7919) % {customers_per_shop}) || '@example.com',
                1 + (o * 7919) % {customers_per_shop}, 'USD',
                round(10 + ((o * 104729) % 50000) / 100.0, 2),
                round(9 + ((o * 104729) % 50000) / 100.0, 2), 1.00, 'paid',
                now() - ((o * 15485863) % 31536000) * interval '1 second',
                now() - ((o * 15485863) % 31536000) * interval '1 second', now()
         FROM generate_series(0, {last_shop}) s, generate_series(1::bigint, {per_shop}) o;
         SET session_replication_role = DEFAULT;",
        last_shop = shops - 1,
    ))
    .await?;
    let insert = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    for i in 0..shops {
        pg.execute("SELECT analytics_rebuild($1)", &[&shop(i)])
            .await?;
    }
    pg.batch_execute("ANALYZE").await?;
    Ok((
        customers_per_shop * shops,
        insert,
        t1.elapsed().as_secs_f64(),
    ))
}

/// `requests` sequential GETs of `path` (with `{shop}` replaced, rotating over the shops).
async fn time_endpoint(
    base: &str,
    path: &str,
    shops: u64,
    requests: u64,
) -> anyhow::Result<Endpoint> {
    let client = reqwest::Client::new();
    let mut h = micros_histogram();
    let mut ok = 0;
    let warm_up = 10;
    let start = Instant::now();
    for i in 0..requests + warm_up {
        let url = format!("{base}{}", path.replace("{shop}", &shop(i % shops)));
        let t0 = Instant::now();
        let resp = client.get(&url).bearer_auth(API_TOKEN).send().await?;
        let status = resp.status();
        let body = resp.bytes().await?;
        let micros = t0.elapsed().as_micros().max(1) as u64;
        ensure!(
            status.is_success(),
            "{url}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        if i >= warm_up {
            let _ = h.record(micros);
            ok += 1;
        }
    }
    Ok(Endpoint {
        path: path.to_string(),
        latency: Rate::from_histogram(&h, ok, 0, start.elapsed().as_secs_f64()),
    })
}

pub async fn run(
    env: &Env<'_>,
    orders: u64,
    shops: u64,
    requests: u64,
) -> anyhow::Result<Dashboard> {
    let run = Run::new(env, (0..shops).map(shop).collect()).await;
    let db = &run.db;
    eprintln!("  generating {orders} orders in {shops} shops");
    let (customers, insert_secs, rollup_rebuild_secs) = generate(db, orders, shops).await?;
    eprintln!("    rows {insert_secs:.1} s, rollups {rollup_rebuild_secs:.1} s");
    let engine = EngineProc::start(&run.spec(env)).await?;
    engine.reset_peak();
    let now = Utc::now();
    let year = format!(
        "from={}&to={}",
        (now - chrono::Duration::days(365)).to_rfc3339_opts(SecondsFormat::Secs, true),
        now.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    let paths = [
        format!("/api/stats?shop={{shop}}&{year}"),
        format!("/api/revenue-series?shop={{shop}}&{year}&bucket=day"),
        "/api/top-customers?shop={shop}&limit=10".to_string(),
    ];
    let mut endpoints = Vec::new();
    for path in &paths {
        let e = time_endpoint(&engine.base_url, path, shops, requests).await?;
        eprintln!(
            "    {path}: p50 {:.2} ms p99 {:.2} ms",
            e.latency.p50_ms, e.latency.p99_ms
        );
        endpoints.push(e);
    }
    // Let the engine's background work (rollup compaction) show in its memory too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss = engine.peak_rss_mb();
    engine.stop().await;
    Ok(Dashboard {
        orders: (orders / shops) * shops,
        shops,
        customers,
        insert_secs,
        rollup_rebuild_secs,
        endpoints,
        engine_peak_rss_mb: rss,
    })
}
