//! Webhooks on `127.0.0.1:0`: signatures, fault rates, retries with the same id, and
//! subscriptions made through the API.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use xeno_sim::config::WebhookFaults;
use xeno_sim::Sim;

mod common;
use common::*;

#[tokio::test]
async fn webhooks_are_signed_and_faults_hold_their_rates() {
    let (url, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.webhook_url = Some(url);
    cfg.webhook_faults = WebhookFaults {
        duplicate_rate: 0.3,
        reorder_rate: 0.3,
        drop_rate: 0.1,
    };
    let sim = Sim::start(cfg).await.unwrap();
    sim.trigger(800);
    assert!(sim.webhooks_idle(Duration::from_secs(20)).await);
    let stats = sim.webhook_stats();
    let seen = seen.lock().unwrap().clone();
    assert!(stats.deliveries >= 1000, "{stats:?}");
    let rate = |n: u64| n as f64 / stats.deliveries as f64;
    assert!((rate(stats.dropped) - 0.1).abs() < 0.03, "{stats:?}");
    let sent = stats.deliveries - stats.dropped;
    assert!(
        (stats.duplicated as f64 / sent as f64 - 0.3).abs() < 0.05,
        "{stats:?}"
    );
    assert!(
        (stats.reordered as f64 / sent as f64 - 0.3).abs() < 0.05,
        "{stats:?}"
    );
    assert_eq!(seen.len() as u64, stats.delivered);
    assert_eq!(stats.delivered, sent + stats.duplicated);
    let mut per_id: HashMap<&str, u32> = HashMap::new();
    for s in &seen {
        *per_id.entry(&s.webhook_id).or_default() += 1;
    }
    assert_eq!(per_id.len() as u64, sent);
    assert_eq!(
        per_id.values().filter(|&&n| n == 2).count() as u64,
        stats.duplicated
    );
    // Held-back deliveries really arrive after later events.
    let mut latest = String::new();
    let mut late = 0;
    for s in &seen {
        if s.triggered_at < latest {
            late += 1;
        }
        latest = latest.max(s.triggered_at.clone());
    }
    assert!(
        late as u64 >= stats.reordered / 2,
        "{late} late of {stats:?}"
    );
    // Topics and bodies look like Shopify's.
    let topics: HashSet<&str> = seen.iter().map(|s| s.topic.as_str()).collect();
    for t in [
        "orders/create",
        "orders/updated",
        "orders/paid",
        "customers/create",
        "customers/update",
        "products/update",
        "refunds/create",
    ] {
        assert!(topics.contains(t), "no {t} in {topics:?}");
    }
    for s in &seen {
        match s.topic.as_str() {
            "orders/delete" | "products/delete" => assert_eq!(s.body.as_object().unwrap().len(), 1),
            "customers/delete" => assert_eq!(s.body["addresses"], json!([])),
            "refunds/create" => {
                assert!(s.body["order_id"].is_u64() && s.body["transactions"].is_array())
            }
            "orders/create" => {
                assert!(s.body["admin_graphql_api_id"]
                    .as_str()
                    .unwrap()
                    .starts_with("gid://shopify/Order/"));
                assert!(s.body["total_price_set"]["shop_money"]["amount"].is_string());
            }
            _ => {}
        }
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn failed_deliveries_retry_with_the_same_id_and_subscriptions_work() {
    let (flag_url, flag_seen) = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let (bad_url, bad_seen) = receiver(StatusCode::SERVICE_UNAVAILABLE).await;
    let (good_url, good_seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.retry_scale = 0.00002; // the 4-hour schedule in ~0.3 s
    cfg.webhook_url = Some(flag_url);
    let sim = Sim::start(cfg).await.unwrap();
    let create = "mutation($t: WebhookSubscriptionTopic!, $u: String!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: {callbackUrl: $u, format: JSON}) { webhookSubscription { id topic } userErrors { field message } } }";
    for (topic, url) in [("CUSTOMERS_CREATE", &bad_url), ("ORDERS_CREATE", &good_url)] {
        let (_, body) = gql(
            &sim,
            "2025-07",
            TOKEN,
            create,
            json!({"t": topic, "u": url}),
        )
        .await;
        assert_eq!(
            body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["topic"], topic,
            "{body}"
        );
    }
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ webhookSubscriptions(first: 10) { nodes { id topic callbackUrl } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["webhookSubscriptions"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    sim.trigger(40);
    assert!(sim.webhooks_idle(Duration::from_secs(10)).await);
    // The flag's subscription is never removed: every delivery is tried 1 + 8 times, one id.
    let flag = flag_seen.lock().unwrap().clone();
    let mut per_id: HashMap<&str, u32> = HashMap::new();
    for s in &flag {
        *per_id.entry(&s.webhook_id).or_default() += 1;
    }
    assert!(
        !per_id.is_empty() && per_id.values().all(|&n| n == 9),
        "{per_id:?}"
    );
    // An API subscription that keeps failing is removed after 8 failed attempts in a row.
    let bad = bad_seen.lock().unwrap().clone();
    assert!(bad.len() >= 8 && bad.iter().all(|s| s.topic == "customers/create"));
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ webhookSubscriptions(first: 10) { nodes { topic } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["webhookSubscriptions"]["nodes"],
        json!([{"topic": "ORDERS_CREATE"}])
    );
    let good = good_seen.lock().unwrap().clone();
    assert!(!good.is_empty() && good.iter().all(|s| s.topic == "orders/create"));
    assert_eq!(
        good.len(),
        flag.iter().filter(|s| s.topic == "orders/create").count() / 9
    );
    sim.shutdown().await;
}
