//! What the client does with any answer a server claiming to be Shopify sends: malformed
//! bodies, missing or mistyped fields, absurd cost reports and `Retry-After` values. Each
//! answer ends in data, a clear [`ClientError`], or a retry with its reason in the stats —
//! never a panic, also on the request after it (which waits on the bucket the answer set).
//!
//! A small axum server on `127.0.0.1:0` plays Shopify with a canned answer per case.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::{ClientError, GraphqlClient};
use crate::config::{Secret, ShopConfig};
use crate::metrics::Metrics;

/// One canned answer: status, optional `Retry-After`, raw body.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(body: Value) -> Answer {
        Answer {
            status: 200,
            retry_after: None,
            body: serde_json::to_vec(&body).unwrap(),
        }
    }

    fn raw(status: u16, body: &[u8]) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: body.to_vec(),
        }
    }
}

/// The fake Admin API: one runtime and server for the whole test binary, answering every
/// request with the current [`Answer`].
struct FakeShopify {
    runtime: tokio::runtime::Runtime,
    answer: Arc<Mutex<Answer>>,
    base: String,
}

/// Tests share the server, so they take turns setting its answer.
static TURN: Mutex<()> = Mutex::new(());

fn fake() -> &'static FakeShopify {
    static FAKE: OnceLock<FakeShopify> = OnceLock::new();
    FAKE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let answer = Arc::new(Mutex::new(Answer::json(json!({"data": {}}))));
        let shared = answer.clone();
        let app = axum::Router::new().fallback(move || {
            let a = shared.lock().unwrap().clone();
            async move {
                let mut r: Response =
                    (StatusCode::from_u16(a.status).unwrap(), a.body).into_response();
                if let Some(v) = a.retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    r.headers_mut().insert("Retry-After", v);
                }
                r
            }
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await });
        FakeShopify {
            runtime,
            answer,
            base,
        }
    })
}

fn client() -> GraphqlClient {
    let shop = ShopConfig {
        domain: "acme.myshopify.com".into(),
        webhook_secrets: vec![],
        access_token: Some(Secret::new("shpat_answer_tests")),
        admin_url: fake().base.parse().unwrap(),
        api_version: "2025-07".into(),
        reconcile_every: Duration::from_secs(3600),
        reconcile_lookback: crate::config::DEFAULT_RECONCILE_LOOKBACK,
        resources: crate::config::ResourceChoice::Granted,
        backfill_since: None,
    };
    GraphqlClient::new(&shop, Arc::new(Metrics::new())).unwrap()
}

/// What one query made of the answer: `None` when it was still retrying after `patience`.
fn ask(
    client: &GraphqlClient,
    answer: &Answer,
    patience: Duration,
) -> Option<Result<Value, ClientError>> {
    let f = fake();
    *f.answer.lock().unwrap() = answer.clone();
    f.runtime.block_on(async {
        tokio::time::timeout(
            patience,
            client.query("Probe", "{ shop { id } }", json!({})),
        )
        .await
        .ok()
    })
}

fn last_error(client: &GraphqlClient) -> String {
    client
        .stats
        .last_error
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_default()
}

const PATIENCE: Duration = Duration::from_secs(3);

#[test]
fn malformed_bodies_are_retried_with_the_reason_recorded() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    for body in [
        &b"<html>Bad gateway</html>"[..],
        b"{\"data\": {\"orders\": ",
        b"",
        b"\xff\xfe\x00",
    ] {
        let c = client();
        let got = ask(&c, &Answer::raw(200, body), Duration::from_millis(600));
        assert!(got.is_none(), "kept retrying: {got:?}");
        assert!(
            last_error(&c).starts_with("unreadable answer"),
            "{body:?}: {}",
            last_error(&c)
        );
    }
    // An HTML error page with a 5xx is retried as the status.
    let c = client();
    assert!(ask(&c, &Answer::raw(502, b"<html>"), Duration::from_millis(600)).is_none());
    assert_eq!(last_error(&c), "HTTP 502");
}

