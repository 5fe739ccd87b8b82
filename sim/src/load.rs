//! `xeno load`: a webhook load generator for benchmarks.
//!
//! Sends signed `orders/create` deliveries (real generated orders of 6–12 KB, Shopify's size:
//! its documented `orders/create` example is 9.5–11.5 KB; each with a fresh
//! `X-Shopify-Webhook-Id`) to a webhook URL at a fixed rate (open loop: sends are scheduled by
//! the clock, not by answers; 0 = as fast as `--concurrency` allows) for `--duration`, then
//! reports the achieved rate, HDR latency percentiles of the 2xx answers and the other answers
//! by status. [`LoadReport`] is serde-serialisable for benchmark JSON.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use xeno_shopify::headers;

use bytes::Bytes;
use hdrhistogram::Histogram;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::config::Plan;
use crate::store::rest::{order, Render};
use crate::webhooks::{lock, triggered_at};

/// The flags of `xeno load`.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Where to POST the webhooks (the engine's `/api/webhooks`).
    #[arg(long)]
    pub webhook_url: String,
    /// Deliveries per second (0 = as fast as the concurrency allows).
    #[arg(long, default_value_t = 1000)]
    pub rate: u64,
    /// How long to send.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub duration: Duration,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub concurrency: u64,
    /// Shop domain announced in `X-Shopify-Shop-Domain`.
    #[arg(long, default_value = "xeno-sim.myshopify.com")]
    pub shop: String,
    /// Environment variable holding the webhook signing secret.
    #[arg(long, default_value = "SHOPIFY_WEBHOOK_SECRET")]
    pub secret_env: String,
    /// API version announced in `X-Shopify-API-Version` (Shopify's latest stable by default).
    #[arg(long, default_value = xeno_shopify::versions::LATEST_STABLE)]
    pub api_version: String,
    /// Give every request its own order (fresh order and line item ids, signed per request),
    /// so each 200 can be matched with the row it produced (end-to-end latency benchmarks).
    #[arg(long)]
    pub unique_orders: bool,
    /// Print the report as one JSON object (for `bench/run.sh`) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

/// What a load run achieved.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LoadReport {
    pub target_rate: u64,
    pub concurrency: u64,
    pub duration_secs: f64,
    /// Requests started.
    pub sent: u64,
    /// Answers with a 2xx status.
    pub ok: u64,
    /// Non-2xx answers by status code.
    pub by_status: BTreeMap<u16, u64>,
    /// Requests without an answer (connect error, timeout).
    pub errors: u64,
    /// Answered requests per second over the run.
    pub achieved_rate: f64,
    /// Latency of the 2xx answers.
    pub latency_ms: Percentiles,
    /// Bytes of one body on average.
    pub body_bytes: usize,
}

/// A problem before the run starts.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("environment variable {0} (named by --secret-env) is not set")]
    MissingSecret(String),
    #[error("--webhook-url {0:?} is not an http(s) URL")]
    BadUrl(String),
    #[error("could not build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Real generated orders whose JSON is 6–12 KB.
pub fn sample_bodies(seed: u64) -> Vec<Bytes> {
    let shop = crate::generate::default_shop("xeno-load.myshopify.com", "USD", Plan::Standard);
    let sizes = crate::generate::Sizes {
        customers: 50,
        products: 30,
        orders: 200,
    };
    let (store, _) = crate::generate::generate(shop, seed, sizes);
    let m = Render::for_shop(&store.shop);
    let bodies: Vec<Bytes> = store
        .orders
        .values()
        .map(|o| Bytes::from(order(o, &m).to_string()))
        .filter(|b| (6_000..=12_000).contains(&b.len()))
        .collect();
    if bodies.is_empty() {
        // Fall back to whatever sizes exist (never expected with these sizes).
        store
            .orders
            .values()
            .take(10)
            .map(|o| Bytes::from(order(o, &m).to_string()))
            .collect()
    } else {
        bodies
    }
}

/// One 2xx answer to a `--unique-orders` request: which order, and when its 200 arrived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ack {
    pub order_id: i64,
    pub at: std::time::SystemTime,
}

struct Tally {
    histogram: Histogram<u64>,
    ok: u64,
    by_status: BTreeMap<u16, u64>,
    errors: u64,
    acks: Vec<Ack>,
}

/// Order ids handed out by `--unique-orders` start here, far above the simulator's own ids.
pub const UNIQUE_ORDER_BASE: i64 = 9_000_000_000;

