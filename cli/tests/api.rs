//! The analytics API, black box: tokens and their shops, every route, bad parameters,
//! rollup-based figures against the raw tables, the live stream and dead-letter replay,
//! against the machine's real PostgreSQL and NATS (each test in its own database and stream).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::log_sink::LogEvent;
use xeno_engine::testkit;

const BETA: &str = "beta.myshopify.com";
const ACME_TOKEN: &str = "acme-only-token-0123456789";
const BETA_TOKEN: &str = "beta-only-token-0123456789";

/// A second shop and a token for each shop, beside the harness's all-shops token.
const TWO_SHOPS: &str = r#"
[[shops]]
domain = "beta.myshopify.com"
webhook_secret_env = "SECRET"
admin_url = "http://127.0.0.1:9"
[[api_tokens]]
name = "acme-only"
token_env = "ACME_TOKEN"
shops = ["acme.myshopify.com"]
[[api_tokens]]
name = "beta-only"
token_env = "BETA_TOKEN"
shops = ["beta.myshopify.com"]
"#;

fn env(k: &str) -> Option<String> {
    match k {
        "ACME_TOKEN" => Some(ACME_TOKEN.into()),
        "BETA_TOKEN" => Some(BETA_TOKEN.into()),
        other => Harness::env(other),
    }
}

async fn two_shop_engine(h: &Harness) -> Engine {
    // Appended after the harness's shop: a token may only name shops configured before it.
    let text = h.config_text(&testkit::nats_url(), "127.0.0.1:0", "") + TWO_SHOPS;
    let config = Config::from_toml(&text, "test", &env).expect("test config");
    let engine = Engine::start(config).await.expect("engine starts");
    h.wait_ready(engine.addr()).await;
    engine
}

struct Api<'a> {
    h: &'a Harness,
    addr: SocketAddr,
}

impl Api<'_> {
    async fn call(&self, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
        let url = format!("http://{}{path}", self.addr);
        let mut req = match method {
            "POST" => self.h.http.post(url),
            _ => self.h.http.get(url),
        };
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, Some(token)).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// Inserts an order straight into the test database (the triggers keep the rollups).
async fn insert_order(
    h: &Harness,
    shop: &str,
    id: i64,
    customer: Option<i64>,
    currency: &str,
    total: &str,
    created_at: &str,
) {
    let c = h.db.pool.get().await.unwrap();
    c.execute(
        "INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::text::numeric, $6::text::timestamptz, now())",
        &[&shop, &id, &customer, &currency, &total, &created_at],
    )
    .await
    .unwrap();
}

async fn sql(h: &Harness, statement: &str) {
    h.db.pool
        .get()
        .await
        .unwrap()
        .batch_execute(statement)
        .await
        .unwrap();
}

fn event(shop: Option<&str>, level: &str, message: &str) -> LogEvent {
    LogEvent {
        seq: 0,
        at: chrono::Utc::now(),
        level: level.into(),
        shop: shop.map(str::to_string),
        source: "api_test".into(),
        message: message.into(),
        fields: Default::default(),
    }
}