#[test]
fn answers_without_data_or_with_odd_errors_end_clearly() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let c = client();
    // No `data` at all, or a JSON that is not an object: no data, no panic.
    for body in [
        json!({}),
        json!([]),
        json!(null),
        json!(42),
        json!({"data": null}),
    ] {
        let got = ask(&c, &Answer::json(body.clone()), PATIENCE).expect("answered");
        assert_eq!(got.unwrap(), Value::Null, "{body}");
    }
    // `errors` in any shape is a GraphQL error that quotes it.
    for errors in [
        json!("boom"),
        json!([{"message": "Field 'nodez' doesn't exist on type 'QueryRoot'"}]),
        json!([{"extensions": {"code": 7}}]),
        json!({"code": "THROTTLED"}),
    ] {
        let got = ask(&c, &Answer::json(json!({"errors": errors})), PATIENCE);
        match got {
            Some(Err(ClientError::Graphql(text))) => {
                assert!(text.contains(&errors.to_string()[..5]), "{text}")
            }
            other => panic!("{errors}: {other:?}"),
        }
    }
    // MAX_COST_EXCEEDED without the numbers still says what happened.
    let got = ask(
        &c,
        &Answer::json(json!({"errors": [{"extensions": {"code": "MAX_COST_EXCEEDED"}}]})),
        PATIENCE,
    );
    assert!(
        matches!(got, Some(Err(ClientError::MaxCost { .. }))),
        "{got:?}"
    );
    // A token Shopify refuses is permanent, with the reason.
    let got = ask(&c, &Answer::raw(401, b"[API] Invalid API key"), PATIENCE);
    match got {
        Some(Err(ClientError::Permanent(text))) => {
            assert!(
                text.contains("HTTP 401") && text.contains("Invalid API key"),
                "{text}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn absurd_cost_reports_and_retry_after_never_panic() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    // A bucket that would take longer than any Duration to refill: the next request must
    // still go out (after a bounded wait), not panic converting the wait.
    let absurd = json!({"data": {"ok": true}, "extensions": {"cost": {
        "requestedQueryCost": 1e300, "actualQueryCost": 1e300,
        "throttleStatus": {"maximumAvailable": 1e300, "currentlyAvailable": -1e300,
                           "restoreRate": 1e-300}}}});
    let c = client();
    for _ in 0..2 {
        let got = ask(
            &c,
            &Answer::json(absurd.clone()),
            Duration::from_millis(300),
        );
        if let Some(r) = got {
            assert_eq!(r.unwrap()["ok"], true);
        }
    }
    // Retry-After far beyond any Duration.
    for retry_after in ["1e300", "18446744073709551616", "-5", "NaN", "inf", "soon"] {
        let c = client();
        let answer = Answer {
            status: 429,
            retry_after: Some(retry_after.into()),
            body: b"Exceeded 2 calls per second".to_vec(),
        };
        assert!(ask(&c, &answer, Duration::from_millis(300)).is_none());
        assert_eq!(last_error(&c), "HTTP 429 Too Many Requests");
    }
}

/// Answers from anywhere in the space: any status the client distinguishes, any
/// `Retry-After`, and bodies that are JSON of the right shape with wrong contents, JSON of
/// any shape, or bytes.
fn any_answer() -> impl Strategy<Value = Answer> {
    let number = prop_oneof![
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()),
        Just(0.0),
        Just(-1.0),
        Just(1e-300),
        Just(1e300),
    ];
    let status = prop::sample::select(vec![
        200u16, 200, 200, 400, 401, 402, 403, 404, 423, 429, 500, 503,
    ]);
    let retry_after = proptest::option::of(prop_oneof![
        "[0-9]{1,25}(\\.[0-9]{1,3})?",
        "[-+]?[0-9.eE]{1,12}",
        Just("inf".to_string()),
    ]);
    let code = prop::sample::select(vec![
        "THROTTLED",
        "MAX_COST_EXCEEDED",
        "INTERNAL_SERVER_ERROR",
        "ACCESS_DENIED",
    ]);
    let json_leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number.clone().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    let json = json_leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    let shaped = (
        proptest::option::of(json.clone()),
        proptest::option::of((code, proptest::option::of(number.clone()))),
        proptest::option::of((
            number.clone(),
            proptest::option::of(number.clone()),
            number.clone(),
            number.clone(),
            number,
        )),
    )
        .prop_map(|(data, error, cost)| {
            let mut v = json!({});
            if let Some(data) = data {
                v["data"] = data;
            }
            if let Some((code, n)) = error {
                v["errors"] = json!([{"message": "x", "extensions":
                    {"code": code, "cost": n, "maxCost": n}}]);
            }
            if let Some((requested, actual, max, current, rate)) = cost {
                v["extensions"] = json!({"cost": {"requestedQueryCost": requested,
                    "actualQueryCost": actual, "throttleStatus": {"maximumAvailable": max,
                    "currentlyAvailable": current, "restoreRate": rate}}});
            }
            serde_json::to_vec(&v).unwrap()
        });
    let body = prop_oneof![
        6 => shaped,
        2 => json.prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
    ];
    (status, retry_after, body).prop_map(|(status, retry_after, body)| Answer {
        status,
        retry_after,
        body,
    })
}

proptest! {
    // Each case is one or two local HTTP round trips; transient answers are cut off after
    // their first retry wait starts, which is after the answer was handled.
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None,
                                        ..ProptestConfig::default() })]

    #[test]
    fn any_answer_is_handled_without_panicking(first in any_answer(), second in any_answer()) {
        let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
        let c = client();
        let patience = Duration::from_millis(150);
        match ask(&c, &first, patience) {
            Some(Err(ClientError::Permanent(m) | ClientError::Graphql(m))) => {
                prop_assert!(!m.is_empty())
            }
            Some(Err(ClientError::MaxCost { .. })) | Some(Ok(_)) => {}
            None => {}
        }
        // The second request waits on whatever bucket the first answer reported.
        let _ = ask(&c, &second, patience);
    }
}
