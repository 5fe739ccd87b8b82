//! The engine ↔ dashboard contract, black box: every JSON route of a running engine is called
//! and each real answer is decoded with the `xeno-api-types` type the dashboard decodes it
//! with. Decoding refuses unknown fields (`deny_unknown_fields` on the types), and the decoded
//! value must re-encode to exactly the JSON the engine sent, so a field the dashboard does not
//! know, a missing one, or a changed format fails here rather than on screen.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use xeno_api_types::analytics::{SeriesResponse, StatsResponse, TopCustomersResponse};
use xeno_api_types::completeness::CompletenessResponse;
use xeno_api_types::dead_letters::{DeadLettersResponse, ReplayResponse};
use xeno_api_types::error::ErrorBody;
use xeno_api_types::health::{HealthResponse, Readiness};
use xeno_api_types::live::LiveEvent;
use xeno_api_types::shops::ShopsResponse;
use xeno_api_types::sync::{SyncQueued, SyncStatusResponse};
use xeno_engine::log_sink::LogEvent;

/// Decodes `body` as `T` strictly and checks it re-encodes to the same JSON.
fn conforms<T: DeserializeOwned + Serialize>(what: &str, body: &Value) -> T {
    let decoded: T = serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("{what}: the dashboard's type refuses the answer: {e}\n{body}"));
    let again = serde_json::to_value(&decoded).expect("re-encodes");
    assert_eq!(
        &again, body,
        "{what}: the answer differs from what its type encodes"
    );
    decoded
}

async fn call(h: &Harness, addr: SocketAddr, method: &str, path: &str) -> (u16, Value) {
    let url = format!("http://{addr}{path}");
    let req = match method {
        "POST" => h.http.post(url),
        _ => h.http.get(url),
    };
    let r = req.bearer_auth(API_TOKEN).send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path} ({status}) is not JSON: {e}: {text}"));
    (status, body)
}

async fn get<T: DeserializeOwned + Serialize>(h: &Harness, addr: SocketAddr, path: &str) -> T {
    let (status, body) = call(h, addr, "GET", path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    conforms(path, &body)
}

/// Orders, a customer, dead letters (one on the stream's own subject, so its replay can
/// succeed), sync checkpoints with every column set, and log lines: so every nested type of
/// the answers is exercised with values, not only empty lists.
async fn seed(h: &Harness) {
    let subject = format!("{}.webhook.{}", h.stream, SHOP.replace('.', "_"));
    let statements = format!(
        "INSERT INTO customers (shop_domain, id, first_name, last_name, email, created_at, updated_at)
         VALUES ('{SHOP}', 10, 'Ada', 'Lovelace', 'ada@example.com', '2025-07-01T09:00:00Z', now());
         INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, created_at, updated_at)
         VALUES ('{SHOP}', 1, 10, 'USD', 100.00, '2025-07-01T10:00:00Z', now()),
                ('{SHOP}', 2, 10, 'EUR', 12.50, '2025-07-02T10:00:00Z', now());
         INSERT INTO dead_letters (shop_domain, msg_id, subject, topic, headers, payload, reason, deliveries)
         VALUES ('{SHOP}', 'wh-1', '{subject}', 'orders/create',
                 '{{\"X-Shopify-Topic\": \"orders/create\"}}', 'not json', 'bad payload', 5),
                (NULL, NULL, 'X.webhook.unknown', NULL, '{{}}', 'c', 'undecodable', 1),
                ('{SHOP}', 'wh-2', 'X.webhook.elsewhere', 'orders/create', '{{}}', 'x', 'bad', 2);
         INSERT INTO sync_state (shop_domain, resource, mode, status, cursor, bulk_operation_id,
                                 updated_at_watermark, objects_done, started_at, completed_at,
                                 last_reconciled_at, last_error, run_id)
         VALUES ('{SHOP}', 'orders', 'full', 'running', 'c1', 'gid://shopify/BulkOperation/1',
                 now() - interval '1 hour', 40, now() - interval '10 seconds', NULL,
                 now() - interval '1 day', 'throttled once', gen_random_uuid()),
                ('{SHOP}', 'customers', NULL, 'idle', NULL, NULL, NULL, 0, NULL, NULL, NULL,
                 NULL, NULL);
         INSERT INTO resource_counts (shop_domain, resource, shopify_count, precision,
                                      stored_count, compared_at)
         VALUES ('{SHOP}', 'orders', 3, 'EXACT', 2, now());
         INSERT INTO event_log (at, level, shop_domain, source, message, fields)
         VALUES (now(), 'INFO', '{SHOP}', 'test', 'acme line', '{{\"n\": 1}}'),
                (now(), 'WARN', NULL, 'test', 'engine line', '{{}}');"
    );
    h.db.pool
        .get()
        .await
        .unwrap()
        .batch_execute(&statements)
        .await
        .unwrap();
}

