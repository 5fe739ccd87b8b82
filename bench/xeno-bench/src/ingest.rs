//! Figure 1, webhook acknowledgement: the engine, the Node.js peer and the raw JetStream
//! ceiling at the same concurrencies, driven with the same real 6-12 KB orders by the same load
//! generator (`xeno sim load`, called in-process), peer and engine alternating level by level.
//! After each engine run its writers drain the stream, so each level starts from the same
//! state.

use std::time::Duration;

use serde::Serialize;
use xeno_engine::testkit::unique_stream;
use xeno_sim::load::{run_with_secret, sample_bodies, LoadArgs};

use crate::jetstream::{publish_ceiling, wait_drained};
use crate::procs::{
    engine_config, EngineProc, EngineSpec, Env, PeerProc, Run, StreamGuard, SECRET, SHOP,
};
use crate::stats::{ratio, Rate};

/// One concurrency level.
#[derive(Debug, Clone, Serialize)]
pub struct IngestLevel {
    pub concurrency: u64,
    pub engine: Rate,
    pub peer: Rate,
    pub jetstream: Rate,
    pub engine_over_peer: f64,
    pub engine_over_jetstream: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IngestFigures {
    pub duration_secs: f64,
    pub body_bytes: usize,
    pub levels: Vec<IngestLevel>,
    pub engine_peak_rss_mb: f64,
    pub peer_peak_rss_mb: f64,
}

/// The load generator's arguments for one run against `url`.
pub fn load_args(url: &str, concurrency: u64, duration: Duration) -> LoadArgs {
    LoadArgs {
        webhook_url: url.to_string(),
        rate: 0,
        duration,
        concurrency,
        shop: SHOP.to_string(),
        secret_env: "BENCH_SECRET".to_string(),
        api_version: "2025-07".to_string(),
        unique_orders: false,
        json: false,
    }
}

async fn load(url: &str, concurrency: u64, duration: Duration) -> anyhow::Result<Rate> {
    let report = run_with_secret(&load_args(url, concurrency, duration), SECRET).await?;
    eprintln!(
        "    {url} c={concurrency}: {:.0}/s p50 {:.2} ms p99 {:.2} ms ({} failed)",
        report.achieved_rate,
        report.latency_ms.p50,
        report.latency_ms.p99,
        report.by_status.values().sum::<u64>() + report.errors
    );
    Ok(Rate::from_load(&report))
}

/// The engine's and the peer's rates at each level, measured side by side.
pub struct SideBySide {
    pub engine: Vec<Rate>,
    pub peer: Vec<Rate>,
    pub engine_peak_rss_mb: f64,
    pub peer_peak_rss_mb: f64,
}

/// Runs the peer, then the engine, at each level in turn, so load from other processes on
/// the machine hits both alike. The peer goes first: the engine's writers still applying
/// its backlog never compete with the peer. With `drain`, each engine run is followed by a
/// wait until its writers have applied everything, so every level starts from the same state.
pub async fn side_by_side(
    env: &Env<'_>,
    levels: &[u64],
    duration: Duration,
    drain: bool,
) -> anyhow::Result<SideBySide> {
    let peer_stream = StreamGuard::new(&unique_stream(), env.nats_url);
    let peer = PeerProc::start(env.peer_dir, env.nats_url, &peer_stream.name, env.work_dir).await?;
    let run = Run::one_shop(env).await;
    let engine = EngineProc::start(&run.spec(env)).await?;
    let js = async_nats::jetstream::new(async_nats::connect(env.nats_url).await?);
    let drained = || async {
        if drain {
            wait_drained(&js, &run.stream.name, Duration::from_secs(300)).await?;
        }
        Ok::<(), anyhow::Error>(())
    };
    // Warm-up: connections, pools, caches and the JIT, as in any long-running deployment.
    load(&peer.webhook_url(), 64, Duration::from_secs(1)).await?;
    load(&engine.webhook_url(), 64, Duration::from_secs(1)).await?;
    drained().await?;
    engine.reset_peak();
    let (mut engine_rates, mut peer_rates) = (Vec::new(), Vec::new());
    for &c in levels {
        peer_rates.push(load(&peer.webhook_url(), c, duration).await?);
        engine_rates.push(load(&engine.webhook_url(), c, duration).await?);
        drained().await?;
    }
    let result = SideBySide {
        engine: engine_rates,
        peer: peer_rates,
        engine_peak_rss_mb: engine.peak_rss_mb(),
        peer_peak_rss_mb: peer.peak_rss_mb(),
    };
    if drain {
        engine.stop().await;
    }
    Ok(result)
}

pub async fn run(
    env: &Env<'_>,
    levels: &[u64],
    duration: Duration,
) -> anyhow::Result<IngestFigures> {
    let bodies = sample_bodies(1);
    eprintln!("  JetStream publish ceiling");
    let mut ceilings = Vec::new();
    for &c in levels {
        let stream = StreamGuard::new(&unique_stream(), env.nats_url);
        let db_url = "postgres://unused";
        let shops = [SHOP.to_string()];
        let config = engine_config(&EngineSpec {
            xeno: env.xeno,
            db_url,
            nats_url: env.nats_url,
            stream: &stream.name,
            shops: &shops,
            work_dir: env.work_dir,
        })?;
        let rate = publish_ceiling(env.nats_url, &config, c as usize, duration, &bodies).await?;
        eprintln!(
            "    jetstream c={c}: {:.0}/s p50 {:.2} ms p99 {:.2} ms",
            rate.per_sec, rate.p50_ms, rate.p99_ms
        );
        ceilings.push(rate);
    }
    eprintln!("  Node.js peer and engine, level by level");
    let measured = side_by_side(env, levels, duration, true).await?;
    let levels = levels
        .iter()
        .zip(measured.engine)
        .zip(measured.peer)
        .zip(ceilings)
        .map(|(((&concurrency, engine), peer), jetstream)| IngestLevel {
            concurrency,
            engine_over_peer: ratio(engine.per_sec, peer.per_sec),
            engine_over_jetstream: ratio(engine.per_sec, jetstream.per_sec),
            engine,
            peer,
            jetstream,
        })
        .collect();
    Ok(IngestFigures {
        duration_secs: duration.as_secs_f64(),
        body_bytes: bodies.iter().map(|b| b.len()).sum::<usize>() / bodies.len().max(1),
        levels,
        engine_peak_rss_mb: measured.engine_peak_rss_mb,
        peer_peak_rss_mb: measured.peer_peak_rss_mb,
    })
}
