//! Hostile and broken input, black box, against the real PostgreSQL and NATS: every case
//! gets the right status with a clear reason, stores nothing it should not, keeps what it
//! must, and leaves the engine healthy (`/readyz` 200, and a good webhook is still written).
//!
//! What `webhooks.rs` already covers (bad/missing/truncated HMAC, unknown shop, missing
//! headers, non-JSON text, odd-case domains, a small `max_body_bytes`, a poison message,
//! unknown topics) is not repeated here.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::raw_http::{self, Ending};
use common::*;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

/// A small valid order with id `id`.
fn order(id: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "name": "#1", "currency": "USD", "total_price": "1.00",
        "updated_at": "2025-01-01T00:00:00Z", "line_items": []
    }))
    .unwrap()
}

/// The engine still works: ready, and a good webhook is acknowledged and written.
async fn assert_healthy(h: &Harness, addr: SocketAddr) {
    let r = h
        .http
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "readyz");
    let id = 8_000_000 + rand_id();
    let (s, text) = h.post(addr, "orders/create", &uid(), &order(id)).await;
    assert_eq!(s, 200, "a good webhook after the bad input: {text}");
    h.wait_count(
        &format!("SELECT count(*) FROM orders WHERE id = {id}"),
        1,
        30,
    )
    .await;
}

async fn wait_receipt(h: &Harness, webhook_id: &str) {
    let sql = format!("SELECT count(*) FROM webhook_receipts WHERE webhook_id = '{webhook_id}'");
    h.wait_count(&sql, 1, 30).await;
}

fn rand_id() -> i64 {
    (uuid::Uuid::new_v4().as_u128() % 1_000_000) as i64
}

fn nested_arrays(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bodies_that_are_not_json_are_refused_and_nothing_is_kept() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    let full = order(1);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "empty",
            vec![],
            401,
            "empty body cannot carry a valid signature",
        ),
        (
            "truncated",
            full[..full.len() / 2].to_vec(),
            400,
            "body is not valid JSON",
        ),
        (
            "not UTF-8",
            b"{\"id\": 1, \"name\": \"\xff\xfe\"}".to_vec(),
            400,
            "body is not valid JSON",
        ),
    ];
    for (what, body, status, reason) in &cases {
        let (s, text) = h.post(addr, "orders/create", &uid(), body).await;
        assert_eq!((s, text.trim()), (*status, *reason), "{what}");
    }
    assert_eq!(h.stream_messages().await, 0, "nothing reached JetStream");
    assert_eq!(
        h.query_i64("SELECT count(*) FROM webhook_receipts").await,
        0
    );
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn json_nested_100_000_deep_is_kept_without_a_stack_overflow() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    let arrays = nested_arrays(100_000, "").into_bytes();
    let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)).into_bytes();
    // Valid JSON, so acknowledged: a known topic's body is dead-lettered by the writer's
    // parse (which stops at its depth limit instead of recursing); an unknown topic's body is
    // never parsed and its receipt is kept.
    let (arrays_id, objects_id, unknown_id) = (uid(), uid(), uid());
    for (topic, id, body) in [
        ("orders/create", &arrays_id, &arrays),
        ("customers/update", &objects_id, &objects),
        ("inventory_levels/update", &unknown_id, &arrays),
    ] {
        let (s, text) = h.post(addr, topic, id, body).await;
        assert_eq!(s, 200, "{topic}: {text}");
    }
    for id in [&arrays_id, &objects_id] {
        let reason = dead_letter_reason(&h, id).await;
        assert!(reason.contains("recursion limit"), "{reason}");
    }
    wait_receipt(&h, &unknown_id).await;
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deep_json_within_the_limit_is_written_or_dead_lettered_without_overflow() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    // 120 levels: under serde_json's limit of 128, so it passes the receiver and reaches the
    // writer's parse, the parsers and PostgreSQL's jsonb.
    let deep: Value = serde_json::from_str(&nested_arrays(120, "1")).unwrap();
    let mut in_extra_field: Value = serde_json::from_slice(&order(7101)).unwrap();
    in_extra_field["note_attributes"] = deep.clone();
    let mut in_line_items: Value = serde_json::from_slice(&order(7102)).unwrap();
    in_line_items["line_items"] = deep.clone();
    let written = uid();
    let dead = uid();
    let unknown = uid();
    for (topic, id, body) in [
        ("orders/create", &written, &in_extra_field),
        ("orders/create", &dead, &in_line_items),
        ("inventory_levels/update", &unknown, &deep),
    ] {
        let bytes = serde_json::to_vec(body).unwrap();
        let (s, text) = h.post(addr, topic, id, &bytes).await;
        assert_eq!(s, 200, "{topic}: {text}");
    }
    // The order with deep but unknown content is written, raw JSON and all.
    h.wait_count(
        "SELECT count(*) FROM orders WHERE id = 7101 AND jsonb_typeof(raw->'note_attributes') = 'array'",
        1,
        30,
    )
    .await;
    // The unknown topic's receipt is kept.
    wait_receipt(&h, &unknown).await;
    // Line items that are not objects are a payload error, dead-lettered with the field.
    let reason = dead_letter_reason(&h, &dead).await;
    assert!(reason.contains("line_items"), "{reason}");
    assert_eq!(
        h.query_i64("SELECT count(*) FROM orders WHERE id = 7102")
            .await,
        0
    );
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

