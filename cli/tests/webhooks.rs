//! Engine core, black box: signed webhooks through JetStream into PostgreSQL, exactly once,
//! against the machine's real PostgreSQL and NATS (each test in its own database and stream).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;

fn order_fixture() -> serde_json::Value {
    unwrap_resource(&fixture("rest/shopify_python_api/order.json"), "order")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signed_webhook_lands_in_orders_with_right_values() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let body = serde_json::to_vec(&order_fixture()).unwrap();
    let (status, text) = h.post(engine.addr(), "orders/create", &uid(), &body).await;
    assert_eq!(status, 200, "{text}");

    h.wait_count("SELECT count(*) FROM orders WHERE id = 450789469", 1, 20)
        .await;
    let c = h.db.pool.get().await.unwrap();
    let row = c
        .query_one(
            "SELECT name, email, customer_id, currency, total_price::text, subtotal_price::text,
                    total_tax::text, financial_status, shop_domain
             FROM orders WHERE id = 450789469",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "#1001");
    assert_eq!(row.get::<_, String>(1), "bob.norman@hostmail.com");
    assert_eq!(row.get::<_, i64>(2), 207119551);
    assert_eq!(row.get::<_, String>(3), "USD");
    assert_eq!(row.get::<_, String>(4), "409.94");
    assert_eq!(row.get::<_, String>(5), "398.00");
    assert_eq!(row.get::<_, String>(6), "11.94");
    assert_eq!(row.get::<_, String>(7), "authorized");
    assert_eq!(row.get::<_, String>(8), SHOP);
    let items = h
        .query_i64("SELECT count(*) FROM order_line_items WHERE order_id = 450789469")
        .await;
    assert_eq!(items, 3);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_or_missing_hmac_is_401_and_nothing_is_queued() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let body = serde_json::to_vec(&order_fixture()).unwrap();

    let wrong = xeno_shopify::signature::sign(b"not-the-secret", &body);
    let (s, text) = h
        .post_with(
            engine.addr(),
            &webhook_headers("orders/create", &uid(), &wrong),
            &body,
        )
        .await;
    assert_eq!((s, text.trim()), (401, "invalid HMAC signature"));

    let mut headers = webhook_headers("orders/create", &uid(), "x");
    headers.retain(|(k, _)| k != "X-Shopify-Hmac-Sha256");
    let (s, _) = h.post_with(engine.addr(), &headers, &body).await;
    assert_eq!(s, 401);

    let good = xeno_shopify::signature::sign(SECRET.as_bytes(), &body);
    let truncated = &good[..good.len() - 3];
    let (s, _) = h
        .post_with(
            engine.addr(),
            &webhook_headers("orders/create", &uid(), truncated),
            &body,
        )
        .await;
    assert_eq!(s, 401);

    let mut unknown_shop = webhook_headers("orders/create", &uid(), &good);
    unknown_shop[3].1 = "other.myshopify.com".into();
    let (s, text) = h.post_with(engine.addr(), &unknown_shop, &body).await;
    assert_eq!((s, text.trim()), (401, "unknown shop"));

    assert_eq!(h.stream_messages().await, 0, "nothing reached JetStream");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.query_i64("SELECT count(*) FROM orders").await, 0);
    assert_eq!(
        h.query_i64("SELECT count(*) FROM webhook_receipts").await,
        0
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn missing_headers_and_bad_bodies_get_clear_400_and_413() {
    let h = Harness::new().await;
    let engine = h.engine("[server]\n").await;
    let body = serde_json::to_vec(&order_fixture()).unwrap();
    let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), &body);

    let mut no_topic = webhook_headers("orders/create", &uid(), &sig);
    no_topic.retain(|(k, _)| k != "X-Shopify-Topic");
    let (s, text) = h.post_with(engine.addr(), &no_topic, &body).await;
    assert_eq!((s, text.trim()), (400, "missing X-Shopify-Topic"));

    let mut no_id = webhook_headers("orders/create", &uid(), &sig);
    no_id.retain(|(k, _)| k != "X-Shopify-Webhook-Id");
    let (s, text) = h.post_with(engine.addr(), &no_id, &body).await;
    assert_eq!((s, text.trim()), (400, "missing X-Shopify-Webhook-Id"));

    let not_json = b"this is not json";
    let (s, text) = h
        .post(engine.addr(), "orders/create", &uid(), not_json)
        .await;
    assert_eq!((s, text.trim()), (400, "body is not valid JSON"));

    // Header names are case-insensitive (HTTP/2 lowercases them).
    let lower: Vec<(String, String)> = webhook_headers("orders/create", &uid(), &sig)
        .into_iter()
        .map(|(k, v)| (k.to_lowercase(), v))
        .collect();
    let (s, _) = h.post_with(engine.addr(), &lower, &body).await;
    assert_eq!(s, 200);

    // Odd case and a trailing dot in the shop domain name the same shop.
    let mut odd = webhook_headers("orders/create", &uid(), &sig);
    odd[3].1 = "ACME.myshopify.com.".into();
    let (s, _) = h.post_with(engine.addr(), &odd, &body).await;
    assert_eq!(s, 200);
    engine.shutdown().await;

    let small = h.engine("[server]\nmax_body_bytes = 1024\n").await;
    let (s, text) = h.post(small.addr(), "orders/create", &uid(), &body).await;
    assert_eq!((s, text.trim()), (413, "body larger than 1024 bytes"));
    small.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_delivery_has_one_effect_inside_and_after_the_dedupe_window() {
    let h = Harness::new().await;
    // A one-second JetStream window, so the second redelivery gets past JetStream and must
    // be stopped by webhook_receipts.
    let engine = h.engine("[nats]\nduplicate_window = \"1s\"\n").await;
    let id = uid();
    let body = serde_json::to_vec(&order_fixture()).unwrap();
    for _ in 0..2 {
        assert_eq!(
            h.post(engine.addr(), "orders/create", &id, &body).await.0,
            200
        );
    }
    h.wait_count("SELECT count(*) FROM webhook_receipts", 1, 20)
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        h.post(engine.addr(), "orders/create", &id, &body).await.0,
        200
    );
    // The third delivery passed JetStream (outside its window) and reached a writer…
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let dup = xeno_engine::metrics::Metrics::outcome_count(
            &engine.state().metrics.writer_messages,
            "duplicate",
        );
        if dup >= 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "redelivery never reached a writer"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // …which recognised it: one receipt, one order, applied once.
    assert_eq!(
        h.query_i64("SELECT count(*) FROM webhook_receipts").await,
        1
    );
    assert_eq!(h.query_i64("SELECT count(*) FROM orders").await, 1);
    assert_eq!(
        xeno_engine::metrics::Metrics::outcome_count(
            &engine.state().metrics.writer_messages,
            "applied"
        ),
        1
    );
    engine.shutdown().await;
}