/// The data of the live stream's `event: log` carrying "contract line", which `emit` sends.
async fn first_live_event(h: &Harness, addr: SocketAddr, emit: impl FnOnce()) -> Value {
    let mut stream = h
        .http
        .get(format!("http://{addr}/api/events/stream"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    emit();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(data) = seen
            .split("\n\n")
            .filter(|block| block.contains("event: log") && block.contains("contract line"))
            .find_map(|block| block.lines().find_map(|l| l.strip_prefix("data: ")))
        {
            return serde_json::from_str(data).expect("SSE data is JSON");
        }
        match tokio::time::timeout(Duration::from_millis(200), stream.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => break,
            Err(_) => {}
        }
    }
    panic!("no live event arrived: {seen}");
}

/// The read routes of the dashboard: shops, figures, sync status, health, dead letters.
async fn check_reads(h: &Harness, addr: SocketAddr) -> DeadLettersResponse {
    let period = "from=2025-07-01T00:00:00Z&to=2025-07-08T00:00:00Z";
    let shops: ShopsResponse = get(h, addr, "/api/shops").await;
    assert_eq!(shops.shops[0].shop, SHOP);
    let stats: StatsResponse = get(h, addr, &format!("/api/stats?{period}")).await;
    assert_eq!(stats.current.orders_count, 2);
    for bucket in ["hour", "day", "week"] {
        let path = format!("/api/revenue-series?{period}&bucket={bucket}");
        let series: SeriesResponse = get(h, addr, &path).await;
        assert!(!series.points.is_empty());
    }
    let top: TopCustomersResponse = get(h, addr, "/api/top-customers?limit=10").await;
    assert_eq!(top.by_currency.len(), 2);
    let sync: SyncStatusResponse = get(h, addr, "/api/sync-status").await;
    assert_eq!(sync.shops[0].resources.len(), 2, "{sync:?}");
    assert!(!sync.events.is_empty());
    let health: HealthResponse = get(h, addr, "/api/health").await;
    assert!(health.throughput.is_some());
    let counts: CompletenessResponse = get(h, addr, "/api/completeness").await;
    assert_eq!(counts.resources[0].difference, 1, "{counts:?}");
    let letters: DeadLettersResponse = get(h, addr, "/api/dead-letters?replayed=true").await;
    assert_eq!(letters.open_count, 3);
    letters
}

/// Replays: one that JetStream takes, then "all" (the rest fail: no stream has their
/// subject), then the first again (409).
async fn check_replays(h: &Harness, addr: SocketAddr, letters: &DeadLettersResponse) {
    let replayable = letters
        .dead_letters
        .iter()
        .find(|d| d.msg_id.as_deref() == Some("wh-1"))
        .unwrap()
        .id;
    let path = format!("/api/dead-letters/{replayable}/replay");
    let (status, body) = call(h, addr, "POST", &path).await;
    assert_eq!(status, 200, "{body}");
    let one: ReplayResponse = conforms("replay one", &body);
    assert_eq!(one.replayed, vec![replayable]);
    let (status, body) = call(h, addr, "POST", "/api/dead-letters/replay").await;
    assert_eq!(status, 200, "{body}");
    let all: ReplayResponse = conforms("replay all", &body);
    assert!(!all.failed.is_empty(), "{body}");
    let (status, body) = call(h, addr, "POST", &path).await;
    assert_eq!(status, 409);
    conforms::<ErrorBody>("replayed twice", &body);
}

/// `POST /api/sync`, the error body, and `/readyz`.
async fn check_sync_and_errors(h: &Harness, addr: SocketAddr) {
    let (status, body) = call(h, addr, "POST", "/api/sync").await;
    assert_eq!(status, 400);
    let error: ErrorBody = conforms("sync without a body", &body);
    assert!(error.parameter.is_none(), "{body}");
    let r = h
        .http
        .post(format!("http://{addr}/api/sync"))
        .bearer_auth(API_TOKEN)
        .json(&serde_json::json!({"shop": SHOP, "mode": "full"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let queued: SyncQueued = conforms("sync queued", &r.json().await.unwrap());
    assert_eq!(
        (queued.mode.as_str(), queued.state.as_str()),
        ("full", "queued")
    );

    let (status, body) = call(h, addr, "GET", "/api/stats?from=yesterday").await;
    assert_eq!(status, 400);
    let error: ErrorBody = conforms("bad parameter", &body);
    assert_eq!(error.parameter.as_deref(), Some("from"));
    let (status, body) = call(h, addr, "GET", "/readyz").await;
    assert_eq!(status, 200);
    conforms::<Readiness>("/readyz", &body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_json_answer_decodes_with_the_dashboards_types() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    seed(&h).await;

    let letters = check_reads(&h, addr).await;
    check_replays(&h, addr, &letters).await;
    check_sync_and_errors(&h, addr).await;

    let hub = engine.state().log.clone();
    let live = first_live_event(&h, addr, move || {
        hub.emit(LogEvent {
            seq: 0,
            at: chrono::Utc::now(),
            level: "INFO".into(),
            shop: Some(SHOP.into()),
            source: "contract".into(),
            message: "contract line".into(),
            fields: [("n".to_string(), Value::from(1))].into_iter().collect(),
        })
    })
    .await;
    conforms::<LiveEvent>("live event", &live);
    engine.shutdown().await;
}
