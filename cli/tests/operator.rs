//! The operator commands, black box: `xeno dead-letters list|replay`, `xeno health` and `xeno
//! sync` without a config (trigger and watch through the API) run as a child process against a
//! real engine's API (PostgreSQL and NATS real, own database and stream; the simulator as
//! Shopify), with the token from the environment.

mod common;

use std::process::Output;

use common::sim_store::*;
use common::*;
use serde_json::Value;
use xeno_sim::Sim;

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
    h.insert_customer_dead_letter(77, "replayed@example.com")
        .await;

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
    assert!(text.contains("roles       edge,writer,sync,api"), "{text}");
    assert!(
        text.matches("edge,writer,sync,api").count() >= 2,
        "the process table lists this process: {text}"
    );
    assert!(text.contains("HOST") && text.contains("ROLES"), "{text}");

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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sync_is_triggered_and_watched_through_the_api() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(40, 10, 150)).await.unwrap();
    let config = config_for(
        &h,
        &sim,
        "127.0.0.1:0",
        None,
        "[sync]\nlease_ttl = \"3s\"\nreconcile_every = \"1h\"\n",
    );
    let engine = start_engine(&h, config).await;
    let addr = engine.addr();
    wait_run_completed(&h, "full", 120).await;

    // Watched to its end: the summary on stdout, exit 0.
    let watched = xeno(addr, API_TOKEN, &["sync", "--shop", SHOP]).await;
    assert!(watched.status.success(), "{watched:?}");
    let text = stdout(&watched);
    assert!(
        text.starts_with(&format!("sync of {SHOP} (incremental) completed")),
        "{text}"
    );
    assert!(text.contains("requests"), "{text}");

    // Detached: the id, which the API then serves; --json prints the API's run as answered.
    let detached = xeno(
        addr,
        API_TOKEN,
        &["sync", "--shop", SHOP, "--detach", "--json"],
    )
    .await;
    assert!(detached.status.success(), "{detached:?}");
    let queued: Value = serde_json::from_slice(&detached.stdout).unwrap();
    let id = queued["sync_id"].as_str().unwrap().to_string();
    let mut run = Value::Null;
    for _ in 0..240 {
        run = h.api_get(addr, &format!("/api/sync/{id}")).await;
        if run["state"] == "completed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(run["state"], "completed", "{run}");
    assert_eq!(run["shop"], SHOP);
    assert_eq!(run["mode"], "incremental");

    // What is wrong is said: an unknown shop, a run id that is not one.
    let unknown = xeno(addr, API_TOKEN, &["sync", "--shop", "nope.myshopify.com"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("HTTP 404"), "{err}");
    let http = reqwest::Client::new();
    let bad = http
        .get(format!("http://{addr}/api/sync/not-a-uuid"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["parameter"], "id", "{body}");
    let missing = http
        .get(format!(
            "http://{addr}/api/sync/00000000-0000-4000-8000-000000000000"
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    engine.shutdown().await;
    sim.shutdown().await;
}
