//! `xeno doctor` against the simulator: each finding it exists for (a scope missing, a retired
//! API version, a webhook subscription gone, a rejected token) with its fix, all-ok for a
//! healthy setup, and the exit status (1 on an error, 0 on warnings only, 2 for a config that
//! does not load).

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use serde_json::{json, Value};
use xeno_api_types::doctor::{DoctorReport, FindingStatus};
use xeno_engine::config::Config;
use xeno_engine::metrics::{Metrics, ShopLabels};
use xeno_engine::sync::subscriptions;
use xeno_shopify::Resource;
use xeno_sim::{Sim, SimConfig, SimHandle};

mod common;
use common::process::ScratchDir;

const TOKEN: &str = "shpat_doctor";
const SHOP: &str = "xeno-sim.myshopify.com";
/// Where the engine would receive webhooks; the subscriptions must point here.
const PUBLIC_URL: &str = "https://xeno.example.com/";

async fn start_sim(scopes: &[&str]) -> SimHandle {
    Sim::start(SimConfig {
        access_token: TOKEN.into(),
        customers: 5,
        products: 5,
        orders: 5,
        rate: 0.0,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

const ALL_SCOPES: [&str; 6] = [
    "read_orders",
    "read_all_orders",
    "read_customers",
    "read_products",
    "read_locations",
    "write_webhooks",
];

async fn gql(sim: &SimHandle, query: &str, variables: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{}/admin/api/2026-07/graphql.json", sim.base_url()))
        .header("X-Shopify-Access-Token", TOKEN)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Subscribes every topic the engine needs to `{PUBLIC_URL}api/webhooks`, as a running
/// engine would; returns the subscriptions' ids by topic.
async fn subscribe_all(sim: &SimHandle) -> Vec<(String, String)> {
    let mut ids = Vec::new();
    for topic in subscriptions::topics(&Resource::ALL) {
        let q = format!("mutation {{ webhookSubscriptionCreate(topic: {topic}, webhookSubscription: {{uri: \"{PUBLIC_URL}api/webhooks\", format: JSON}}) {{ webhookSubscription {{ id }} userErrors {{ message }} }} }}");
        let body = gql(sim, &q, json!({})).await;
        let id = body["data"]["webhookSubscriptionCreate"]["webhookSubscription"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"))
            .to_string();
        ids.push((topic.to_string(), id));
    }
    ids
}

fn config(dir: &ScratchDir, sim: &SimHandle, api_version: &str) -> std::path::PathBuf {
    config_with(dir, sim, api_version, "")
}

/// [`config`] with `shop_extra` TOML lines added to the shop's entry.
fn config_with(
    dir: &ScratchDir,
    sim: &SimHandle,
    api_version: &str,
    shop_extra: &str,
) -> std::path::PathBuf {
    dir.write(
        "xeno.toml",
        &format!(
            r#"
[server]
listen = "127.0.0.1:0"
public_url = "{PUBLIC_URL}"
[postgres]
url = "postgres://postgres@127.0.0.1:5432/unused"
[nats]
url = "nats://127.0.0.1:4222"
[[shops]]
domain = "{SHOP}"
webhook_secret_env = "DOCTOR_SECRET"
access_token_env = "DOCTOR_TOKEN"
admin_url = "{}"
api_version = "{api_version}"
{shop_extra}
"#,
            sim.base_url()
        ),
    )
}

/// Runs `xeno doctor` (off the runtime's threads: the simulator answers meanwhile).
async fn doctor(config: &Path, token: &str, json: bool) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_xeno"));
    cmd.args(["doctor", "--config"])
        .arg(config)
        .env("DOCTOR_SECRET", "doctor-secret")
        .env("DOCTOR_TOKEN", token)
        .env("XENO_LOG", "error");
    if json {
        cmd.arg("--json");
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

async fn report(config: &Path) -> (Option<i32>, DoctorReport) {
    let out = doctor(config, TOKEN, true).await;
    let text = String::from_utf8_lossy(&out.stdout);
    let report: DoctorReport = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

/// The checks as the engine's doctor runs them (`doctor/monitor.rs`), in this process: the
/// `subscriptions_missing` gauge of the shop they set.
async fn subscriptions_missing(config: &Path) -> i64 {
    let text = std::fs::read_to_string(config).unwrap();
    let env = |k: &str| match k {
        "DOCTOR_SECRET" => Some("doctor-secret".to_string()),
        "DOCTOR_TOKEN" => Some(TOKEN.to_string()),
        _ => None,
    };
    let config = Config::from_toml(&text, "doctor", &env).expect("the config loads");
    let metrics = Arc::new(Metrics::new());
    xeno_engine::doctor::examine(&config, metrics.clone()).await;
    let missing = metrics
        .subscriptions_missing
        .get_or_create(&ShopLabels {
            shop: SHOP.to_string(),
        })
        .get();
    missing
}

/// The (check, status) pairs of a report, and the finding of `check` with `status`.
fn statuses(r: &DoctorReport) -> Vec<(String, FindingStatus)> {
    r.findings
        .iter()
        .map(|f| (f.check.clone(), f.status))
        .collect()
}

fn find<'r>(
    r: &'r DoctorReport,
    check: &str,
    status: FindingStatus,
) -> &'r xeno_api_types::doctor::Finding {
    r.findings
        .iter()
        .find(|f| f.check == check && f.status == status)
        .unwrap_or_else(|| panic!("no {status} finding for {check} in {r:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_setup_is_all_ok_and_the_table_says_so() {
    let sim = start_sim(&ALL_SCOPES).await;
    subscribe_all(&sim).await;
    let dir = ScratchDir::new("xeno-doctor");
    let path = config(&dir, &sim, "2026-07");
    let (code, r) = report(&path).await;
    assert_eq!(code, Some(0), "{r:#?}");
    assert_eq!(
        statuses(&r),
        [
            ("api_version".to_string(), FindingStatus::Ok),
            ("token".to_string(), FindingStatus::Ok),
            ("scopes".to_string(), FindingStatus::Ok),
            ("webhooks".to_string(), FindingStatus::Ok),
        ]
    );
    assert!(r.findings.iter().all(|f| f.shop == SHOP && f.fix.is_none()));
    let out = doctor(&path, TOKEN, false).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("SHOP"), "{table}");
    assert!(table.contains("0 error(s), 0 warning(s), 4 ok"), "{table}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_scopes_are_found_with_their_fix() {
    // Without read_all_orders: a warning, and the exit status stays 0.
    let sim = start_sim(&[
        "read_orders",
        "read_customers",
        "read_products",
        "read_locations",
        "write_webhooks",
    ])
    .await;
    subscribe_all(&sim).await;
    let dir = ScratchDir::new("xeno-doctor");
    let (code, r) = report(&config(&dir, &sim, "2026-07")).await;
    assert_eq!(code, Some(0), "{r:#?}");
    let f = find(&r, "scopes", FindingStatus::Warn);
    assert!(
        f.detail.contains("read_all_orders") && f.detail.contains("60 days"),
        "{f:?}"
    );
    assert!(f.fix.as_deref().unwrap().contains("read_all_orders"));
    assert!(
        !r.findings.iter().any(|f| f.status == FindingStatus::Error),
        "{r:#?}"
    );
    sim.shutdown().await;

    // Without read_customers, keeping what the scopes allow (the default): customers are off,
    // a warning that says so, exit 0.
    let sim = start_sim(&[
        "read_orders",
        "read_all_orders",
        "read_products",
        "read_locations",
        "write_webhooks",
    ])
    .await;
    subscribe_all(&sim).await;
    let (code, r) = report(&config(&dir, &sim, "2026-07")).await;
    assert_eq!(code, Some(0), "{r:#?}");
    let f = find(&r, "scopes", FindingStatus::Warn);
    assert!(
        f.detail
            .contains("off for lack of a scope: customers (read_customers)"),
        "{f:?}"
    );
    assert!(f.fix.as_deref().unwrap().contains("read_customers"));

    // The same token with customers listed in the config: an error, exit 1.
    let listed = config_with(
        &dir,
        &sim,
        "2026-07",
        "resources = [\"orders\", \"customers\"]",
    );
    let (code, r) = report(&listed).await;
    assert_eq!(code, Some(1), "{r:#?}");
    let f = find(&r, "scopes", FindingStatus::Error);
    assert!(
        f.detail
            .contains("shops[0].resources lists customers (read_customers)"),
        "{f:?}"
    );
    assert!(f.fix.as_deref().unwrap().contains("read_customers"));
    assert!(!r
        .findings
        .iter()
        .any(|f| f.check == "scopes" && f.status == FindingStatus::Warn));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retired_version_loads_and_is_a_finding() {
    let sim = start_sim(&ALL_SCOPES).await;
    subscribe_all(&sim).await;
    let dir = ScratchDir::new("xeno-doctor");
    let path = config(&dir, &sim, "2024-10");
    // `check-config` still refuses it...
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xeno"))
        .args(["check-config", "--config"])
        .arg(&path)
        .env("DOCTOR_SECRET", "doctor-secret")
        .env("DOCTOR_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // ...the doctor reports it, and checks the rest.
    let (code, r) = report(&path).await;
    assert_eq!(code, Some(1), "{r:#?}");
    let f = find(&r, "api_version", FindingStatus::Error);
    assert!(f.detail.contains("2024-10 is retired"), "{f:?}");
    assert!(
        f.fix
            .as_deref()
            .unwrap()
            .contains("api_version = \"2026-07\""),
        "{f:?}"
    );
    find(&r, "token", FindingStatus::Ok);
    find(&r, "webhooks", FindingStatus::Ok);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_subscription_and_a_rejected_token_are_errors() {
    let sim = start_sim(&ALL_SCOPES).await;
    let ids = subscribe_all(&sim).await;
    let dir = ScratchDir::new("xeno-doctor");
    let path = config(&dir, &sim, "2026-07");
    assert_eq!(subscriptions_missing(&path).await, 0);
    let (topic, id) = ids.iter().find(|(t, _)| t == "CUSTOMERS_UPDATE").unwrap();
    let body = gql(
        &sim,
        "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        body["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"],
        json!(id)
    );
    // The engine's doctor counts the topic no longer subscribed (`xeno_subscriptions_missing`,
    // which XenoSubscriptionMissing alerts on).
    assert_eq!(subscriptions_missing(&path).await, 1);
    let (code, r) = report(&path).await;
    assert_eq!(code, Some(1), "{r:#?}");
    let f = find(&r, "webhooks", FindingStatus::Error);
    assert!(
        f.detail.contains(&format!("no subscription for {topic}")),
        "{f:?}"
    );
    assert!(f.fix.is_some());

    let out = doctor(&path, "shpat_wrong", false).await;
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("rejected the access token (HTTP 401)"),
        "{table}"
    );
    assert!(
        table.contains("fix: set the variable shops[0].access_token_env names"),
        "{table}"
    );
    sim.shutdown().await;
}

#[test]
fn a_config_that_does_not_load_exits_2() {
    let dir = ScratchDir::new("xeno-doctor");
    let path = dir.write("bad.toml", "[server]\nlisten = \"nope\"\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xeno"))
        .args(["doctor", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("server.listen"));
}
