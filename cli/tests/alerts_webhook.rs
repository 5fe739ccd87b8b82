//! `[[alerts]]`, black box: an engine (real PostgreSQL and NATS, own database and stream) with
//! an alert target pointing at a receiver this test runs. A dead letter opens an incident: the
//! receiver gets one signed, Slack-compatible FIRING message (after a first delivery it
//! refused, which is retried), nothing more while it lasts, and one RESOLVED message with the
//! same incident id once the dead letter is replayed; no message holds a secret. Also: the
//! engine's rules (`engine/src/alerts/rules.rs`) are the alerts of `ops/prometheus/alerts.yml`,
//! with the same `for:`.

mod common;

use std::time::{Duration, Instant};

use common::receiver::Receiver;
use common::*;
use serde_json::Value;
use xeno_engine::alerts::message::signature;
use xeno_engine::alerts::rules::RULES;
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;

const ALERT_SECRET: &str = "alert-signing-secret-1234";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_letter_is_announced_once_signed_then_its_recovery() {
    let h = Harness::new().await;
    let receiver = Receiver::start(1).await;
    let url = receiver.url.clone();
    let extra = r#"
[alerting]
every = "1s"
[alerting.hold]
XenoDeadLettersOpen = "2s"
[[alerts]]
name = "ops-chat"
url_env = "ALERT_URL"
secret_env = "ALERT_SECRET"
only = ["XenoDeadLettersOpen", "XenoPostgresDown"]
"#;
    let text = h.config_text(&xeno_engine::testkit::nats_url(), "127.0.0.1:0", extra);
    let env = move |k: &str| match k {
        "ALERT_URL" => Some(url.clone()),
        "ALERT_SECRET" => Some(ALERT_SECRET.to_string()),
        other => Harness::env(other),
    };
    let config = Config::from_toml(&text, "test", &env).expect("config");
    let engine = Engine::start(config).await.expect("engine starts");
    let addr = engine.addr();
    h.wait_ready(addr).await;

    // Healthy (the shop's sync fails against a closed port, but this target does not want
    // that alert): nothing is sent.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(receiver.taken().is_empty(), "{:?}", receiver.taken());

    // The cause: a dead letter whose payload is a valid customer (a write that failed while
    // PostgreSQL was away, say).
    h.insert_customer_dead_letter(91, "late@example.com").await;
    let opened = Instant::now();
    let firing = receiver.wait_taken(1, 60).await.remove(0);
    let after = opened.elapsed();
    assert!(
        after >= Duration::from_secs(2),
        "fired after {after:?}, before its hold of 2s"
    );
    assert_eq!(receiver.refused(), 1, "the first attempt was refused");

    // Signed over its timestamp and body.
    let ts: i64 = firing.header("x-xeno-timestamp").unwrap().parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - ts).abs() < 120);
    assert_eq!(
        firing.header("x-xeno-signature").unwrap(),
        signature(ALERT_SECRET.as_bytes(), ts, &firing.body)
    );
    let message = firing.json();
    let text = message["text"].as_str().unwrap();
    assert!(
        text.starts_with(":rotating_light: FIRING XenoDeadLettersOpen (warning): 1 dead letters wait for an operator"),
        "{text}"
    );
    assert_eq!(message["xeno"]["status"], "firing");
    assert_eq!(message["xeno"]["value"], 1.0);
    assert_eq!(
        message["xeno"]["runbook"],
        "docs/operations.md#xenodeadlettersopen"
    );

    // Shown where operators look: /api/health (the dashboard, `xeno health`).
    let health = h.api_get(addr, "/api/health").await;
    let active: Vec<&Value> = health["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["alert"] == "XenoDeadLettersOpen")
        .collect();
    assert_eq!(active.len(), 1, "{health}");
    assert_eq!(active[0]["state"], "firing");
    assert_eq!(active[0]["severity"], "warning");

    // Once per incident: more evaluations while it holds send nothing.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(receiver.taken().len(), 1, "{:?}", receiver.taken());

    // The operator replays it: the incident ends, announced once, with the same id.
    let replayed = h
        .http
        .post(format!("http://{addr}/api/dead-letters/replay"))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(replayed.status().is_success());
    let taken = receiver.wait_taken(2, 60).await;
    let resolved = taken[1].json();
    assert_eq!(resolved["xeno"]["status"], "resolved");
    assert_eq!(resolved["xeno"]["incident"], message["xeno"]["incident"]);
    assert!(
        resolved["text"]
            .as_str()
            .unwrap()
            .starts_with(":white_check_mark: RESOLVED XenoDeadLettersOpen after "),
        "{resolved}"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let taken = receiver.taken();
    assert_eq!(taken.len(), 2, "nothing after the recovery");
    let health = h.api_get(addr, "/api/health").await;
    assert!(
        !health["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["alert"] == "XenoDeadLettersOpen"),
        "{health}"
    );

    // No secret in any message: not the URL, the signing key, the API token or the
    // shop's webhook secret.
    for t in &taken {
        let text = String::from_utf8_lossy(&t.body);
        for secret in [
            receiver.url.as_str(),
            ALERT_SECRET,
            API_TOKEN,
            SECRET,
            "/hooks/ops",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    engine.shutdown().await;
}

/// The alerts of `ops/prometheus/alerts.yml` with their `for:` (0 when absent).
fn prometheus_rules() -> Vec<(String, Duration)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/prometheus/alerts.yml");
    let text = std::fs::read_to_string(path).expect("ops/prometheus/alerts.yml");
    let mut out: Vec<(String, Duration)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("- alert:") {
            out.push((name.trim().to_string(), Duration::ZERO));
        } else if let Some(d) = line.strip_prefix("for:") {
            let last = out.last_mut().expect("for: after an alert");
            last.1 = humantime_like(d.trim());
        }
    }
    out
}

/// Prometheus's durations as the rules write them (`90s`, `5m`, `1h`).
fn humantime_like(d: &str) -> Duration {
    let (n, unit) = d.split_at(d.len() - 1);
    let n: u64 = n.parse().unwrap_or_else(|_| panic!("duration {d}"));
    Duration::from_secs(match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => panic!("duration {d}"),
    })
}

#[test]
fn the_engine_raises_the_alerts_prometheus_does() {
    let prometheus: Vec<(String, Duration)> = prometheus_rules()
        .into_iter()
        .filter(|(name, _)| name != "XenoEngineDown")
        .collect();
    let engine: Vec<(String, Duration)> =
        RULES.iter().map(|r| (r.name.to_string(), r.hold)).collect();
    assert_eq!(engine, prometheus);
}