/// Waits for the dead letter of webhook `msg_id`; returns its reason.
async fn dead_letter_reason(h: &Harness, msg_id: &str) -> String {
    let sql = format!("SELECT count(*) FROM dead_letters WHERE msg_id = '{msg_id}'");
    h.wait_count(&sql, 1, 30).await;
    let c = h.db.pool.get().await.unwrap();
    c.query_one(
        "SELECT reason FROM dead_letters WHERE msg_id = $1",
        &[&msg_id],
    )
    .await
    .unwrap()
    .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_types_and_huge_numbers_are_dead_lettered_with_the_field_named() {
    let h = Harness::new().await;
    let engine = h.engine("[writer]\nmax_deliveries = 2\n").await;
    let addr = engine.addr();
    let at = r#""updated_at":"2025-01-01T00:00:00Z""#;
    // (topic, body as raw text so numbers beyond f64 and u64 arrive as sent, what the reason
    // must name).
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "orders/create",
            format!(r#"{{"id":1180591620717411303424,{at}}}"#),
            "`id`",
        ),
        (
            "orders/create",
            format!(r#"{{"id":7201,{at},"total_price":1e400}}"#),
            "JSON",
        ),
        ("orders/create", format!(r#"{{"id":"abc",{at}}}"#), "`id`"),
        (
            "orders/create",
            r#"{"id":7203,"updated_at":12}"#.to_string(),
            "`updated_at`",
        ),
        (
            "orders/create",
            format!(r#"{{"id":7204,{at},"line_items":"x"}}"#),
            "`line_items`",
        ),
        (
            "orders/create",
            format!(r#"{{"id":7205,{at},"line_items":[{{"id":1,"quantity":1e10}}]}}"#),
            "quantity",
        ),
        (
            "orders/create",
            format!(r#"{{"id":7206,{at},"total_price":{{"a":1}}}}"#),
            "`total_price`",
        ),
        (
            "orders/create",
            format!(r#"{{"id":7207,{at},"total_price":"99999999999999999999999999999999"}}"#),
            "`total_price`",
        ),
        // A valid signature over a payload without its id.
        (
            "orders/create",
            format!(r##"{{"name":"#1001",{at}}}"##),
            "`id` missing",
        ),
        ("customers/create", format!(r#"{{"id":-1e3,{at}}}"#), "`id`"),
        (
            "products/update",
            r#"{"id":7208,"updated_at":"yesterday"}"#.to_string(),
            "`updated_at`",
        ),
        ("orders/delete", "{}".to_string(), "missing"),
        (
            "refunds/create",
            r#"{"id":7209,"order_id":[1]}"#.to_string(),
            "`order_id`",
        ),
    ];
    let mut sent = Vec::new();
    for (topic, body, field) in &cases {
        let id = uid();
        let (s, text) = h.post(addr, topic, &id, body.as_bytes()).await;
        assert_eq!(
            s, 200,
            "{topic} {body}: acknowledged, then dead-lettered: {text}"
        );
        sent.push((id, *field, body));
    }
    h.wait_count("SELECT count(*) FROM dead_letters", cases.len() as i64, 60)
        .await;
    let c = h.db.pool.get().await.unwrap();
    for (id, field, body) in &sent {
        let row = c
            .query_one(
                "SELECT reason, payload FROM dead_letters WHERE msg_id = $1",
                &[id],
            )
            .await
            .unwrap();
        let reason: String = row.get(0);
        assert!(
            reason.contains(field),
            "{body}: reason {reason:?} names {field}"
        );
        assert_eq!(row.get::<_, Vec<u8>>(1), body.as_bytes(), "raw bytes kept");
    }
    assert_eq!(
        h.query_i64("SELECT count(*) FROM orders WHERE id BETWEEN 7200 AND 7299")
            .await,
        0,
        "no partial rows"
    );
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fifty_megabyte_body_is_413_without_being_read() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    const FIFTY_MB: u64 = 50 * 1024 * 1024;
    let limit = engine.state().config.server.max_body_bytes;
    let headers = webhook_headers("orders/create", &uid(), "c2lnbmF0dXJl");

    // Announced: refused on the Content-Length alone, after a few bytes of body.
    let mut stream = raw_http::connect(addr).await;
    let head = raw_http::head("POST", "/api/webhooks", &headers, Some(FIFTY_MB));
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b' '; 16 * 1024]).await.unwrap();
    // Only 16 KB of the announced 50 MB were sent: an answer at all means it was not read.
    let ending = raw_http::read_ending(&mut stream, Duration::from_secs(20)).await;
    assert_eq!(
        ending,
        Ending::Response {
            status: 413,
            text: format!("body larger than {limit} bytes\n")
        }
    );

    // Not announced (chunked): refused once the limit is passed; the sender is cut off long
    // before 50 MB.
    let stream = raw_http::connect(addr).await;
    let (mut rd, mut wr) = stream.into_split();
    let mut head = raw_http::head("POST", "/api/webhooks", &headers, None);
    head.insert_str(head.len() - 2, "Transfer-Encoding: chunked\r\n");
    let sender = tokio::spawn(async move {
        let mut written = 0u64;
        if wr.write_all(head.as_bytes()).await.is_err() {
            return written;
        }
        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
        while written < FIFTY_MB {
            if wr.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
            written += 0x10000;
        }
        written
    });
    let ending = raw_http::read_ending(&mut rd, Duration::from_secs(30)).await;
    assert!(
        matches!(ending, Ending::Response { status: 413, .. }),
        "{ending:?}"
    );
    drop(rd);
    let written = tokio::time::timeout(Duration::from_secs(30), sender)
        .await
        .expect("the server stops reading")
        .unwrap();
    assert!(written < FIFTY_MB, "the whole 50 MB were taken in");
    eprintln!("chunked sender got {written} bytes out before being cut off");

    assert_eq!(h.stream_messages().await, 0);
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_clients_are_cut_off_and_others_are_served_meanwhile() {
    let h = Harness::new().await;
    let engine = h.engine("[server]\nrequest_timeout = \"2s\"\n").await;
    let addr = engine.addr();
    let headers = webhook_headers("orders/create", &uid(), "c2lnbmF0dXJl");
    let head = raw_http::head("POST", "/api/webhooks", &headers, Some(1000));

    // Headers trickled a byte every 200 ms (the whole head would take about a minute).
    let header_started = Instant::now();
    let (mut header_rd, mut header_wr) = raw_http::connect(addr).await.into_split();
    let head_bytes = head.clone().into_bytes();
    let header_trickle = tokio::spawn(async move {
        raw_http::trickle(&mut header_wr, &head_bytes, Duration::from_millis(200)).await
    });
    // A body trickled a byte every 200 ms after a complete head.
    let body_started = Instant::now();
    let (mut body_rd, mut body_wr) = raw_http::connect(addr).await.into_split();
    body_wr.write_all(head.as_bytes()).await.unwrap();
    let body_trickle = tokio::spawn(async move {
        raw_http::trickle(&mut body_wr, &[b' '; 1000], Duration::from_millis(200)).await
    });

    // Meanwhile a normal webhook is served.
    assert_healthy(&h, addr).await;

    let ending = raw_http::read_ending(&mut body_rd, Duration::from_secs(20)).await;
    assert!(
        matches!(ending, Ending::Response { status: 408, .. }),
        "trickled body: {ending:?}"
    );
    assert!(body_started.elapsed() < Duration::from_secs(10));
    let ending = raw_http::read_ending(&mut header_rd, Duration::from_secs(30)).await;
    assert!(
        matches!(
            ending,
            Ending::Closed | Ending::Response { status: 408, .. }
        ),
        "trickled head: {ending:?}"
    );
    let cut_after = header_started.elapsed();
    assert!(
        cut_after < Duration::from_secs(20),
        "head trickler cut after {cut_after:?}"
    );
    header_trickle.abort();
    body_trickle.abort();
    assert_eq!(h.stream_messages().await, 0);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_thousand_idle_connections_do_not_lock_others_out_and_are_freed() {
    let h = Harness::new().await;
    // Fewer connection slots than idle sockets: the idle ones must be timed out to make room.
    let engine = h.engine("[server]\nmax_connections = 1000\n").await;
    let addr = engine.addr();
    let mut idle = Vec::new();
    for _ in 0..2000 {
        match tokio::time::timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
            .await
        {
            Ok(Ok(s)) => idle.push(s),
            // The kernel's accept queue is full: that is as many as can idle.
            _ => break,
        }
    }
    assert!(idle.len() >= 1000, "opened only {}", idle.len());
    eprintln!("{} idle connections open", idle.len());

    // A normal client gets through (at worst after the idle ones time out).
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let r = client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .expect("a normal request is served while 2 000 sockets idle");
    assert_eq!(r.status(), 200);
    eprintln!("normal request served after {:?}", started.elapsed());

    // The server frees them: each idle socket is closed from its side.
    let opened = idle.len();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut closed = 0;
    for mut s in idle {
        let left = deadline.saturating_duration_since(Instant::now());
        if raw_http::read_ending(&mut s, left).await != Ending::Silent {
            closed += 1;
        }
    }
    assert_eq!(closed, opened, "every idle connection was closed");
    assert_healthy(&h, addr).await;
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn odd_tokens_and_parameters_are_4xx_never_5xx() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let base = format!("http://{}", engine.addr());
    let long_token = "x".repeat(16 * 1024);
    let authorizations: Vec<(&str, String)> = vec![
        ("a scheme and no token", "Bearer".into()),
        ("a blank token", "Bearer    ".into()),
        ("another scheme", format!("Basic {API_TOKEN}")),
        (
            "a prefix of the token",
            format!("Bearer {}", &API_TOKEN[..API_TOKEN.len() - 1]),
        ),
        ("the token and more", format!("Bearer {API_TOKEN}x")),
        ("two tokens", format!("Bearer {API_TOKEN} {API_TOKEN}")),
        ("a 16 KB token", format!("Bearer {long_token}")),
    ];
    for (what, value) in &authorizations {
        let r = h
            .http
            .get(format!("{base}/api/stats"))
            .header("Authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{what}");
    }
    // Bytes that are not text in the header.
    let r = h
        .http
        .get(format!("{base}/api/stats"))
        .header(
            "Authorization",
            reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let get = |path: String| {
        let req = h.http.get(format!("{base}{path}")).bearer_auth(API_TOKEN);
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let bad: &[(&str, &str)] = &[
        ("/api/top-customers?limit=99999999999999999999999", "limit"),
        ("/api/top-customers?limit=1e3", "limit"),
        ("/api/top-customers?limit=%FF%FE", "limit"),
        ("/api/stats?from=%00", "from"),
        ("/api/stats?to=9999999-01-01T00:00:00Z", "to"),
        ("/api/revenue-series?bucket=%F0%9F%92%A5", "bucket"),
        ("/api/dead-letters?limit=2147483648", "limit"),
    ];
    for (path, parameter) in bad {
        let (status, body) = get(path.to_string()).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["parameter"], *parameter, "{path}: {body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    // Long or strange but harmless query strings are not errors of the server.
    for path in [
        format!("/api/stats?shop={}", "a".repeat(8 * 1024)),
        "/api/stats?%zz=%zz&&&=&".to_string(),
        "/api/shops?x[]=1&x[]=2".to_string(),
    ] {
        let (status, body) = get(path.clone()).await;
        assert!(
            (200..500).contains(&status),
            "{}: {status} {body}",
            &path[..40.min(path.len())]
        );
    }

    // POST /api/sync bodies.
    let sync_cases: &[(&[u8], u16, Option<&str>)] = &[
        (b"not json", 400, None),
        (b"{\"shop\": ", 400, None),
        (b"[]", 400, Some("shop")),
        (b"{\"shop\": 5}", 400, Some("shop")),
        (
            b"{\"shop\": \"acme.myshopify.com\", \"mode\": \"everything\"}",
            400,
            Some("mode"),
        ),
        (
            b"{\"shop\": \"acme.myshopify.com\", \"mode\": 1e400}",
            400,
            None,
        ),
        (
            b"{\"shop\": \"acme.myshopify.com\", \"mode\": [\"full\"]}",
            400,
            Some("mode"),
        ),
        (b"{\"shop\": \"not a shop\"}", 400, Some("shop")),
        (b"{\"shop\": \"other.myshopify.com\"}", 404, None),
    ];
    for (body, status, parameter) in sync_cases {
        let r = h
            .http
            .post(format!("{base}/api/sync"))
            .bearer_auth(API_TOKEN)
            .header("Content-Type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let got = r.status().as_u16();
        let json: Value = r.json().await.unwrap_or(Value::Null);
        let text = String::from_utf8_lossy(body);
        assert_eq!(got, *status, "{text}: {json}");
        assert!(
            json["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{text}: {json}"
        );
        if let Some(p) = parameter {
            assert_eq!(json["parameter"], *p, "{text}: {json}");
        }
    }
    // The wrong method and unknown routes are 4xx too.
    let r = h.http.get(format!("{base}/api/sync")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let r = h
        .http
        .get(format!("{base}/api/nothing-here"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        h.query_i64("SELECT count(*) FROM sync_runs").await,
        0,
        "no run queued"
    );
    assert_healthy(&h, engine.addr()).await;
    engine.shutdown().await;
}
