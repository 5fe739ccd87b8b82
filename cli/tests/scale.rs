//! Unreliable Shopify and more than one engine: webhooks duplicated, reordered and
//! dropped by the simulator and then one reconciliation leave the database equal to the
//! store; two `xeno` processes share one stream, one database and one shop, both write, only
//! one syncs, and a SIGKILL of the syncing one loses no acknowledged webhook and hands its
//! sync to the survivor.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::deliveries::{assert_stored_once, deliver_all, redeliver, wait_written, Load, Webhook};
use common::process::{metric, EngineProcess, ScratchDir};
use common::sim_store::*;
use common::*;
use xeno_sim::config::WebhookFaults;
use xeno_sim::{Sim, SimHandle};

const SYNC: &str = "[sync]\nlease_ttl = \"3s\"\nreconcile_every = \"1h\"\n";

/// Every message an engine process's writers handled, whatever the outcome.
const CONSUMED: &str = "xeno_writer_messages_total";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicated_reordered_and_dropped_webhooks_then_one_reconciliation_equal_the_store() {
    let h = Harness::new().await;
    // A small store changed in bursts, so one object's changes often travel together and
    // reordering puts an older one last.
    let mut config = sim_config(5, 3, 8);
    config.rate = 40.0;
    config.burst = 10;
    config.webhook_faults = WebhookFaults {
        duplicate_rate: 0.3,
        reorder_rate: 0.3,
        drop_rate: 0.1,
    };
    let sim = Sim::start(config).await.unwrap();
    sim.pause_activity();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    wait_run_completed(&h, "full", 120).await;
    wait_equal(&h, &sim, 60).await;

    sim.set_webhook_url(Some(format!("http://{}/api/webhooks", engine.addr())));
    sim.resume_activity();
    tokio::time::sleep(Duration::from_secs(10)).await;
    sim.pause_activity();
    assert!(sim.webhooks_idle(Duration::from_secs(60)).await);
    let stats = sim.webhook_stats();
    eprintln!("{stats:?}");
    assert!(
        stats.duplicated > 0 && stats.reordered > 0 && stats.dropped > 0,
        "every fault was injected: {stats:?}"
    );
    assert_eq!(
        stats.abandoned, 0,
        "every sent webhook was taken: {stats:?}"
    );
    // A duplicate shares its webhook id with the original, so each delivery that was not
    // dropped has one receipt, however often it arrived.
    let distinct = (stats.deliveries - stats.dropped) as i64;
    h.wait_count("SELECT count(*) FROM webhook_receipts", distinct, 60)
        .await;
    let stale = engine
        .state()
        .metrics
        .writer_messages
        .get_or_create(&xeno_engine::metrics::OutcomeLabels {
            outcome: "stale".into(),
        })
        .get();
    assert!(
        stale > 0,
        "some reordered updates arrived after a newer one (and were skipped)"
    );
    assert!(
        !differences(&h, &sim).await.is_empty(),
        "dropped webhooks left the copy behind"
    );

    let fixed = reconcile(&h, engine.addr()).await;
    wait_equal(&h, &sim, 60).await;
    // Only dropped webhooks may leave an object behind: had a duplicate or a reordered
    // delivery overwritten a newer version, the reconciliation would fix more objects.
    assert!(
        fixed > 0 && fixed as u64 <= stats.dropped,
        "the reconciliation fixed {fixed} objects for {} dropped webhooks",
        stats.dropped
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

/// `count` engine processes on free ports sharing the harness's database and stream, each
/// syncing `sim`'s shop (the one holding the lease does).
async fn start_engines(
    h: &Harness,
    sim: &SimHandle,
    dir: &ScratchDir,
    count: usize,
    extra: &str,
) -> Vec<EngineProcess> {
    let mut engines = Vec::new();
    for i in 0..count {
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let text = config_text_for(h, sim, &addr.to_string(), None, extra);
        let path = dir.write(&format!("engine{i}.toml"), &text);
        engines.push(EngineProcess::start(&path, addr));
    }
    for e in &engines {
        h.wait_ready(e.addr).await;
    }
    engines
}

/// Waits until the shop's full sync runs and returns the pid of the process holding it.
async fn full_sync_holder(h: &Harness, secs: u64) -> u32 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let c = h.db.pool.get().await.unwrap();
        let holder: Option<String> = c
            .query_opt(
                "SELECT holder FROM sync_runs
                 WHERE mode = 'full' AND state = 'running' AND objects_done > 0",
                &[],
            )
            .await
            .unwrap()
            .and_then(|r| r.get(0));
        if let Some(pid) = holder.and_then(|h| h.split(':').next()?.parse().ok()) {
            return pid;
        }
        assert!(Instant::now() < deadline, "the full sync never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_engines_share_queue_and_lease_and_survive_a_sigkill() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(1_000, 150, 5_000)).await.unwrap();
    let dir = ScratchDir::new("xeno-scale");
    let extra = format!("{SYNC}[writer]\nack_wait = \"5s\"\n");
    let mut engines = start_engines(&h, &sim, &dir, 2, &extra).await;
    let addrs: Vec<SocketAddr> = engines.iter().map(|e| e.addr).collect();
    let load = Load::start(&h.http, &addrs, 16, Duration::from_millis(2), None);

    let holder = full_sync_holder(&h, 120).await;
    let syncing = assert_one_process_syncs(&h, &engines, holder).await;
    let survivor = 1 - syncing;
    wait_every_engine_consumes(&h, &engines).await;
    let consumed = consumed_by(&h, &engines).await;
    eprintln!("consumed before the kill: {consumed:?}");

    engines[syncing].kill();
    let killed_at = Instant::now();
    let state: String =
        h.db.pool
            .get()
            .await
            .unwrap()
            .query_one("SELECT state FROM sync_runs WHERE mode = 'full'", &[])
            .await
            .unwrap()
            .get(0);
    assert_eq!(state, "running", "the kill landed during the backfill");
    let lease_sql = "SELECT holder, EXTRACT(EPOCH FROM acquired_at)::float8,
                            EXTRACT(EPOCH FROM expires_at)::float8 FROM sync_leases";
    let dead_lease =
        h.db.pool
            .get()
            .await
            .unwrap()
            .query_one(lease_sql, &[])
            .await
            .unwrap();
    let dead_until: f64 = dead_lease.get(2);
    // The survivor goes on taking and writing webhooks.
    wait_written(&h, 300, 90).await;
    let outcome = load.stop().await;

    // The survivor takes the shop over once the lease expires, and resumes the same run.
    let run = wait_run_completed(&h, "full", 300).await;
    eprintln!(
        "survivor finished the sync {:?} after the kill",
        killed_at.elapsed()
    );
    let survivor_holder = format!("{}:", engines[survivor].pid());
    assert_the_survivor_resumed_the_run(&h, run, &survivor_holder, lease_sql, dead_until).await;

    eprintln!(
        "{} webhooks answered 200, {} not (sent to the killed process)",
        outcome.accepted.len(),
        outcome.refused.len()
    );
    redeliver(&h.http, engines[survivor].addr, &outcome.refused, 120).await;
    let mut all = outcome.accepted;
    all.extend(outcome.refused);
    assert_stored_once(&h, &all, 180).await;

    assert_the_store_is_synced(&h, &sim).await;
    sim.shutdown().await;
}

/// Only one process syncs the shop, holding its lease; returns that engine's index.
async fn assert_one_process_syncs(h: &Harness, engines: &[EngineProcess], holder: u32) -> usize {
    let syncing = engines
        .iter()
        .position(|e| e.pid() == holder)
        .expect("the sync runs in one of the engines");
    let lease = h
        .query_i64(&format!(
            "SELECT count(*) FROM sync_leases WHERE holder LIKE '{holder}:%'"
        ))
        .await;
    assert_eq!(lease, 1, "the syncing process holds the shop's lease");
    assert_eq!(
        h.query_i64("SELECT count(*) FROM sync_runs").await,
        1,
        "one run, in one process"
    );
    syncing
}

/// Both consume the one stream (webhooks and the sync's records).
async fn wait_every_engine_consumes(h: &Harness, engines: &[EngineProcess]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    for e in engines {
        while metric(&h.http, e.addr, CONSUMED).await < 1.0 {
            assert!(
                Instant::now() < deadline,
                "engine {} never consumed a message",
                e.addr
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The survivor finished the interrupted run (not a new one), under the lease it took only
/// once the killed holder's expired.
async fn assert_the_survivor_resumed_the_run(
    h: &Harness,
    run: uuid::Uuid,
    survivor_holder: &str,
    lease_sql: &str,
    dead_until: f64,
) {
    let c = h.db.pool.get().await.unwrap();
    let finished_by: String = c
        .query_one("SELECT holder FROM sync_runs WHERE id = $1", &[&run])
        .await
        .unwrap()
        .get(0);
    assert!(
        finished_by.starts_with(survivor_holder),
        "the survivor finished the run, not {finished_by}"
    );
    let lease = c.query_one(lease_sql, &[]).await.unwrap();
    let (holder, taken_at): (String, f64) = (lease.get(0), lease.get(1));
    assert!(
        holder.starts_with(survivor_holder) && taken_at >= dead_until,
        "the survivor took the lease ({holder} at {taken_at}) only once the killed holder's expired at {dead_until}"
    );
    assert_eq!(
        h.query_i64("SELECT count(*) FROM sync_runs WHERE mode = 'full'")
            .await,
        1,
        "the interrupted run was resumed, not started again"
    );
}

/// The synced store is complete too (the webhooks' own orders aside).
async fn assert_the_store_is_synced(h: &Harness, sim: &SimHandle) {
    let want = export(sim).await;
    let mut got = stored(h).await;
    let webhooks_own = |id: &i64| {
        (deliveries::FIRST_ORDER_ID..deliveries::FIRST_ORDER_ID + 1_000_000).contains(id)
    };
    got.orders.retain(|id, _| !webhooks_own(id));
    got.order_details.retain(|id, _| !webhooks_own(id));
    let diffs = diff(&want, &got);
    assert!(
        diffs.is_empty(),
        "database differs from the store:\n{}",
        diffs.join("\n")
    );
}

async fn consumed_by(h: &Harness, engines: &[EngineProcess]) -> Vec<f64> {
    let mut out = Vec::new();
    for e in engines {
        out.push(metric(&h.http, e.addr, CONSUMED).await);
    }
    out
}

/// A benchmark, not a check (run with `--ignored --nocapture`, ideally `--release`): the
/// time from the first delivery until PostgreSQL holds all of `N` webhooks, with one engine
/// process and with two sharing the stream, twice each in turn (the first run also warms up
/// PostgreSQL and JetStream).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn throughput_of_one_engine_and_of_two() {
    const N: usize = 20_000;
    for count in [1, 2, 1, 2] {
        let h = Harness::new().await;
        let sim = Sim::start(sim_config(1, 1, 1)).await.unwrap();
        let dir = ScratchDir::new("xeno-throughput");
        let engines = start_engines(&h, &sim, &dir, count, "").await;
        let addrs: Vec<SocketAddr> = engines.iter().map(|e| e.addr).collect();
        let webhooks: Vec<Webhook> = (0..N).map(Webhook::order).collect();
        let started = Instant::now();
        let outcome = deliver_all(&h.http, &addrs, webhooks, 64).await;
        let acked = started.elapsed();
        assert_stored_once(&h, &outcome.accepted, 600).await;
        let stored = started.elapsed();
        eprintln!(
            "{count} engine(s): {} of {N} acknowledged in {acked:?} ({:.0}/s), all stored after {stored:?} ({:.0}/s)",
            outcome.accepted.len(),
            outcome.accepted.len() as f64 / acked.as_secs_f64(),
            outcome.accepted.len() as f64 / stored.as_secs_f64(),
        );
        sim.shutdown().await;
    }
}