fn order_at(updated_at: &str, note: &str) -> Vec<u8> {
    let mut o = order_fixture();
    o["updated_at"] = json!(updated_at);
    o["note"] = json!(note);
    o["total_price"] = json!(if note == "newer" { "500.00" } else { "100.00" });
    serde_json::to_vec(&o).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn older_update_after_newer_keeps_the_newer() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let newer = order_at("2024-05-02T10:00:00Z", "newer");
    let older = order_at("2024-05-01T10:00:00Z", "older");
    assert_eq!(
        h.post(engine.addr(), "orders/updated", &uid(), &newer)
            .await
            .0,
        200
    );
    h.wait_count("SELECT count(*) FROM webhook_receipts", 1, 20)
        .await;
    assert_eq!(
        h.post(engine.addr(), "orders/updated", &uid(), &older)
            .await
            .0,
        200
    );
    h.wait_count("SELECT count(*) FROM webhook_receipts", 2, 20)
        .await;
    let c = h.db.pool.get().await.unwrap();
    let row = c
        .query_one(
            "SELECT total_price::text, raw->>'note' FROM orders WHERE id = 450789469",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "500.00");
    assert_eq!(row.get::<_, String>(1), "newer");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delete_then_late_update_stays_deleted() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let create = order_at("2024-05-01T10:00:00Z", "older");
    assert_eq!(
        h.post(engine.addr(), "orders/create", &uid(), &create)
            .await
            .0,
        200
    );
    h.wait_count("SELECT count(*) FROM orders", 1, 20).await;
    let delete = serde_json::to_vec(&json!({"id": 450789469})).unwrap();
    assert_eq!(
        h.post(engine.addr(), "orders/delete", &uid(), &delete)
            .await
            .0,
        200
    );
    h.wait_count(
        "SELECT count(*) FROM orders WHERE deleted_at IS NOT NULL",
        1,
        20,
    )
    .await;
    // A late update, newer than the create, arrives after the delete.
    let late = order_at("2024-05-03T10:00:00Z", "newer");
    assert_eq!(
        h.post(engine.addr(), "orders/updated", &uid(), &late)
            .await
            .0,
        200
    );
    h.wait_count("SELECT count(*) FROM webhook_receipts", 3, 20)
        .await;
    assert_eq!(
        h.query_i64(
            "SELECT count(*) FROM orders WHERE deleted_at IS NOT NULL AND total_price = 100.00"
        )
        .await,
        1,
        "the tombstone stands and the late update did not apply"
    );
    engine.shutdown().await;
}

