//! A signed webhook reaches the figures and the live stream; dead letters replay.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::*;
use crate::support::*;

/// A signed webhook reaches the figures and the live stream; a dead letter is replayed
/// through JetStream and applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_reach_stats_and_dead_letters_replay() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let api = Api {
        h: &h,
        addr: engine.addr(),
    };
    let order = unwrap_resource(&fixture("rest/shopify_python_api/order.json"), "order");
    let body = serde_json::to_vec(&order).unwrap();
    let period = "from=2008-01-01T00:00:00Z&to=2008-02-01T00:00:00Z";

    let mut stream = h
        .http
        .get(format!(
            "http://{}/api/events/stream?access_token={API_TOKEN}",
            engine.addr()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let (status, text) = h.post(engine.addr(), "orders/create", &uid(), &body).await;
    assert_eq!(status, 200, "{text}");
    h.wait_count("SELECT count(*) FROM orders WHERE id = 450789469", 1, 20)
        .await;
    let stats = api.get(&format!("/api/stats?{period}"), API_TOKEN).await;
    assert_eq!(stats["orders_count"], 1);
    assert_eq!(stats["revenue"], json!({"USD": "409.94"}));
    let top = api.get("/api/top-customers", API_TOKEN).await;
    assert_eq!(
        top["by_currency"][0]["customers"][0]["customer_id"],
        207119551
    );
    assert_eq!(top["by_currency"][0]["customers"][0]["spent"], "409.94");

    cancel_and_wait_out_of_revenue(&api, &order, period).await;
    // The live stream carried something about this shop while it happened.
    let seen = read_sse_until(&mut stream, SHOP, 5).await;
    assert!(seen.contains("event: log"), "{seen}");
    drop(stream);

    replay_a_dead_letter(&api, &order).await;
    engine.shutdown().await;
}

/// Cancels `order` (a later `updated_at` so the upsert applies) and waits until it is out of
/// the period's revenue.
async fn cancel_and_wait_out_of_revenue(api: &Api<'_>, order: &Value, period: &str) {
    let h = api.h;
    let mut cancelled = order.clone();
    cancelled["cancelled_at"] = json!("2008-01-11T10:00:00-05:00");
    cancelled["updated_at"] = json!("2008-01-11T10:00:00-05:00");
    let (status, _) = h
        .post(
            api.addr,
            "orders/cancelled",
            &uid(),
            &serde_json::to_vec(&cancelled).unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let stats = api.get(&format!("/api/stats?{period}"), API_TOKEN).await;
        if stats["orders_count"] == 0 {
            assert_eq!(stats["revenue"], json!({}));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "cancellation never left revenue: {stats}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A dead letter holding a valid order webhook: replayed through JetStream, applied, marked,
/// and not replayed twice.
async fn replay_a_dead_letter(api: &Api<'_>, order: &Value) {
    let h = api.h;
    let mut other = order.clone();
    other["id"] = json!(777);
    other["name"] = json!("#777");
    let payload = serde_json::to_vec(&other).unwrap();
    let webhook_id = uid();
    let subject = format!("{}.webhook.acme_myshopify_com", h.stream);
    let headers = json!({
        "Nats-Msg-Id": webhook_id,
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": webhook_id,
        "Xeno-Source": "webhook",
        "Xeno-Format": "rest",
    });
    let c = h.db.pool.get().await.unwrap();
    let id: i64 = c
        .query_one(
            "INSERT INTO dead_letters (shop_domain, msg_id, subject, topic, headers, payload, reason, deliveries)
             VALUES ($1, $2, $3, 'orders/create', $4, $5, 'database was on fire', 5) RETURNING id",
            &[&SHOP, &webhook_id, &subject, &headers, &payload],
        )
        .await
        .unwrap()
        .get(0);
    let list = api.get("/api/dead-letters", API_TOKEN).await;
    assert_eq!(list["open_count"], 1);
    assert_eq!(list["dead_letters"][0]["reason"], "database was on fire");
    let (status, body) = api
        .call(
            "POST",
            &format!("/api/dead-letters/{id}/replay"),
            Some(API_TOKEN),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replayed"], json!([id]));
    h.wait_count("SELECT count(*) FROM orders WHERE id = 777", 1, 20)
        .await;
    assert_eq!(
        h.query_i64(&format!(
            "SELECT count(*) FROM dead_letters WHERE id = {id} AND replayed_at IS NOT NULL"
        ))
        .await,
        1
    );
    let (status, _) = api
        .call(
            "POST",
            &format!("/api/dead-letters/{id}/replay"),
            Some(API_TOKEN),
        )
        .await;
    assert_eq!(status, 409, "a replayed letter is not replayed twice");
    let (status, body) = api
        .call("POST", "/api/dead-letters/replay", Some(API_TOKEN))
        .await;
    assert_eq!((status, body["replayed"].clone()), (200, json!([])));
}
