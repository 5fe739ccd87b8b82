//! Every route needs a valid token, bad parameters are 400, and a token sees only its shops.

use serde_json::{json, Value};
use xeno_engine::engine::Engine;

use crate::common::*;
use crate::support::*;

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/shops"),
    ("GET", "/api/stats"),
    ("GET", "/api/revenue-series"),
    ("GET", "/api/top-customers"),
    ("GET", "/api/sync-status"),
    ("GET", "/api/health"),
    ("GET", "/api/completeness"),
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
    seed_two_shops(&h).await;
    assert_reads_are_scoped_to_the_token(&api).await;
    assert_other_shops_are_forbidden(&api).await;
    assert_live_stream_is_scoped_to_the_token(&h, &engine).await;
    assert_doctor_findings_are_scoped_to_the_token(&api).await;
    engine.shutdown().await;
}

/// The engine runs the doctor's checks at start and serves the findings in `/api/health`:
/// here acme's Admin API is unreachable (`admin_url` is the discard port) and beta has no
/// access token, each an error with its fix; a token sees only its shops' findings.
async fn assert_doctor_findings_are_scoped_to_the_token(api: &Api<'_>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let all = loop {
        let health = api.get("/api/health", API_TOKEN).await;
        if !health["doctor"].is_null() {
            break health["doctor"].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no doctor report: {health}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let finding = |report: &Value, shop: &str, check: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["shop"] == shop && f["check"] == check)
            .cloned()
            .unwrap_or_else(|| panic!("no {check} finding for {shop}: {report}"))
    };
    let acme = finding(&all, SHOP, "token");
    assert_eq!(acme["status"], "error", "{acme}");
    assert!(
        acme["detail"].as_str().unwrap().contains("unreachable"),
        "{acme}"
    );
    assert!(
        acme["fix"].as_str().unwrap().contains("admin_url"),
        "{acme}"
    );
    let beta = finding(&all, BETA, "token");
    assert_eq!(beta["status"], "error", "{beta}");
    assert!(
        beta["detail"].as_str().unwrap().contains("no access token"),
        "{beta}"
    );
    assert_eq!(finding(&all, BETA, "api_version")["status"], "ok");
    let only_acme = api.get("/api/health", ACME_TOKEN).await["doctor"].clone();
    let shops: Vec<&str> = only_acme["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["shop"].as_str().unwrap())
        .collect();
    assert!(
        !shops.is_empty() && shops.iter().all(|s| *s == SHOP),
        "{only_acme}"
    );
}

/// Orders, customers, dead letters, sync state and log lines for both shops (and engine-wide).
async fn seed_two_shops(h: &Harness) {
    insert_order(
        h,
        SHOP,
        1,
        Some(10),
        "USD",
        "100.00",
        "2025-07-01T10:00:00Z",
    )
    .await;
    insert_order(h, SHOP, 2, Some(11), "USD", "50.50", "2025-07-02T10:00:00Z").await;
    insert_order(
        h,
        BETA,
        1,
        Some(20),
        "EUR",
        "999.99",
        "2025-07-01T12:00:00Z",
    )
    .await;
    sql(
        h,
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
}

/// Every read with acme's token shows acme's rows only; the all-shops token shows both.
async fn assert_reads_are_scoped_to_the_token(api: &Api<'_>) {
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
}

/// Shops outside the token are 403 when named, and their dead letters do not exist.
async fn assert_other_shops_are_forbidden(api: &Api<'_>) {
    // Named shops outside the token: 403, everywhere.
    for path in [
        "/api/stats?shop=beta.myshopify.com",
        "/api/revenue-series?shop=beta.myshopify.com",
        "/api/top-customers?shop=beta.myshopify.com",
        "/api/sync-status?shop=beta.myshopify.com",
        "/api/completeness?shop=beta.myshopify.com",
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
}

/// The live stream: a shop's token gets that shop's lines; the level filter drops quieter ones.
async fn assert_live_stream_is_scoped_to_the_token(h: &Harness, engine: &Engine) {
    // Acme's token gets acme's lines only, not beta's nor engine-wide ones.
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
}
