//! Fault tests: outages of NATS and PostgreSQL under load, SIGKILL in the middle of
//! a 20 000-webhook burst, and SIGTERM. Each ends by checking PostgreSQL holds every
//! acknowledged webhook exactly once (refused ones are re-sent first, as Shopify retries).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::deliveries::{assert_stored_once, deliver_all, redeliver, Load, Webhook};
use common::nats_cluster::NatsNode;
use common::process::{EngineProcess, ScratchDir};
use common::tcp_proxy::TcpProxy;
use common::*;
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::testkit;

/// Order numbers of the probes sent while a dependency is down (the load uses 0, 1, …).
const PROBES: usize = 500_000;

async fn readyz(h: &Harness, addr: SocketAddr) -> u16 {
    match h.http.get(format!("http://{addr}/readyz")).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// Polls `/readyz` until it answers `want`, failing after `secs`.
async fn wait_readyz(h: &Harness, addr: SocketAddr, want: u16, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while readyz(h, addr).await != want {
        assert!(Instant::now() < deadline, "/readyz never answered {want}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Posts a probe order; its status code.
async fn probe(h: &Harness, addr: SocketAddr, webhook: &Webhook) -> u16 {
    let (status, _) = h
        .post(addr, "orders/create", &webhook.id, &webhook.body)
        .await;
    status
}

/// Starts an in-process engine with `text` as config and a steady load against it, and lets
/// the load run for 3 s.
async fn engine_under_load(h: &Harness, text: &str) -> (Engine, SocketAddr, Load) {
    let engine = Engine::start(Config::from_toml(text, "test", &Harness::env).unwrap())
        .await
        .expect("engine starts");
    h.wait_ready(engine.addr()).await;
    let addr = engine.addr();
    let load = Load::start(&h.http, &[addr], 8, Duration::from_millis(5), None);
    tokio::time::sleep(Duration::from_secs(3)).await;
    (engine, addr, load)
}

/// Sends a probe order every `gap` until `secs` after `since`, each of which must be
/// answered `want`; returns the probes.
async fn probes_answered(
    h: &Harness,
    addr: SocketAddr,
    since: Instant,
    secs: u64,
    gap: Duration,
    want: u16,
    why: &str,
) -> Vec<Webhook> {
    let mut probes = Vec::new();
    while since.elapsed() < Duration::from_secs(secs) {
        let w = Webhook::order(PROBES + probes.len());
        assert_eq!(probe(h, addr, &w).await, want, "{why}");
        probes.push(w);
        tokio::time::sleep(gap).await;
    }
    probes
}

/// A private NATS goes away for 30 s under load: the engine answers 503 (never 200) and
/// `/readyz` 503 while it is down, is healthy again within seconds of its return without a
/// restart, and every webhook it acknowledged is in PostgreSQL once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nats_outage_means_503_then_recovery_without_restart() {
    let h = Harness::new().await;
    let dir = ScratchDir::new("xeno-nats-outage");
    let mut nats = NatsNode::standalone(&dir).await;
    let text = h.config_text(&nats.url(), "127.0.0.1:0", "");
    let (engine, addr, load) = engine_under_load(&h, &text).await;
    nats.kill();
    let down_at = Instant::now();
    wait_readyz(&h, addr, 503, 10).await;
    // Down for 30 s: every webhook sent now is refused with 503, never 200.
    let mut probes = probes_answered(
        &h,
        addr,
        down_at,
        30,
        Duration::from_millis(250),
        503,
        "NATS is down: 503, never 200",
    )
    .await;
    assert_eq!(readyz(&h, addr).await, 503);

    // Back on the same port and store: healthy within seconds, same engine.
    nats.start().await;
    let back = Instant::now();
    wait_readyz(&h, addr, 200, 30).await;
    let w = Webhook::order(PROBES + probes.len());
    redeliver(&h.http, addr, std::slice::from_ref(&w), 30).await;
    eprintln!("healthy {:?} after NATS returned", back.elapsed());
    probes.push(w);

    let outcome = load.stop().await;
    assert!(
        !outcome.accepted.is_empty(),
        "the load got through before the outage"
    );
    // Shopify retries what was refused; then every webhook is stored once.
    redeliver(&h.http, addr, &outcome.refused, 60).await;
    redeliver(&h.http, addr, &probes, 60).await;
    let mut all = outcome.accepted;
    all.extend(outcome.refused);
    all.extend(probes);
    assert_stored_once(&h, &all, 120).await;
    engine.shutdown().await;
}

/// PostgreSQL unreachable for 60 s under load (a proxy between engine and database is cut):
/// webhooks keep being acknowledged (JetStream holds them), `/readyz` says not ready while it
/// is down and ready after, the backlog drains, and nothing is dead-lettered for the outage.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_keeps_acknowledging_and_drains_after() {
    let h = Harness::new().await;
    let proxy = TcpProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let text = h
        .config_text(&testkit::nats_url(), "127.0.0.1:0", "")
        .replace(
            "@127.0.0.1:5432/",
            &format!("@127.0.0.1:{}/", proxy.addr.port()),
        );
    assert!(
        text.contains(&proxy.addr.to_string()),
        "engine goes through the proxy"
    );
    let (engine, addr, load) = engine_under_load(&h, &text).await;
    proxy.cut();
    let down_at = Instant::now();
    wait_readyz(&h, addr, 503, 15).await;
    let probes = probes_answered(
        &h,
        addr,
        down_at,
        60,
        Duration::from_millis(500),
        200,
        "PostgreSQL is down: JetStream still takes webhooks",
    )
    .await;
    assert_eq!(readyz(&h, addr).await, 503, "/readyz tells the truth");
    proxy.restore();
    wait_readyz(&h, addr, 200, 30).await;

    let outcome = load.stop().await;
    assert!(
        outcome.refused.is_empty(),
        "{} webhooks refused during a database outage",
        outcome.refused.len()
    );
    let mut all = outcome.accepted;
    all.extend(probes);
    assert_stored_once(&h, &all, 180).await;
    assert_eq!(
        h.query_i64("SELECT count(*) FROM dead_letters").await,
        0,
        "an outage is never a reason to dead-letter"
    );
    engine.shutdown().await;
}

fn child_config(h: &Harness, dir: &ScratchDir, addr: SocketAddr) -> std::path::PathBuf {
    dir.write(
        "engine.toml",
        &h.config_text(&testkit::nats_url(), &addr.to_string(), ""),
    )
}

/// SIGKILL in the middle of a 20 000-webhook burst, then a restart: every webhook that got a
/// 200 is in PostgreSQL once (and the ones refused while it was dead, once re-sent).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_burst_of_20000_loses_nothing() {
    const N: usize = 20_000;
    let h = Harness::new().await;
    let dir = ScratchDir::new("xeno-burst");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let path = child_config(&h, &dir, addr);
    let mut engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;

    let burst: Vec<Webhook> = (0..N).map(Webhook::order).collect();
    let load = Load::start(&h.http, &[addr], 64, Duration::ZERO, Some(burst));
    while load.started() < N / 2 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    engine.kill();
    // The rest of the burst meets a dead engine (refused), as Shopify's sends would.
    let outcome = load.finished().await;
    let written = h.query_i64("SELECT count(*) FROM webhook_receipts").await;
    eprintln!(
        "killed with {} acknowledged, {written} written",
        outcome.accepted.len()
    );
    assert!(!outcome.accepted.is_empty());

    let engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;
    // The rest of the burst, as Shopify's retries would bring it.
    let rest = deliver_all(&h.http, &[addr], outcome.refused.clone(), 64).await;
    redeliver(&h.http, addr, &rest.refused, 60).await;
    let mut all = outcome.accepted;
    all.extend(outcome.refused);
    assert_eq!(all.len(), N);
    assert_stored_once(&h, &all, 300).await;
    drop(engine);
}

/// SIGTERM under load: the engine stops accepting, finishes the requests in flight, drains
/// its writers, exits 0 within 15 s, and what it acknowledged is in PostgreSQL once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_drains_and_exits_zero() {
    let h = Harness::new().await;
    let dir = ScratchDir::new("xeno-sigterm");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let path = child_config(&h, &dir, addr);
    let mut engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;

    let load = Load::start(&h.http, &[addr], 32, Duration::ZERO, None);
    while load.started() < 2_000 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let asked = Instant::now();
    engine.terminate();
    let status = engine
        .wait_exit(Duration::from_secs(15))
        .await
        .expect("the engine exits within 15 s of SIGTERM");
    assert!(status.success(), "exit status {status:?}");
    eprintln!("exited {:?} after SIGTERM", asked.elapsed());
    let outcome = load.stop().await;
    assert!(outcome.accepted.len() >= 1_000, "the load was flowing");

    // Whatever was acknowledged but not yet written is in JetStream: a new engine writes it.
    let written_by_first = h.query_i64("SELECT count(*) FROM webhook_receipts").await;
    let _engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;
    assert_stored_once(&h, &outcome.accepted, 120).await;
    eprintln!(
        "{} acknowledged, {written_by_first} written before exit",
        outcome.accepted.len()
    );
}
