//! Live activity and `xeno load` on `127.0.0.1:0`: both hold their rate; activity pauses.

use std::time::Duration;

use axum::http::StatusCode;
use xeno_sim::Sim;

mod common;
use common::*;

#[tokio::test]
async fn load_reaches_its_rate_and_reports_percentiles() {
    let (url, seen) = receiver(StatusCode::OK).await;
    let args = xeno_sim::load::LoadArgs {
        webhook_url: url,
        rate: 300,
        duration: Duration::from_secs(1),
        concurrency: 16,
        shop: "xeno-sim.myshopify.com".into(),
        secret_env: "UNUSED".into(),
        api_version: "2025-07".into(),
        unique_orders: false,
        json: false,
    };
    let report = xeno_sim::load::run_with_secret(&args, SECRET)
        .await
        .unwrap();
    assert_eq!(report.sent, 300);
    assert_eq!(report.ok, 300);
    assert_eq!(seen.lock().unwrap().len(), 300);
    // No timing assertion (the machine is shared); benchmarks measure speed.
    assert!(
        report.achieved_rate > 0.0 && report.duration_secs >= 0.99,
        "{report:?}"
    );
    assert!(report.latency_ms.p50 > 0.0 && report.latency_ms.p50 <= report.latency_ms.max);
    assert!((6000..=12000).contains(&report.body_bytes));
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["latency_ms"]["p999"].is_number());
}

#[tokio::test]
async fn activity_runs_at_its_rate_and_pauses() {
    let (url, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.rate = 40.0;
    cfg.burst = 4;
    cfg.webhook_url = Some(url);
    let sim = Sim::start(cfg).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    sim.pause_activity();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(sim.webhooks_idle(Duration::from_secs(5)).await);
    let events = sim.webhook_stats().events;
    assert!(events >= 8, "{events}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.webhook_stats().events, events, "paused");
    assert_eq!(seen.lock().unwrap().len() as u64, events);
    sim.resume_activity();
    sim.shutdown().await;
}