/// A copy of `template` as order `id`: new order id and line item ids (`id * 100 + k`).
pub fn with_order_id(template: &serde_json::Value, id: i64) -> Bytes {
    let mut v = template.clone();
    v["id"] = id.into();
    if let Some(items) = v["line_items"].as_array_mut() {
        for (k, item) in items.iter_mut().enumerate() {
            item["id"] = (id * 100 + k as i64).into();
        }
    }
    Bytes::from(v.to_string())
}

/// Runs the load and prints the report.
pub async fn run_load(args: LoadArgs) -> anyhow::Result<LoadReport> {
    let secret = std::env::var(&args.secret_env)
        .map_err(|_| LoadError::MissingSecret(args.secret_env.clone()))?;
    let report = run_with_secret(&args, &secret).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).expect("a report always serialises")
        );
    } else {
        print_report(&report);
    }
    Ok(report)
}

/// Runs the load with the secret given (what tests and benchmarks call).
pub async fn run_with_secret(args: &LoadArgs, secret: &str) -> Result<LoadReport, LoadError> {
    run_recorded(args, secret).await.map(|(report, _)| report)
}

/// Like [`run_with_secret`], also returning the [`Ack`] of every 2xx answer when
/// `--unique-orders` is set (empty otherwise).
pub async fn run_recorded(
    args: &LoadArgs,
    secret: &str,
) -> Result<(LoadReport, Vec<Ack>), LoadError> {
    if !(args.webhook_url.starts_with("http://") || args.webhook_url.starts_with("https://")) {
        return Err(LoadError::BadUrl(args.webhook_url.clone()));
    }
    let bodies = Arc::new(sample_bodies(1));
    let (templates, signatures) = signed_bodies(&bodies, secret, args.unique_orders);
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(args.concurrency as usize)
        .build()?;
    let tally = Arc::new(Mutex::new(Tally {
        histogram: Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds"),
        ok: 0,
        by_status: BTreeMap::new(),
        errors: 0,
        acks: Vec::new(),
    }));
    let permits = Arc::new(Semaphore::new(args.concurrency as usize));
    let start = Instant::now();
    let end = start + args.duration;
    let planned =
        (args.rate > 0).then(|| (args.rate as f64 * args.duration.as_secs_f64()).round() as u64);
    let mut sent: u64 = 0;
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        let due = match planned {
            Some(total) if sent >= total => break,
            Some(_) => start + Duration::from_nanos(sent * 1_000_000_000 / args.rate),
            None if Instant::now() >= end => break,
            None => Instant::now(),
        };
        // tokio's timer has millisecond granularity: sleeping until "now" would cap an
        // unpaced run at ~1000 requests/s.
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let i = (sent as usize) % bodies.len();
        let (order_id, body, signature) = if templates.is_empty() {
            (None, bodies[i].clone(), signatures[i].clone())
        } else {
            let id = UNIQUE_ORDER_BASE + sent as i64;
            let body = with_order_id(&templates[i % templates.len()], id);
            let signature = xeno_shopify::signature::sign(secret.as_bytes(), &body);
            (Some(id), body, signature)
        };
        let post = Post {
            url: args.webhook_url.clone(),
            shop: args.shop.clone(),
            version: args.api_version.clone(),
            body,
            signature,
            order_id,
        };
        sent += 1;
        tasks.spawn(post_one(client.clone(), post, tally.clone(), permit));
        // Reap finished tasks so the set stays small.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    let elapsed = start.elapsed().as_secs_f64();
    let mut t = lock(&tally);
    let acks = std::mem::take(&mut t.acks);
    let body_bytes = bodies.iter().map(|b| b.len()).sum::<usize>() / bodies.len().max(1);
    let report = report_of(args, &t, sent, elapsed, body_bytes);
    Ok((report, acks))
}

/// The signature of each sample body, and with `--unique-orders` the bodies parsed as templates
/// that each POST gives an order id of its own (signed then).
fn signed_bodies(
    bodies: &[Bytes],
    secret: &str,
    unique_orders: bool,
) -> (Vec<serde_json::Value>, Arc<Vec<String>>) {
    let templates: Vec<serde_json::Value> = if unique_orders {
        bodies
            .iter()
            .filter_map(|b| serde_json::from_slice(b).ok())
            .collect()
    } else {
        Vec::new()
    };
    let signatures: Arc<Vec<String>> = Arc::new(
        bodies
            .iter()
            .map(|b| xeno_shopify::signature::sign(secret.as_bytes(), b))
            .collect(),
    );
    (templates, signatures)
}