/// A `locations/*` body as Shopify documents it, at `updated_at`.
fn location_at(updated_at: &str, name: &str, active: bool) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": 24826418, "name": name, "address1": "34 Example Street", "address2": "",
        "city": "Ottawa", "zip": "K1N 5T5", "province": "Ontario", "country": "CA",
        "phone": "555-555-5555", "created_at": "2024-05-01T10:00:00Z",
        "updated_at": updated_at, "country_code": "CA", "country_name": "Canada",
        "province_code": "ON", "legacy": false, "active": active,
        "admin_graphql_api_id": "gid://shopify/Location/24826418"
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn locations_keep_the_newest_and_stay_deleted() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let post = |topic: &'static str, body: Vec<u8>| {
        let h = &h;
        let addr = engine.addr();
        async move { assert_eq!(h.post(addr, topic, &uid(), &body).await.0, 200) }
    };
    let receipts = "SELECT count(*) FROM webhook_receipts";
    // The deactivation (newer) arrives before the update it followed.
    post(
        "locations/deactivate",
        location_at("2024-05-02T10:00:00Z", "Closed", false),
    )
    .await;
    h.wait_count(receipts, 1, 20).await;
    post(
        "locations/update",
        location_at("2024-05-01T10:00:00Z", "Open", true),
    )
    .await;
    h.wait_count(receipts, 2, 20).await;
    let row = "SELECT count(*) FROM locations WHERE id = 24826418 AND name = 'Closed'
               AND NOT active AND country = 'Canada' AND country_code = 'CA'";
    assert_eq!(h.query_i64(row).await, 1, "the older update did not apply");
    assert_eq!(
        h.query_i64("SELECT count(*) FROM webhook_receipts WHERE outcome = 'stale'")
            .await,
        1
    );
    // Deleted, then a late activation newer than every version: the tombstone stands.
    let delete = serde_json::to_vec(&json!({"id": 24826418})).unwrap();
    post("locations/delete", delete).await;
    h.wait_count(
        "SELECT count(*) FROM locations WHERE deleted_at IS NOT NULL",
        1,
        20,
    )
    .await;
    post(
        "locations/activate",
        location_at("2024-05-09T10:00:00Z", "Back", true),
    )
    .await;
    h.wait_count(receipts, 4, 20).await;
    assert_eq!(
        h.query_i64(
            "SELECT count(*) FROM locations WHERE deleted_at IS NOT NULL AND name = 'Closed'"
        )
        .await,
        1,
        "the tombstone stands and the late activation did not apply"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn poison_message_goes_to_dead_letters_and_the_rest_is_written() {
    let h = Harness::new().await;
    let engine = h.engine("[writer]\nmax_deliveries = 2\n").await;
    let poison = serde_json::to_vec(&json!({"id": "not-a-number", "updated_at": 12})).unwrap();
    let mut bodies = Vec::new();
    for i in 0..20 {
        let mut o = order_fixture();
        o["id"] = json!(1000 + i);
        o["line_items"] = json!([]);
        bodies.push(serde_json::to_vec(&o).unwrap());
    }
    let addr = engine.addr();
    let poison_id = uid();
    let ids: Vec<String> = bodies.iter().map(|_| uid()).collect();
    let mut tasks = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        if i == 10 {
            tasks.push(h.post(addr, "orders/create", &poison_id, &poison));
        }
        tasks.push(h.post(addr, "orders/create", &ids[i], body));
    }
    for t in futures::future::join_all(tasks).await {
        assert_eq!(t.0, 200);
    }
    h.wait_count("SELECT count(*) FROM orders", 20, 30).await;
    h.wait_count("SELECT count(*) FROM dead_letters", 1, 30)
        .await;
    let c = h.db.pool.get().await.unwrap();
    let row = c
        .query_one(
            "SELECT msg_id, topic, payload, reason FROM dead_letters",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), poison_id);
    assert_eq!(row.get::<_, String>(1), "orders/create");
    assert_eq!(row.get::<_, Vec<u8>>(2), poison, "raw bytes kept exactly");
    assert!(!row.get::<_, String>(3).is_empty());
    // Acked after the dead letter was committed: nothing left in the work queue.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.stream_messages().await != 0 {
        assert!(std::time::Instant::now() < deadline, "stream never drained");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nats_unreachable_means_503_quickly_never_200() {
    let h = Harness::new().await;
    let text = h.config_text("nats://127.0.0.1:1", "127.0.0.1:0", "");
    let config = xeno_engine::config::Config::from_toml(&text, "test", &Harness::env).unwrap();
    let engine = xeno_engine::engine::Engine::start(config).await.unwrap();
    let body = serde_json::to_vec(&order_fixture()).unwrap();
    let started = std::time::Instant::now();
    let (s, text) = h.post(engine.addr(), "orders/create", &uid(), &body).await;
    assert_eq!(s, 503, "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "well inside Shopify's 5 s"
    );
    let ready = h
        .http
        .get(format!("http://{}/readyz", engine.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["postgres"], "ok");
    assert!(body["jetstream"].as_str().unwrap().starts_with("down"));
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unknown_topic_is_kept_as_a_receipt_and_acked() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let body = br#"{"id": 1, "anything": true}"#;
    assert_eq!(
        h.post(engine.addr(), "inventory_levels/update", &uid(), body)
            .await
            .0,
        200
    );
    h.wait_count(
        "SELECT count(*) FROM webhook_receipts WHERE topic = 'inventory_levels/update'",
        1,
        20,
    )
    .await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn healthz_readyz_and_metrics_answer() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let base = format!("http://{}", engine.addr());
    let r = h.http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = h.http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = serde_json::to_vec(&order_fixture()).unwrap();
    h.post(engine.addr(), "orders/create", &uid(), &body).await;
    let m = h
        .http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains("xeno_webhooks_total{outcome=\"accepted\"} 1"),
        "{m}"
    );
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_actor_is_restarted_and_a_crash_loop_stops_the_engine() {
    use xeno_engine::supervisor::{Child, RESTART_BUDGET};
    let h = Harness::new().await;
    let mut engine = h.engine("").await;
    let first = engine.child(Child::Bridge).await.expect("bridge running");
    first.kill();
    // The supervisor respawns it; webhooks keep working through the new actor.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(now) = engine.child(Child::Bridge).await {
            if now.get_id() != first.get_id() {
                break;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "bridge never restarted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.wait_ready(engine.addr()).await;
    let body = serde_json::to_vec(&order_fixture()).unwrap();
    assert_eq!(
        h.post(engine.addr(), "orders/create", &uid(), &body)
            .await
            .0,
        200
    );
    h.wait_count("SELECT count(*) FROM orders", 1, 20).await;
    let restarts = engine.state().components.snapshot()["jetstream_bridge"].restarts;
    assert_eq!(restarts, 1);

    // Keep killing it: past the budget the engine stops instead of looping.
    for _ in 0..RESTART_BUDGET + 2 {
        if let Some(cell) = engine.child(Child::Bridge).await {
            cell.kill();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::timeout(Duration::from_secs(20), engine.stopped())
        .await
        .expect("the engine stops once the restart budget is spent");
}