/// Reads an SSE response until `want` appears in it (or `secs` pass); returns what was read.
async fn read_sse_until(resp: &mut reqwest::Response, want: &str, secs: u64) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !seen.contains(want) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), resp.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => break,
            Err(_) => {}
        }
    }
    seen
}

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/shops"),
    ("GET", "/api/stats"),
    ("GET", "/api/revenue-series"),
    ("GET", "/api/top-customers"),
    ("GET", "/api/sync-status"),
    ("GET", "/api/health"),
    ("GET", "/api/dead-letters"),
    ("POST", "/api/dead-letters/replay"),
    ("POST", "/api/dead-letters/1/replay"),
    ("GET", "/api/events/stream"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_needs_a_valid_token_and_bad_parameters_are_400() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let api = Api {
        h: &h,
        addr: engine.addr(),
    };

    for (method, path) in ROUTES {
        let (status, body) = api.call(method, path, None).await;
        assert_eq!(status, 401, "{method} {path} without a token: {body}");
        assert!(body["error"].is_string());
        let (status, _) = api.call(method, path, Some("not-a-token-at-all-000")).await;
        assert_eq!(status, 401, "{method} {path} with a bad token");
    }
    // The query-string token is for the live stream only.
    let (status, _) = api
        .call("GET", &format!("/api/stats?access_token={API_TOKEN}"), None)
        .await;
    assert_eq!(status, 401);

    let bad: &[(&str, &str)] = &[
        ("/api/stats?from=yesterday", "from"),
        ("/api/stats?to=2025-02-30T00:00:00Z", "to"),
        (
            "/api/stats?from=2025-07-02T00:00:00Z&to=2025-07-01T00:00:00Z",
            "from",
        ),
        (
            "/api/stats?from=1990-01-01T00:00:00Z&to=2025-07-01T00:00:00Z",
            "from",
        ),
        ("/api/stats?shop=not%20a%20shop", "shop"),
        ("/api/revenue-series?bucket=month", "bucket"),
        (
            "/api/revenue-series?bucket=hour&from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z",
            "bucket",
        ),
        ("/api/top-customers?limit=0", "limit"),
        ("/api/top-customers?limit=abc", "limit"),
        ("/api/top-customers?limit=100000", "limit"),
        ("/api/top-customers?currency=dollars", "currency"),
        ("/api/dead-letters?limit=-1", "limit"),
        ("/api/dead-letters?replayed=maybe", "replayed"),
        ("/api/sync-status?events=9999", "events"),
        ("/api/events/stream?level=loud", "level"),
    ];
    for (path, parameter) in bad {
        let (status, body) = api.call("GET", path, Some(API_TOKEN)).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["parameter"], *parameter, "{path}: {body}");
    }
    let (status, body) = api
        .call("POST", "/api/dead-letters/abc/replay", Some(API_TOKEN))
        .await;
    assert_eq!((status, body["parameter"].as_str()), (400, Some("id")));
    let (status, _) = api
        .call("POST", "/api/dead-letters/999/replay", Some(API_TOKEN))
        .await;
    assert_eq!(status, 404);
    let (status, body) = api
        .call(
            "GET",
            "/api/stats?shop=unknown.myshopify.com",
            Some(API_TOKEN),
        )
        .await;
    assert_eq!((status, body["parameter"].as_str()), (404, Some("shop")));

    // The dashboard (or the page saying how to build it) needs no token.
    let r = h
        .http
        .get(format!("http://{}/", engine.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("content-security-policy"));
    assert!(r.text().await.unwrap().contains("<html"));
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_never_sees_another_shops_data() {
    let h = Harness::new().await;
    let engine = two_shop_engine(&h).await;
    let api = Api {
        h: &h,
        addr: engine.addr(),
    };

    insert_order(
        &h,
        SHOP,
        1,
        Some(10),
        "USD",
        "100.00",
        "2025-07-01T10:00:00Z",
    )
    .await;
    insert_order(
        &h,
        SHOP,
        2,
        Some(11),
        "USD",
        "50.50",
        "2025-07-02T10:00:00Z",
    )
    .await;
    insert_order(
        &h,
        BETA,
        1,
        Some(20),
        "EUR",
        "999.99",
        "2025-07-01T12:00:00Z",
    )
    .await;
    sql(
        &h,
        "INSERT INTO customers (shop_domain, id, first_name, last_name, email, created_at, updated_at)
         VALUES ('acme.myshopify.com', 10, 'Ada', 'Lovelace', 'ada@example.com', '2025-07-01T09:00:00Z', now()),
                ('beta.myshopify.com', 20, 'Bea', 'Secret', 'bea@example.com', '2025-07-01T09:00:00Z', now());
         INSERT INTO dead_letters (shop_domain, subject, payload, reason, deliveries)
         VALUES ('acme.myshopify.com', 'X.webhook.acme_myshopify_com', 'a', 'bad', 5),
                ('beta.myshopify.com', 'X.webhook.beta_myshopify_com', 'b', 'bad', 5),
                (NULL, 'X.webhook.unknown', 'c', 'undecodable', 1);
         INSERT INTO sync_state (shop_domain, resource, status, objects_done)
         VALUES ('acme.myshopify.com', 'orders', 'idle', 2), ('beta.myshopify.com', 'orders', 'running', 1);
         INSERT INTO event_log (at, level, shop_domain, source, message)
         VALUES (now(), 'INFO', 'acme.myshopify.com', 'test', 'acme line'),
                (now(), 'INFO', 'beta.myshopify.com', 'test', 'beta line'),
                (now(), 'INFO', NULL, 'test', 'engine line');",
    )
    .await;
    let period = "from=2025-07-01T00:00:00Z&to=2025-07-08T00:00:00Z";

    // The all-shops token sees both.
    let all = api.get(&format!("/api/stats?{period}"), API_TOKEN).await;
    assert_eq!(all["orders_count"], 3);
    assert_eq!(all["revenue"], json!({"EUR": "999.99", "USD": "150.50"}));

    // Acme's token: acme only, silently.
    let acme = api.get(&format!("/api/stats?{period}"), ACME_TOKEN).await;
    assert_eq!(acme["shops"], json!([SHOP]));
    assert_eq!(acme["orders_count"], 2);
    assert_eq!(acme["customers_count"], 1);
    assert_eq!(acme["revenue"], json!({"USD": "150.50"}));
    assert_eq!(acme["average_order_value"], json!({"USD": "75.25"}));
    let series = api
        .get(
            &format!("/api/revenue-series?{period}&bucket=day"),
            ACME_TOKEN,
        )
        .await;
    assert_eq!(series["currencies"], json!(["USD"]));
    assert_eq!(series["points"].as_array().unwrap().len(), 7);
    assert_eq!(series["points"][0]["revenue"]["USD"], "100.00");
    let top = api.get("/api/top-customers?limit=10", ACME_TOKEN).await;
    let text = top.to_string();
    assert!(
        text.contains("Ada Lovelace") && !text.contains("Bea") && !text.contains("EUR"),
        "{text}"
    );
    let shops = api.get("/api/shops", ACME_TOKEN).await;
    assert_eq!(shops["shops"].as_array().unwrap().len(), 1);
    assert_eq!(shops["shops"][0]["shop"], SHOP);
    let sync = api.get("/api/sync-status", ACME_TOKEN).await;
    let text = sync.to_string();
    assert!(
        text.contains("acme line") && !text.contains("beta") && !text.contains("engine line"),
        "{text}"
    );
    let dl = api.get("/api/dead-letters", ACME_TOKEN).await;
    assert_eq!(dl["open_count"], 1);
    assert_eq!(dl["dead_letters"][0]["shop"], SHOP);
    let all_dl = api.get("/api/dead-letters", API_TOKEN).await;
    assert_eq!(all_dl["open_count"], 3);
    let health = api.get("/api/health", ACME_TOKEN).await;
    assert_eq!(health["shops"].as_array().unwrap().len(), 1);
    assert_eq!(health["dead_letters_open"], 1);
    assert!(health["throughput"].is_null());
    assert!(health["components"].is_object());
    let health_all = api.get("/api/health", API_TOKEN).await;
    assert_eq!(health_all["shops"].as_array().unwrap().len(), 2);
    assert!(health_all["throughput"].is_object());
    assert!(
        health_all["queue"]["consumer_pending"].is_number(),
        "{health_all}"
    );

    // Named shops outside the token: 403, everywhere.
    for path in [
        "/api/stats?shop=beta.myshopify.com",
        "/api/revenue-series?shop=beta.myshopify.com",
        "/api/top-customers?shop=beta.myshopify.com",
        "/api/sync-status?shop=beta.myshopify.com",
        "/api/dead-letters?shop=beta.myshopify.com",
        "/api/events/stream?shop=beta.myshopify.com",
    ] {
        let (status, body) = api.call("GET", path, Some(ACME_TOKEN)).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) = api
        .call(
            "POST",
            "/api/dead-letters/replay?shop=beta.myshopify.com",
            Some(ACME_TOKEN),
        )
        .await;
    assert_eq!(status, 403);
    // Beta's dead letter does not exist as far as acme's token knows.
    let beta_dl = api.get("/api/dead-letters", BETA_TOKEN).await;
    let beta_id = beta_dl["dead_letters"][0]["id"].as_i64().unwrap();
    let (status, _) = api
        .call(
            "POST",
            &format!("/api/dead-letters/{beta_id}/replay"),
            Some(ACME_TOKEN),
        )
        .await;
    assert_eq!(status, 404);

    // The live stream: acme's token gets acme's lines only, not beta's nor engine-wide ones.
    let mut stream = h
        .http
        .get(format!(
            "http://{}/api/events/stream?access_token={ACME_TOKEN}",
            engine.addr()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let hub = engine.state().log.clone();
    hub.emit(event(Some(BETA), "INFO", "beta secret order"));
    hub.emit(event(None, "WARN", "engine-wide restart"));
    hub.emit(event(Some(SHOP), "INFO", "acme order applied"));
    let seen = read_sse_until(&mut stream, "acme order applied", 10).await;
    assert!(seen.contains("acme order applied"), "{seen}");
    assert!(
        !seen.contains("beta secret") && !seen.contains("engine-wide"),
        "{seen}"
    );
    drop(stream);

    // Level filter, with the all-shops token (which does see engine-wide lines).
    let mut stream = h
        .http
        .get(format!(
            "http://{}/api/events/stream?level=warn",
            engine.addr()
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    hub.emit(event(Some(SHOP), "INFO", "quiet info line"));
    hub.emit(event(None, "ERROR", "loud engine error"));
    let seen = read_sse_until(&mut stream, "loud engine error", 10).await;
    assert!(
        seen.contains("loud engine error") && !seen.contains("quiet info line"),
        "{seen}"
    );
    drop(stream);
    engine.shutdown().await;
}

/// Figures from the API equal the same figures computed from the raw tables after a random
/// mix of creates, updates, refunds, cancellations, deletes (tombstones and row deletes),
/// test flags, redactions and a time-zone change; both while rollup deltas are pending and
/// after they are folded (`analytics_compact`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollup_figures_equal_raw_tables_after_a_random_mix() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let api = Api {
        h: &h,
        addr: engine.addr(),
    };
    sql(&h, "INSERT INTO shops (shop_domain, iana_timezone) VALUES ('acme.myshopify.com', 'Asia/Kolkata')").await;

    let mut rng = rand::rngs::StdRng::seed_from_u64(6);
    let c = h.db.pool.get().await.unwrap();
    random_mix(&c, &mut rng, 1500).await;
    // The zone changes midway through the shop's life: rollups are rebuilt in the new zone.
    sql(&h, "UPDATE shops SET iana_timezone = 'America/New_York' WHERE shop_domain = 'acme.myshopify.com'").await;
    assert_figures_equal_raw(&api, &c).await;

    // Holding the compaction lock keeps the engine's compactor from folding: the next
    // changes stay pending, and readers must add them.
    let lock = h.db.pool.get().await.unwrap();
    lock.execute(
        "SELECT pg_advisory_lock(hashtext('xeno.analytics_compact'))",
        &[],
    )
    .await
    .unwrap();
    random_mix(&c, &mut rng, 500).await;
    let pending = h
        .query_i64("SELECT count(*) FROM analytics_hourly_pending")
        .await;
    assert!(pending > 0, "changes left deltas pending");
    assert_figures_equal_raw(&api, &c).await;
    lock.execute(
        "SELECT pg_advisory_unlock(hashtext('xeno.analytics_compact'))",
        &[],
    )
    .await
    .unwrap();
    let moved = h.query_i64("SELECT analytics_compact()").await;
    assert!(moved >= pending, "folded {moved} of {pending}");
    assert_eq!(
        h.query_i64("SELECT count(*) FROM analytics_hourly_pending")
            .await,
        0
    );
    assert_figures_equal_raw(&api, &c).await;
    engine.shutdown().await;
}

/// `changes` random writes to one shop's orders and refunds, straight in SQL (the triggers
/// keep the rollups whatever writes the rows).
async fn random_mix(c: &deadpool_postgres::Client, rng: &mut rand::rngs::StdRng, changes: usize) {
    for _ in 0..changes {
        let order: i64 = rng.gen_range(1..150);
        let roll: f64 = rng.gen();
        if roll < 0.35 {
            let currency = if rng.gen_bool(0.2) { "EUR" } else { "USD" };
            let total = format!("{}.{:02}", rng.gen_range(1..500), rng.gen_range(0..100));
            let minutes: i64 = rng.gen_range(0..(60 * 24 * 60));
            let customer: i64 = rng.gen_range(1..25);
            c.execute(
                "INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, test, created_at, updated_at)
                 VALUES ('acme.myshopify.com', $1, $2, $3, $4::text::numeric, $5,
                         '2025-05-01T00:00:00Z'::timestamptz + make_interval(mins => $6::int), now())
                 ON CONFLICT (shop_domain, id) DO UPDATE
                    SET total_price = EXCLUDED.total_price, customer_id = EXCLUDED.customer_id,
                        updated_at = now()",
                &[&order, &customer, &currency, &total, &rng.gen_bool(0.05), &(minutes as i32)],
            )
            .await
            .unwrap();
        } else if roll < 0.5 {
            let refund: i64 = rng.gen_range(1..300);
            let amount = format!("{}.{:02}", rng.gen_range(0..50), rng.gen_range(0..100));
            let minutes: i32 = rng.gen_range(0..(60 * 24 * 60));
            c.execute(
                "INSERT INTO order_refunds (shop_domain, id, order_id, amount, processed_at)
                 VALUES ('acme.myshopify.com', $1, $2, $3::text::numeric,
                         '2025-05-01T00:00:00Z'::timestamptz + make_interval(mins => $4))
                 ON CONFLICT (shop_domain, id) DO UPDATE SET amount = EXCLUDED.amount",
                &[&refund, &order, &amount, &minutes],
            )
            .await
            .unwrap();
        } else {
            let statement = match roll {
                r if r < 0.6 => "UPDATE orders SET cancelled_at = CASE WHEN cancelled_at IS NULL THEN now() END WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.7 => "UPDATE orders SET deleted_at = now() WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.75 => "DELETE FROM orders WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.8 => "DELETE FROM order_refunds WHERE shop_domain = 'acme.myshopify.com' AND order_id = $1",
                r if r < 0.85 => "UPDATE orders SET email = NULL, redacted_at = now() WHERE shop_domain = 'acme.myshopify.com' AND customer_id = $1::bigint % 25",
                r if r < 0.9 => "UPDATE orders SET test = NOT test WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                r if r < 0.93 => "UPDATE orders SET customer_id = NULL WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
                _ => "UPDATE orders SET financial_status = 'paid', updated_at = now() WHERE shop_domain = 'acme.myshopify.com' AND id = $1",
            };
            c.execute(statement, &[&order]).await.unwrap();
        }
    }
}

/// Stats, series and top customers from the API equal the raw tables' figures.
async fn assert_figures_equal_raw(api: &Api<'_>, c: &deadpool_postgres::Client) {
    // Periods aligned to the shop's local hours (New York, summer: UTC-4).
    for (from, to) in [
        ("2025-05-01T00:00:00-04:00", "2025-07-01T00:00:00-04:00"),
        ("2025-05-10T13:00:00-04:00", "2025-06-02T07:00:00-04:00"),
    ] {
        let stats = api
            .get(
                &format!("/api/stats?from={}&to={}", from.replace('+', "%2B"), to),
                API_TOKEN,
            )
            .await;
        let raw = c
            .query(
                "WITH live AS (SELECT * FROM orders WHERE shop_domain = 'acme.myshopify.com'
                               AND NOT test AND deleted_at IS NULL AND cancelled_at IS NULL)
                 SELECT currency,
                        (SELECT count(*) FROM live l WHERE l.currency = c.currency
                           AND created_at >= $1::text::timestamptz AND created_at < $2::text::timestamptz),
                        (SELECT coalesce(sum(total_price), 0)::text FROM live l WHERE l.currency = c.currency
                           AND created_at >= $1::text::timestamptz AND created_at < $2::text::timestamptz),
                        (SELECT coalesce(sum(f.amount), 0)::text FROM order_refunds f JOIN live l
                           ON l.shop_domain = f.shop_domain AND l.id = f.order_id
                          WHERE l.currency = c.currency
                            AND f.processed_at >= $1::text::timestamptz AND f.processed_at < $2::text::timestamptz)
                 FROM (SELECT DISTINCT currency FROM live) c ORDER BY currency",
                &[&from, &to],
            )
            .await
            .unwrap();
        let mut orders = 0;
        for row in raw {
            let currency: String = row.get(0);
            let n: i64 = row.get(1);
            let gross: String = row.get(2);
            let refunds: String = row.get(3);
            orders += n;
            let dec = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
            let api_gross = stats["revenue"][&currency]
                .as_str()
                .map(dec)
                .unwrap_or_default();
            let api_refunds = stats["refunds"][&currency]
                .as_str()
                .map(dec)
                .unwrap_or_default();
            assert_eq!(
                api_gross,
                dec(&gross),
                "gross {currency} {from}..{to}: {stats}"
            );
            assert_eq!(
                api_refunds,
                dec(&refunds),
                "refunds {currency} {from}..{to}: {stats}"
            );
            assert_eq!(
                stats["orders_by_currency"][&currency].as_i64().unwrap_or(0),
                n
            );
        }
        assert_eq!(stats["orders_count"].as_i64().unwrap(), orders, "{stats}");
    }

    // The series sums to the stats of the same period.
    let period = "from=2025-05-01T00:00:00-04:00&to=2025-07-01T00:00:00-04:00";
    let stats = api.get(&format!("/api/stats?{period}"), API_TOKEN).await;
    let series = api
        .get(
            &format!("/api/revenue-series?{period}&bucket=week"),
            API_TOKEN,
        )
        .await;
    assert_eq!(series["time_zone"], "America/New_York");
    let points = series["points"].as_array().unwrap();
    let total: i64 = points
        .iter()
        .map(|p| p["orders_count"].as_i64().unwrap())
        .sum();
    assert_eq!(total, stats["orders_count"].as_i64().unwrap());

    // Top customers: net spend per customer from the raw tables.
    let top = api
        .get("/api/top-customers?limit=100&currency=USD", API_TOKEN)
        .await;
    let ranking = top["by_currency"][0]["customers"]
        .as_array()
        .unwrap()
        .clone();
    let raw = c
        .query(
            "WITH live AS (SELECT * FROM orders WHERE shop_domain = 'acme.myshopify.com' AND currency = 'USD'
                           AND NOT test AND deleted_at IS NULL AND cancelled_at IS NULL
                           AND customer_id IS NOT NULL)
             SELECT customer_id, count(*),
                    (sum(total_price) - coalesce((SELECT sum(f.amount) FROM order_refunds f JOIN live l2
                        ON l2.id = f.order_id AND l2.shop_domain = f.shop_domain
                        WHERE l2.customer_id = live.customer_id), 0))::text,
                    -- The customer's last counted order, in any currency.
                    (SELECT max(o.created_at) FROM orders o
                      WHERE o.shop_domain = 'acme.myshopify.com' AND o.customer_id = live.customer_id
                        AND NOT o.test AND o.deleted_at IS NULL AND o.cancelled_at IS NULL)
             FROM live GROUP BY customer_id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(ranking.len(), raw.len(), "{top}");
    for row in raw {
        let id: i64 = row.get(0);
        let entry = ranking
            .iter()
            .find(|c| c["customer_id"] == id)
            .unwrap_or_else(|| panic!("customer {id} missing from {top}"));
        assert_eq!(entry["orders_count"], row.get::<_, i64>(1));
        let spent: rust_decimal::Decimal = row.get::<_, String>(2).parse().unwrap();
        assert_eq!(
            entry["spent"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap(),
            spent
        );
        let last: chrono::DateTime<chrono::Utc> = row.get(3);
        let api_last: chrono::DateTime<chrono::Utc> =
            entry["last_order_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(api_last, last);
    }
    let spends: Vec<rust_decimal::Decimal> = ranking
        .iter()
        .map(|c| c["spent"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        spends.windows(2).all(|w| w[0] >= w[1]),
        "ranked by spend: {spends:?}"
    );
    // A short ranking is the head of the long one (its candidates come from the index).
    let top3 = api
        .get("/api/top-customers?limit=3&currency=USD", API_TOKEN)
        .await;
    let head: Vec<String> = top3["by_currency"][0]["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["spent"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = spends.iter().take(3).map(|d| d.to_string()).collect();
    assert_eq!(head.len(), 3);
    for (got, want) in head.iter().zip(&want) {
        assert_eq!(
            got.parse::<rust_decimal::Decimal>().unwrap(),
            want.parse().unwrap()
        );
    }
}

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

    // Cancelled: out of revenue. (A later `updated_at` so the upsert applies.)
    let mut cancelled = order.clone();
    cancelled["cancelled_at"] = json!("2008-01-11T10:00:00-05:00");
    cancelled["updated_at"] = json!("2008-01-11T10:00:00-05:00");
    let (status, _) = h
        .post(
            engine.addr(),
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
    // The live stream carried something about this shop while it happened.
    let seen = read_sse_until(&mut stream, SHOP, 5).await;
    assert!(seen.contains("event: log"), "{seen}");
    drop(stream);

    // A dead letter holding a valid order webhook: replayed, applied, marked.
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
    engine.shutdown().await;
}