/// One webhook POST of the load, with what its task needs to send it.
struct Post {
    url: String,
    shop: String,
    version: String,
    body: Bytes,
    signature: String,
    /// The order id of a unique-order body (recorded in the acks).
    order_id: Option<i64>,
}

/// Sends one webhook and records its latency or failure; the permit bounds the concurrency.
async fn post_one(
    client: reqwest::Client,
    post: Post,
    tally: Arc<Mutex<Tally>>,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    let Post {
        url,
        shop,
        version,
        body,
        signature,
        order_id,
    } = post;
    let t0 = Instant::now();
    let result = client
        .post(&url)
        .header("Content-Type", "application/json")
        .header(headers::TOPIC, "orders/create")
        .header(headers::HMAC_SHA256, signature)
        .header(headers::SHOP_DOMAIN, shop)
        .header(headers::API_VERSION, version)
        .header(headers::WEBHOOK_ID, uuid::Uuid::new_v4().to_string())
        .header(headers::EVENT_ID, uuid::Uuid::new_v4().to_string())
        .header(headers::TRIGGERED_AT, triggered_at(chrono::Utc::now()))
        .body(body)
        .send()
        .await;
    let micros = t0.elapsed().as_micros().max(1) as u64;
    let mut t = lock(&tally);
    match result {
        Ok(resp) if resp.status().is_success() => {
            t.ok += 1;
            let _ = t.histogram.record(micros);
            if let Some(order_id) = order_id {
                let at = std::time::SystemTime::now();
                t.acks.push(Ack { order_id, at });
            }
        }
        Ok(resp) => *t.by_status.entry(resp.status().as_u16()).or_default() += 1,
        Err(_) => t.errors += 1,
    }
    drop(permit);
}

/// The report of a finished run.
fn report_of(args: &LoadArgs, t: &Tally, sent: u64, elapsed: f64, body_bytes: usize) -> LoadReport {
    let ms = |v: u64| v as f64 / 1000.0;
    let h = &t.histogram;
    let answered = t.ok + t.by_status.values().sum::<u64>();
    LoadReport {
        target_rate: args.rate,
        concurrency: args.concurrency,
        duration_secs: elapsed,
        sent,
        ok: t.ok,
        by_status: t.by_status.clone(),
        errors: t.errors,
        achieved_rate: answered as f64 / elapsed.max(1e-9),
        latency_ms: if h.is_empty() {
            Percentiles::default()
        } else {
            Percentiles {
                p50: ms(h.value_at_quantile(0.5)),
                p90: ms(h.value_at_quantile(0.9)),
                p99: ms(h.value_at_quantile(0.99)),
                p999: ms(h.value_at_quantile(0.999)),
                max: ms(h.max()),
                mean: h.mean() / 1000.0,
            }
        },
        body_bytes,
    }
}

/// Prints a report for people.
pub fn print_report(r: &LoadReport) {
    println!(
        "sent {} in {:.1}s: {:.0}/s achieved (target {}/s, concurrency {}), body {} B",
        r.sent, r.duration_secs, r.achieved_rate, r.target_rate, r.concurrency, r.body_bytes
    );
    let l = r.latency_ms;
    println!(
        "2xx {}: latency ms p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        r.ok, l.p50, l.p90, l.p99, l.p999, l.max
    );
    for (status, n) in &r.by_status {
        println!("status {status}: {n}");
    }
    if r.errors > 0 {
        println!("no answer (connect error or timeout): {}", r.errors);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_real_orders_of_6_to_12_kb() {
        let bodies = sample_bodies(1);
        assert!(bodies.len() >= 5, "{}", bodies.len());
        for b in &bodies {
            assert!((6_000..=12_000).contains(&b.len()));
            let v: serde_json::Value = serde_json::from_slice(b).unwrap();
            assert!(v["line_items"].is_array() && v["total_price_set"].is_object());
        }
    }

    #[test]
    fn unique_orders_get_their_own_order_and_line_item_ids() {
        let template: serde_json::Value = serde_json::from_slice(&sample_bodies(1)[0]).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&with_order_id(&template, 42)).unwrap();
        assert_eq!(v["id"], 42);
        let items = v["line_items"].as_array().unwrap();
        assert!(!items.is_empty());
        for (k, item) in items.iter().enumerate() {
            assert_eq!(item["id"], 4200 + k as i64);
        }
        assert_eq!(v["total_price_set"], template["total_price_set"]);
    }
}
