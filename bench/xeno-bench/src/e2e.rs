//! Figure 2, end to end: the time from a webhook's 200 to its order being visible (committed)
//! in PostgreSQL, at a sustained, paced rate. Every request carries its own order id
//! (`--unique-orders`); a poller reads the new ids every few milliseconds and notes when it
//! first saw each. Latency = first seen - 200 received (same machine, same clock), so it
//! overstates by at most one poll interval.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use xeno_sim::load::{run_recorded, UNIQUE_ORDER_BASE};

use crate::ingest::load_args;
use crate::procs::{EngineProc, Env, Run, SECRET, SHOP};
use crate::stats::{micros_histogram, Rate};

#[derive(Debug, Clone, Serialize)]
pub struct EndToEnd {
    pub target_rate: u64,
    pub duration_secs: f64,
    /// The webhook acknowledgements, as the load generator saw them.
    pub ack: Rate,
    /// Acknowledged orders found in PostgreSQL.
    pub committed: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub poll_interval_ms: f64,
    pub engine_peak_rss_mb: f64,
}

const POLL: Duration = Duration::from_millis(5);
/// How far below the highest id seen the poller still looks for late commits.
const WINDOW: i64 = 5_000;

pub async fn run(env: &Env<'_>, rate: u64, duration: Duration) -> anyhow::Result<EndToEnd> {
    let run = Run::one_shop(env).await;
    let (db, stream) = (&run.db, &run.stream);
    let engine = EngineProc::start(&run.spec(env)).await?;
    engine.reset_peak();
    let done = Arc::new(AtomicBool::new(false));
    let pool = db.pool.clone();
    let poll_done = done.clone();
    // First-seen time of every order id, keyed by id.
    let poller = tokio::spawn(async move {
        let pg = pool.get().await?;
        let query = pg
            .prepare("SELECT id FROM orders WHERE shop_domain = $1 AND id >= $2")
            .await?;
        let mut seen: HashMap<i64, SystemTime> = HashMap::new();
        let mut low = UNIQUE_ORDER_BASE;
        loop {
            let finished = poll_done.load(Ordering::Acquire);
            let rows = pg.query(&query, &[&SHOP, &low]).await?;
            let now = SystemTime::now();
            let mut highest = low;
            for row in rows {
                let id: i64 = row.get(0);
                highest = highest.max(id);
                seen.entry(id).or_insert(now);
            }
            // Orders commit at most a few batches out of send order; an id that never
            // arrives (a request that failed) must not keep the window growing.
            low = low.max(highest - WINDOW);
            while seen.contains_key(&low) {
                low += 1;
            }
            if finished {
                return Ok::<_, anyhow::Error>(seen);
            }
            tokio::time::sleep(POLL).await;
        }
    });
    let mut args = load_args(&engine.webhook_url(), 64, duration);
    args.rate = rate;
    args.unique_orders = true;
    let (report, acks) = run_recorded(&args, SECRET).await?;
    // Let the last acknowledged orders land, then stop polling.
    let js = async_nats::jetstream::new(async_nats::connect(env.nats_url).await?);
    crate::jetstream::wait_drained(&js, &stream.name, Duration::from_secs(120)).await?;
    tokio::time::sleep(POLL * 4).await;
    done.store(true, Ordering::Release);
    let seen = poller.await??;
    let mut h = micros_histogram();
    let mut committed = 0;
    for ack in &acks {
        if let Some(at) = seen.get(&ack.order_id) {
            committed += 1;
            // Seen before the 200 reached the client: the row was there first, latency 0.
            let micros = at.duration_since(ack.at).unwrap_or_default().as_micros();
            let _ = h.record(micros.max(1) as u64);
        }
    }
    let rss = engine.peak_rss_mb();
    engine.stop().await;
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    Ok(EndToEnd {
        target_rate: rate,
        duration_secs: duration.as_secs_f64(),
        ack: Rate::from_load(&report),
        committed,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        max_ms: h.max() as f64 / 1000.0,
        poll_interval_ms: POLL.as_secs_f64() * 1000.0,
        engine_peak_rss_mb: rss,
    })
}
