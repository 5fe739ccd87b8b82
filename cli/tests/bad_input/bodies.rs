//! Webhook bodies that are not JSON, nested 100 000 deep, or of the wrong types: refused or
//! dead-lettered with the field named, never a partial row or a stack overflow.

use super::*;

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
    // `client_details`: a field of Shopify's order the engine keeps only in `raw`.
    in_extra_field["client_details"] = deep.clone();
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
        "SELECT count(*) FROM orders WHERE id = 7101 AND jsonb_typeof(raw->'client_details') = 'array'",
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
    let cases = wrong_type_cases();
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

/// (topic, body as raw text so numbers beyond f64 and u64 arrive as sent, what the reason
/// must name).
fn wrong_type_cases() -> Vec<(&'static str, String, &'static str)> {
    let at = r#""updated_at":"2025-01-01T00:00:00Z""#;
    vec![
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
    ]
}
