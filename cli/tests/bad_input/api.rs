//! The API under odd tokens, parameters and sync requests: always 4xx, never 5xx.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn odd_tokens_and_parameters_are_4xx_never_5xx() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let base = format!("http://{}", engine.addr());
    assert_odd_authorizations_are_401(&h, &base).await;
    assert_bad_parameters_are_400(&h, &base).await;
    assert_bad_sync_bodies_are_4xx(&h, &base).await;
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

/// Malformed, partial, padded and oversized bearer tokens, and bytes that are not text.
async fn assert_odd_authorizations_are_401(h: &Harness, base: &str) {
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
}

/// Parameters out of range or not text are 400 naming the parameter; long or strange but
/// harmless query strings are not errors of the server.
async fn assert_bad_parameters_are_400(h: &Harness, base: &str) {
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
}

/// `POST /api/sync` bodies that are not JSON, of the wrong shape or for an unknown shop.
async fn assert_bad_sync_bodies_are_4xx(h: &Harness, base: &str) {
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
}
