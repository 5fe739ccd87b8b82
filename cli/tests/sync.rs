//! Admin API sync, black box: an in-process simulator serving Shopify's Admin
//! GraphQL API (cost model, bulk operations, faults, webhook subscriptions), a real engine,
//! PostgreSQL and NATS, each test in its own database and stream.

mod common;

use std::time::{Duration, Instant};

use common::sim_store::*;
use common::*;
use serde_json::Value;
use xeno_sim::config::{ApiFaults, WebhookFaults};
use xeno_sim::{Sim, SimHandle};

const SYNC: &str = "[sync]\nlease_ttl = \"3s\"\nreconcile_every = \"1h\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_sync_of_ten_thousand_orders_equals_the_store() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(2_000, 300, 10_000)).await.unwrap();
    let started = Instant::now();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    wait_run_completed(&h, "full", 300).await;
    wait_equal(&h, &sim, 600).await;
    let summary = sim.summary();
    assert_eq!(summary.orders, 10_000);
    assert_eq!(
        h.query_i64("SELECT count(*) FROM orders WHERE deleted_at IS NULL")
            .await,
        10_000
    );
    eprintln!("full sync of 10 000 orders: {:?}", started.elapsed());
    let c = h.db.pool.get().await.unwrap();
    let row = c
        .query_one(
            "SELECT trigger, objects_done, objects_total, errors FROM sync_runs WHERE mode = 'full'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "start");
    let objects = 12_300 + summary.locations as i64;
    assert_eq!(
        row.get::<_, i64>(1),
        objects,
        "every object published exactly once"
    );
    assert_eq!(row.get::<_, Option<i64>>(2), Some(objects));
    let states = h
        .query_i64("SELECT count(*) FROM sync_state WHERE status = 'completed' AND updated_at_watermark IS NOT NULL")
        .await;
    assert_eq!(
        states, 4,
        "every resource checkpointed as completed with a watermark"
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn small_plan_uses_the_bucket_without_being_throttled() {
    let h = Harness::new().await;
    // Standard plan: 100 points/s, a bucket of 2000. Paged (incremental) reads cost points,
    // about 1.7 per object when most are missing (ids and times listed, then fetched by id);
    // this store costs about 6000, so the bucket arithmetic dominates the run time.
    let sim = Sim::start(sim_config(3_000, 200, 400)).await.unwrap();
    let config = config_for(&h, &sim, "127.0.0.1:0", None, SYNC);
    // Synced once long ago (a watermark before the store's history), so the run reconciles
    // page by page instead of backfilling by bulk operation.
    let c = h.db.pool.get().await.unwrap();
    c.execute("INSERT INTO shops (shop_domain) VALUES ($1)", &[&SHOP])
        .await
        .unwrap();
    for resource in ["customers", "products", "orders"] {
        c.execute(
            "INSERT INTO sync_state (shop_domain, resource, mode, status, updated_at_watermark)
             VALUES ($1, $2, 'full', 'completed', '2000-01-01T00:00:00Z')",
            &[&SHOP, &resource],
        )
        .await
        .unwrap();
    }
    let report = xeno_engine::sync::standalone::sync_shop(
        config,
        SHOP,
        xeno_engine::sync::SyncMode::Incremental,
        &|_| {},
    )
    .await
    .expect("xeno sync runs");
    assert!(report.completed(), "xeno sync completes: {}", report.state);
    let c = h.db.pool.get().await.unwrap();
    let row = c
        .query_one(
            "SELECT state, trigger, requests, throttled_requests, points_used,
                    EXTRACT(EPOCH FROM finished_at - started_at)::float8, errors, objects_done
             FROM sync_runs",
            &[],
        )
        .await
        .unwrap();
    let (state, trigger): (String, String) = (row.get(0), row.get(1));
    let requests: i64 = row.get(2);
    let throttled: i64 = row.get(3);
    let points: f64 = row.get(4);
    let seconds: f64 = row.get(5);
    let errors: i64 = row.get(6);
    assert_eq!((state.as_str(), trigger.as_str()), ("completed", "cli"));
    assert_eq!(row.get::<_, i64>(7), 3_600 + sim.summary().locations as i64);
    // The bucket starts full (2000) and restores 100 points a second.
    let minimum = ((points - 2000.0) / 100.0).max(0.0);
    eprintln!(
        "small plan: {requests} requests, {throttled} throttled, {points:.0} points, {seconds:.1}s (minimum {minimum:.1}s)"
    );
    assert!(
        minimum > 30.0,
        "the store must cost more than the bucket holds ({points} points)"
    );
    assert_eq!(errors, 0, "no request failed");
    assert!(
        (throttled as f64) <= (requests as f64 * 0.02).max(1.0),
        "throttled share too high: {throttled}/{requests}"
    );
    // The minimum counts the points actually charged; Shopify admits a query only when its
    // requested cost is available, and a page of nodes fetched by id requests more than it is
    // finally charged (every nested connection priced full), so the client must wait for
    // more than the minimum says.
    assert!(
        seconds <= minimum * 1.4,
        "took {seconds:.1}s, more than 1.4 x the bucket minimum {minimum:.1}s"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn injected_429s_5xx_and_a_failed_bulk_operation_still_sync_exactly() {
    let h = Harness::new().await;
    let mut config = sim_config(300, 50, 600);
    config.api_faults = ApiFaults {
        rate_429: 0.08,
        rate_5xx: 0.08,
        fail_bulk: true,
        ..ApiFaults::default()
    };
    let sim = Sim::start(config).await.unwrap();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    let run = wait_run_completed(&h, "full", 240).await;
    wait_equal(&h, &sim, 60).await;
    let c = h.db.pool.get().await.unwrap();
    let errors: i64 = c
        .query_one("SELECT errors FROM sync_runs WHERE id = $1", &[&run])
        .await
        .unwrap()
        .get(0);
    assert!(errors > 0, "faults were injected and retried");
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_mid_backfill_resumes_with_nothing_missing() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(1_000, 100, 6_000)).await.unwrap();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    // Wait until the order backfill is part-way through its bulk result.
    let deadline = Instant::now() + Duration::from_secs(120);
    let (bulk_id, done) = loop {
        let c = h.db.pool.get().await.unwrap();
        let row = c
            .query_opt(
                "SELECT bulk_operation_id, objects_done FROM sync_state
                 WHERE resource = 'orders' AND cursor LIKE 'bulk:%' AND objects_done > 0",
                &[],
            )
            .await
            .unwrap();
        if let Some(r) = row {
            break (r.get::<_, String>(0), r.get::<_, i64>(1));
        }
        assert!(
            Instant::now() < deadline,
            "the order backfill never started streaming"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Stop the engine mid-stream: the run task is aborted wherever it is.
    engine.shutdown().await;
    let c = h.db.pool.get().await.unwrap();
    let state: String = c
        .query_one("SELECT state FROM sync_runs WHERE mode = 'full'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        state, "running",
        "an interrupted run stays open to be resumed"
    );
    // A crashed holder's lease: the next engine must wait for it to expire.
    c.execute(
        "INSERT INTO sync_leases (shop_domain, holder, expires_at) VALUES ($1, 'crashed', now() + interval '2 seconds')",
        &[&SHOP],
    )
    .await
    .unwrap();
    let restarted = Instant::now();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    wait_run_completed(&h, "full", 240).await;
    assert!(
        restarted.elapsed() >= Duration::from_secs(1),
        "waited for the lease"
    );
    wait_equal(&h, &sim, 120).await;
    assert_eq!(
        h.query_i64("SELECT count(*) FROM sync_runs").await,
        1,
        "the same run resumed, none started over"
    );
    // After the order bulk operation only the resources after orders ran theirs.
    let orders_op: u64 = bulk_id.rsplit('/').next().unwrap().parse().unwrap();
    let later: Vec<String> = {
        let registry = sim.shared().bulk.lock().unwrap();
        let current = registry.current().unwrap();
        (orders_op + 1..=current.id)
            .filter_map(|id| registry.get(id))
            .map(|op| op.query)
            .collect()
    };
    assert!(
        later.iter().all(|q| q.starts_with("{ locations(")),
        "the order bulk operation was resumed, not started again (killed after {done} orders): {later:?}"
    );
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reconciliation_repairs_dropped_webhooks() {
    let h = Harness::new().await;
    let mut config = sim_config(200, 40, 300);
    config.webhook_faults = WebhookFaults {
        drop_rate: 0.1,
        ..WebhookFaults::default()
    };
    let sim = Sim::start(config).await.unwrap();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    wait_run_completed(&h, "full", 120).await;
    wait_equal(&h, &sim, 60).await;

    sim.set_webhook_url(Some(format!("http://{}/api/webhooks", engine.addr())));
    for _ in 0..5 {
        sim.trigger(30);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sim.webhooks_idle(Duration::from_secs(60)).await);
    let stats = sim.webhook_stats();
    assert!(stats.dropped > 0, "some webhooks were dropped: {stats:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !differences(&h, &sim).await.is_empty(),
        "dropped webhooks left the copy behind"
    );

    let fixed = reconcile(&h, engine.addr()).await;
    wait_equal(&h, &sim, 60).await;
    assert!(fixed > 0, "the reconciliation fixed something");
    // What it repaired is what `xeno_reconcile_repaired_total` counts (the alert on missed
    // webhooks), and the shop's reconciliation gauges say it succeeded.
    let metrics = engine.state().metrics.encode();
    let sum = |name: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    assert_eq!(
        sum("xeno_reconcile_repaired_total"),
        fixed as f64,
        "{metrics}"
    );
    assert_eq!(sum("xeno_sync_consecutive_failures"), 0.0, "{metrics}");
    assert_eq!(sum("xeno_sync_failures_total"), 0.0, "{metrics}");
    let reconciled_at = sum("xeno_reconcile_last_success_timestamp_seconds");
    let now = chrono::Utc::now().timestamp() as f64;
    assert!(
        (now - 120.0..=now + 1.0).contains(&reconciled_at),
        "last reconciliation at {reconciled_at}, now {now}"
    );
    assert!(sum("xeno_reconcile_interval_seconds") > 0.0, "{metrics}");
    let reconciled = h
        .query_i64("SELECT count(*) FROM sync_state WHERE last_reconciled_at IS NOT NULL")
        .await;
    assert_eq!(reconciled, 4);
    // The completeness view: every resource compared after the reconciliation, no difference.
    let counts = h.api_get(engine.addr(), "/api/completeness").await;
    let counts = counts["resources"].as_array().unwrap();
    assert_eq!(counts.len(), 4, "{counts:?}");
    for c in counts {
        assert_eq!(c["difference"], 0, "{c}");
        assert_eq!(c["stored"], c["shopify"], "{c}");
    }
    let compared = h
        .query_i64("SELECT count(*) FROM resource_counts WHERE compared_at > (SELECT max(started_at) FROM sync_runs)")
        .await;
    assert_eq!(compared, 4, "compared after the reconciliation run started");
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejected_token_fails_the_run_and_the_failure_gauges_say_so() {
    let h = Harness::new().await;
    let mut config = sim_config(5, 2, 5);
    config.access_token = "shpat_another_token".to_string();
    let sim = Sim::start(config).await.unwrap();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    wait_text(
        &h,
        "SELECT state FROM sync_runs ORDER BY queued_at DESC LIMIT 1",
        "failed",
        60,
    )
    .await;
    // What XenoSyncFailing watches: one failure, one in a row, and no success to date.
    let m = &engine.state().metrics;
    let shop = xeno_engine::metrics::ShopLabels {
        shop: SHOP.to_string(),
    };
    assert_eq!(m.sync_failures.get_or_create(&shop).get(), 1);
    assert_eq!(m.sync_consecutive_failures.get_or_create(&shop).get(), 1);
    assert!(m.sync_last_success_timestamp_seconds.get(&shop).is_none());
    engine.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sync_api_answers_clear_errors() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(5, 2, 5)).await.unwrap();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    let url = format!("http://{}/api/sync", engine.addr());
    let post = |body: Value, token: Option<&str>| {
        let mut r = h.http.post(&url).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    let r = post(serde_json::json!({"shop": SHOP, "mode": "full"}), None)
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = post(serde_json::json!({"mode": "full"}), Some(API_TOKEN))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("shop"));
    let r = post(
        serde_json::json!({"shop": SHOP, "mode": "sideways"}),
        Some(API_TOKEN),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("mode"));
    let r = post(
        serde_json::json!({"shop": "other.myshopify.com"}),
        Some(API_TOKEN),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let r = post(
        serde_json::json!({"shop": SHOP, "mode": "full"}),
        Some(API_TOKEN),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["mode"], "full");
    assert!(body["sync_id"].as_str().is_some());
    engine.shutdown().await;
    sim.shutdown().await;
}

fn api_subscriptions(sim: &SimHandle) -> Vec<(String, String)> {
    sim.shared()
        .webhooks
        .subscriptions()
        .lock()
        .unwrap()
        .list()
        .iter()
        .filter(|s| s.api_managed)
        .map(|s| (s.topic.clone(), s.callback_url.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lost_webhook_subscriptions_are_recreated_and_the_gap_reconciled() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(100, 20, 150)).await.unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("http://127.0.0.1:{port}");
    let engine = start_engine(&h, config_for(&h, &sim, &listen, Some(&public), SYNC)).await;
    wait_run_completed(&h, "full", 120).await;
    let subs = api_subscriptions(&sim);
    let wanted = xeno_engine::sync::subscriptions::SUBSCRIBED.len();
    assert_eq!(subs.len(), wanted, "{subs:?}");
    assert!(subs
        .iter()
        .all(|(_, url)| url == &format!("{public}/api/webhooks")));
    // Webhooks flow while the engine is up.
    sim.trigger(20);
    assert!(sim.webhooks_idle(Duration::from_secs(30)).await);
    wait_equal(&h, &sim, 60).await;

    // The engine goes away; deliveries fail until Shopify removes the subscriptions.
    engine.shutdown().await;
    for _ in 0..5 {
        sim.trigger(40);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(sim.webhooks_idle(Duration::from_secs(60)).await);
    let left = api_subscriptions(&sim).len();
    assert!(
        left < wanted,
        "some subscriptions were removed after failed deliveries ({left} left)"
    );
    assert!(
        !differences(&h, &sim).await.is_empty(),
        "the copy fell behind"
    );

    let engine = start_engine(&h, config_for(&h, &sim, &listen, Some(&public), SYNC)).await;
    wait_text(
        &h,
        "SELECT state FROM sync_runs WHERE trigger = 'start' AND mode = 'incremental' ORDER BY queued_at DESC LIMIT 1",
        "completed",
        120,
    )
    .await;
    assert_eq!(
        api_subscriptions(&sim).len(),
        wanted,
        "every subscription re-created"
    );
    wait_equal(&h, &sim, 60).await;
    // And webhooks flow again.
    sim.trigger(10);
    assert!(sim.webhooks_idle(Duration::from_secs(30)).await);
    wait_equal(&h, &sim, 60).await;
    engine.shutdown().await;
    sim.shutdown().await;
}
