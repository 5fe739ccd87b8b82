//! `[[feed_webhooks]]`, black box: an engine (real PostgreSQL and NATS, own database and
//! streams) delivers its change feed to a receiver this test runs, as signed POSTs: only the
//! resources the target asked for, every change in feed order though the receiver refused
//! the first attempts; a target that never answers gets its changes recorded in
//! `feed_dead_letters` after `max_attempts`, without holding the other target back.

mod common;

use std::time::{Duration, Instant};

use common::deliveries::Webhook;
use common::receiver::Receiver;
use common::*;
use serde_json::{json, Value};
use xeno_engine::alerts::message::signature;
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;

const HOOK_SECRET: &str = "feed-hook-signing-secret";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_feed_reaches_webhook_targets_in_order_signed_and_dead_letters_what_is_refused() {
    let h = Harness::new().await;
    let receiver = Receiver::start(2).await;
    let url = receiver.url.clone();
    // Nothing listens there: every attempt fails to connect.
    let closed = format!("http://127.0.0.1:{}/nowhere", free_port());
    let extra = r#"
[[feed_webhooks]]
name = "warehouse"
url_env = "HOOK_URL"
secret_env = "HOOK_SECRET"
resources = ["customers"]

[[feed_webhooks]]
name = "gone"
url_env = "GONE_URL"
secret_env = "HOOK_SECRET"
resources = ["customers"]
max_attempts = 2
"#;
    let text = h.config_text(&xeno_engine::testkit::nats_url(), "127.0.0.1:0", extra);
    let env = move |k: &str| match k {
        "HOOK_URL" => Some(url.clone()),
        "GONE_URL" => Some(closed.clone()),
        "HOOK_SECRET" => Some(HOOK_SECRET.to_string()),
        other => Harness::env(other),
    };
    let config = Config::from_toml(&text, "test", &env).expect("config");
    let engine = Engine::start(config).await.expect("engine starts");
    let addr = engine.addr();
    h.wait_ready(addr).await;

    // Five customers, the first updated twice more, and an order (not wanted).
    let mut sent = Vec::new();
    for i in 0..5i64 {
        sent.push((100 + i, "2025-01-01T00:00:00Z"));
    }
    sent.push((100, "2025-01-02T00:00:00Z"));
    sent.push((100, "2025-01-03T00:00:00Z"));
    for (id, updated) in &sent {
        let body = json!({"id": id, "email": format!("c{id}@example.com"), "updated_at": updated});
        let (status, text) = h
            .post(
                addr,
                "customers/update",
                &uid(),
                body.to_string().as_bytes(),
            )
            .await;
        assert_eq!(status, 200, "{text}");
        // One at a time, so the feed's order is the order sent.
        h.wait_count(
            &format!("SELECT count(*) FROM customers WHERE id = {id} AND updated_at = '{updated}'"),
            1,
            20,
        )
        .await;
    }
    let order = Webhook::order(0);
    let (status, _) = h.post(addr, "orders/create", &order.id, &order.body).await;
    assert_eq!(status, 200);

    let taken = receiver.wait_taken(sent.len(), 60).await;
    assert_eq!(receiver.refused(), 2, "the first two attempts were refused");
    let mut seqs = Vec::new();
    for (got, (id, updated)) in taken.iter().zip(&sent) {
        let body: Value = got.json();
        assert_eq!(body["resource"], "customers", "{body}");
        assert_eq!(body["id"], *id, "{body}");
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(body["updated_at"].as_str().unwrap()).unwrap(),
            chrono::DateTime::parse_from_rfc3339(updated).unwrap()
        );
        let ts: i64 = got.header("x-xeno-timestamp").unwrap().parse().unwrap();
        assert_eq!(
            got.header("x-xeno-signature").unwrap(),
            signature(HOOK_SECRET.as_bytes(), ts, &got.body)
        );
        assert_eq!(
            got.header("x-xeno-change-seq").unwrap(),
            body["seq"].to_string()
        );
        seqs.push(body["seq"].as_i64().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "feed order: {seqs:?}");
    // The order was not for this target.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.taken().len(), sent.len());

    // The target that never answers: each change tried twice, then recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = h
            .query_i64("SELECT count(*) FROM feed_dead_letters WHERE target = 'gone'")
            .await;
        if n == sent.len() as i64 {
            break;
        }
        assert!(Instant::now() < deadline, "{n} feed dead letters");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let c = h.db.pool.get().await.unwrap();
    let rows = c
        .query(
            "SELECT entity_id, resource, attempts, reason FROM feed_dead_letters ORDER BY seq",
            &[],
        )
        .await
        .unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, sent.iter().map(|(id, _)| *id).collect::<Vec<_>>());
    for r in &rows {
        assert_eq!(r.get::<_, String>(1), "customers");
        assert_eq!(r.get::<_, i32>(2), 2);
        assert_eq!(r.get::<_, String>(3), "cannot connect");
    }
    let metrics = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!(
            "xeno_feed_webhooks_total{{target=\"warehouse\",outcome=\"delivered\"}} {}",
            sent.len()
        )),
        "{metrics}"
    );
    engine.shutdown().await;
}
