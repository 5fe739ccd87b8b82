//! The operator commands, black box: `xeno dead-letters list|replay` and `xeno health` run as
//! a child process against a real engine's API (PostgreSQL and NATS real, own database and
//! stream), with the token from the environment.

mod common;

use std::process::Output;

use common::*;
use serde_json::Value;

/// Runs `xeno ARGS` against the engine at `addr` with `token` in `XENO_API_TOKEN`.
async fn xeno(addr: std::net::SocketAddr, token: &str, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_xeno"));
    cmd.args(args)
        .env("XENO_URL", format!("http://{addr}"))
        .env("XENO_API_TOKEN", token)
        .env("XENO_LOG", "error");
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dead_letters_are_listed_and_replayed_and_health_is_shown() {
    let h = Harness::new().await;
    let engine = h.engine("").await;
    let addr = engine.addr();
    // A dead letter on the stream's own subject (so its replay can be published), whose
    // payload is a valid customer: replayed, the writers apply it.
    let subject = format!("{}.webhook.{}", h.stream, SHOP.replace('.', "_"));
    let body =
        r#"{"id": 77, "email": "replayed@example.com", "updated_at": "2025-01-01T00:00:00Z"}"#;
    h.db.pool
        .get()
        .await
        .unwrap()
        .execute(
            "INSERT INTO dead_letters (shop_domain, msg_id, subject, topic, headers, payload, reason, deliveries)
             VALUES ($1, 'wh-77', $2, 'customers/update',
                     jsonb_build_object('X-Shopify-Topic', 'customers/update',
                                        'X-Shopify-Shop-Domain', $1::text,
                                        'X-Shopify-Webhook-Id', 'wh-77',
                                        'Xeno-Source', 'webhook', 'Xeno-Format', 'rest'),
                     convert_to($3, 'UTF8'), 'database was down', 5)",
            &[&SHOP, &subject, &body],
        )
        .await
        .unwrap();

    let list = xeno(addr, API_TOKEN, &["dead-letters", "list"]).await;
    assert!(list.status.success(), "{list:?}");
    let text = stdout(&list);
    assert!(text.starts_with("ID"), "{text}");
    assert!(
        text.contains("customers/update") && text.contains("database was down"),
        "{text}"
    );
    assert!(text.contains("1 open"), "{text}");

    let json = xeno(addr, API_TOKEN, &["dead-letters", "list", "--json"]).await;
    let listed: Value = serde_json::from_slice(&json.stdout).unwrap();
    let id = listed["dead_letters"][0]["id"].as_i64().unwrap();

    let replay = xeno(
        addr,
        API_TOKEN,
        &["dead-letters", "replay", "--id", &id.to_string()],
    )
    .await;
    assert!(replay.status.success(), "{replay:?}");
    assert!(stdout(&replay).contains("replayed 1 dead letter(s)"));
    h.wait_count(
        "SELECT count(*) FROM customers WHERE id = 77 AND email = 'replayed@example.com'",
        1,
        20,
    )
    .await;
    let after = xeno(addr, API_TOKEN, &["dead-letters", "list"]).await;
    assert!(stdout(&after).contains("0 open"), "{}", stdout(&after));

    let health = xeno(addr, API_TOKEN, &["health"]).await;
    let text = stdout(&health);
    assert!(text.contains("postgres    up"), "{text}");
    assert!(text.contains("jetstream   up"), "{text}");
    assert!(text.contains(SHOP), "{text}");

    // A wrong token: the API's own words, exit 1; no token: what to set.
    let denied = xeno(addr, "not-a-token-of-this-engine", &["health"]).await;
    assert_eq!(denied.status.code(), Some(1));
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(err.contains("HTTP 401"), "{err}");
    let missing = xeno(addr, "", &["dead-letters", "list"]).await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("set XENO_API_TOKEN"),
        "{missing:?}"
    );
    engine.shutdown().await;
}
