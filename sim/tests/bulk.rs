//! Bulk operations on `127.0.0.1:0`: the JSONL file reassembles to the store, `--fail-bulk`
//! gives partial data, polling by `node` and `currentBulkOperation`, the time an operation
//! takes (CREATED, RUNNING with a growing `objectCount`, COMPLETED), `groupObjects` and its
//! per-version default, and the signed result URLs (signature, expiry, GCS's XML errors).

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use xeno_sim::{Sim, SimHandle};

mod common;
use common::*;

async fn wait_bulk(sim: &SimHandle, id: &str) -> Value {
    for _ in 0..600 {
        let (_, body) = gql(sim, "2026-01", TOKEN, "query($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl type completedAt } }", json!({"id": id})).await;
        let op = body["data"]["bulkOperation"].clone();
        if matches!(
            op["status"].as_str(),
            Some("COMPLETED" | "FAILED" | "CANCELED")
        ) {
            return op;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("bulk operation {id} did not finish");
}

#[tokio::test]
async fn bulk_jsonl_reassembles_to_the_store() {
    let (receiver, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.webhook_url = Some(receiver);
    let sim = Sim::start(cfg).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id status } userErrors { field message code } } }";
    let q =
        "{ products { edges { node { id title variants { edges { node { id sku price } } } } } } }";
    let (_, body) = gql(&sim, "2026-01", TOKEN, run, json!({"q": q})).await;
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 10);
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let op = wait_bulk(&sim, &id).await;
    assert_eq!(op["status"], "COMPLETED");
    let text = reqwest::get(op["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(op["fileSize"], text.len().to_string());
    assert_eq!(op["objectCount"], text.lines().count().to_string());
    // Reassemble: children follow their parent.
    let mut products: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = String::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        match v.get("__parentId").and_then(Value::as_str) {
            None => {
                current = v["id"].as_str().unwrap().to_string();
                products.insert(current.clone(), vec![]);
            }
            Some(p) => {
                assert_eq!(p, current);
                products
                    .get_mut(p)
                    .unwrap()
                    .push(v["id"].as_str().unwrap().to_string());
            }
        }
    }
    let want: BTreeMap<String, Vec<String>> = export(&sim)
        .await
        .iter()
        .filter(|l| l["type"] == "product" && l["deleted"] == false)
        .map(|l| {
            let d = &l["data"];
            let vs = d["variants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["admin_graphql_api_id"].as_str().unwrap().to_string())
                .collect();
            (d["admin_graphql_api_id"].as_str().unwrap().to_string(), vs)
        })
        .collect();
    assert_eq!(products, want);
    assert_eq!(op["rootObjectCount"], want.len().to_string());
    // The finish webhook went out.
    assert!(sim.webhooks_idle(Duration::from_secs(5)).await);
    let finish = seen
        .lock()
        .unwrap()
        .iter()
        .find(|d| d.topic == "bulk_operations/finish")
        .map(|d| d.body.clone())
        .expect("finish webhook");
    assert_eq!(finish["status"], "completed");
    assert_eq!(finish["admin_graphql_api_id"], id);
    // Old versions: one at a time; invalid queries are user errors.
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        run,
        json!({"q": "{ shop { name } }"}),
    )
    .await;
    assert_eq!(
        body["data"]["bulkOperationRunQuery"]["userErrors"][0]["code"],
        "INVALID"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn fail_bulk_gives_partial_data() {
    let mut cfg = config();
    cfg.api_faults.fail_bulk = true;
    let sim = Sim::start(cfg).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code } } }";
    let (_, body) = gql(
        &sim,
        "2026-01",
        TOKEN,
        run,
        json!({"q": "{ customers { nodes { id email } } }"}),
    )
    .await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let op = wait_bulk(&sim, &id).await;
    assert_eq!(op["status"], "FAILED");
    assert_eq!(op["errorCode"], "INTERNAL_SERVER_ERROR");
    assert!(op["url"].is_null());
    let partial = reqwest::get(op["partialDataUrl"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(partial.lines().count(), 20);
    sim.shutdown().await;
}

#[tokio::test]
async fn bulk_polls_by_node_and_current() {
    let sim = Sim::start(config()).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code } } }";
    let q = "{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }";
    let (_, body) = gql(&sim, "2025-07", TOKEN, run, json!({"q": q})).await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Before 2026-01 only one runs at a time, and an operation takes at least a second.
    let (_, second) = gql(&sim, "2025-07", TOKEN, run, json!({"q": q})).await;
    let errors = &second["data"]["bulkOperationRunQuery"]["userErrors"];
    assert_eq!(errors[0]["code"], "OPERATION_IN_PROGRESS", "{second}");
    let op = wait_bulk(&sim, &id).await;
    assert_eq!(op["status"], "COMPLETED");
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "query($id: ID!) { node(id: $id) { id ... on BulkOperation { status url objectCount } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(body["data"]["node"]["status"], "COMPLETED", "{body}");
    let text = reqwest::get(body["data"]["node"]["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let orders = text.lines().filter(|l| !l.contains("__parentId")).count();
    assert_eq!(orders, sim.summary().orders);
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ currentBulkOperation(type: QUERY) { id status } }",
        json!({}),
    )
    .await;
    assert!(
        body["data"]["currentBulkOperation"]["id"].is_string(),
        "{body}"
    );
    sim.shutdown().await;
}

const RUN: &str = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { code } } }";
const ORDERS_AND_LINES: &str =
    "{ orders { edges { node { id name lineItems { edges { node { id sku } } } } } } }";

/// Starts a bulk query of orders and their line items; returns its id.
async fn start(sim: &SimHandle, version: &str, run: &str) -> String {
    let (_, body) = gql(sim, version, TOKEN, run, json!({"q": ORDERS_AND_LINES})).await;
    let op = &body["data"]["bulkOperationRunQuery"]["bulkOperation"];
    assert_eq!(op["status"], "CREATED", "{body}");
    op["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn bulk_operations_take_time_and_count_objects_as_they_run() {
    let mut cfg = config();
    // ~500 lines at 250 a second: about two seconds of RUNNING.
    cfg.bulk.objects_per_second = 250.0;
    let sim = Sim::start(cfg).await.unwrap();
    let started = std::time::Instant::now();
    let id = start(&sim, "2026-07", RUN).await;
    let mut seen: Vec<(String, u64)> = Vec::new();
    let op = loop {
        let (_, body) = gql(
            &sim,
            "2026-07",
            TOKEN,
            "query($id: ID!) { bulkOperation(id: $id) { status objectCount url fileSize } }",
            json!({"id": id}),
        )
        .await;
        let op = body["data"]["bulkOperation"].clone();
        let status = op["status"].as_str().unwrap().to_string();
        let count: u64 = op["objectCount"].as_str().unwrap().parse().unwrap();
        if seen.last().map(|(s, n)| (s.as_str(), *n)) != Some((status.as_str(), count)) {
            seen.push((status.clone(), count));
        }
        if status == "COMPLETED" {
            break op;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = started.elapsed();
    let total: u64 = op["objectCount"].as_str().unwrap().parse().unwrap();
    assert!(total > 300, "{op}");
    assert!(
        took >= Duration::from_secs_f64(total as f64 / 250.0),
        "{total} objects in {took:?}"
    );
    let order: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    assert!(
        order.iter().position(|s| *s == "RUNNING") < order.iter().position(|s| *s == "COMPLETED"),
        "{seen:?}"
    );
    let running: Vec<u64> = seen
        .iter()
        .filter(|(s, _)| s == "RUNNING")
        .map(|(_, n)| *n)
        .collect();
    assert!(
        running.iter().any(|n| *n > 0 && *n < total),
        "objectCount grows while RUNNING: {seen:?}"
    );
    assert!(running.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert!(op["fileSize"].as_str().unwrap().parse::<u64>().unwrap() > 0);
    sim.shutdown().await;
}

/// Whether every line with `__parentId` follows its parent's line or a sibling's.
fn grouped(text: &str) -> bool {
    let mut current = String::new();
    text.lines().all(|line| {
        let v: Value = serde_json::from_str(line).unwrap();
        match v.get("__parentId").and_then(Value::as_str) {
            None => {
                current = v["id"].as_str().unwrap().to_string();
                true
            }
            Some(p) => p == current,
        }
    })
}

#[tokio::test]
async fn group_objects_defaults_by_version() {
    let mut cfg = config();
    cfg.bulk.min_duration = Duration::ZERO;
    let sim = Sim::start(cfg).await.unwrap();
    let grouped_run = "mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id status } userErrors { code } } }";
    for (version, run, want_grouped) in [
        ("2025-10", RUN, true),
        ("2026-01", RUN, false),
        ("2026-07", RUN, false),
        ("2026-07", grouped_run, true),
    ] {
        let id = start(&sim, version, run).await;
        let op = wait_bulk(&sim, &id).await;
        let text = reqwest::get(op["url"].as_str().unwrap())
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(grouped(&text), want_grouped, "{version} {run}");
        // Ungrouped: every parent, then every child.
        let lines: Vec<&str> = text.lines().collect();
        let first_child = lines.iter().position(|l| l.contains("__parentId")).unwrap();
        let last_parent = lines
            .iter()
            .rposition(|l| !l.contains("__parentId"))
            .unwrap();
        assert_eq!(first_child > last_parent, !want_grouped, "{version}");
    }
    sim.shutdown().await;
}

/// The query parameters of a URL, decoded.
fn params(url: &reqwest::Url) -> BTreeMap<String, String> {
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test]
async fn result_urls_are_signed_and_expire() {
    let mut cfg = config();
    cfg.bulk.min_duration = Duration::ZERO;
    cfg.bulk.url_lifetime = Duration::from_secs(2);
    let sim = Sim::start(cfg).await.unwrap();
    let id = start(&sim, "2026-07", RUN).await;
    let op = wait_bulk(&sim, &id).await;
    let url = reqwest::Url::parse(op["url"].as_str().unwrap()).unwrap();
    let numeric = id.rsplit('/').next().unwrap();
    assert!(
        url.path()
            .starts_with("/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/")
            && url.path().ends_with("-final"),
        "{url}"
    );
    let p = params(&url);
    assert!(p["GoogleAccessId"].contains('@'), "{url}");
    assert!(p["Expires"].parse::<i64>().is_ok(), "{url}");
    assert!(!p["Signature"].is_empty());
    assert_eq!(
        p["response-content-disposition"],
        format!(
            "attachment; filename=\"bulk-{numeric}.jsonl\"; filename*=UTF-8''bulk-{numeric}.jsonl"
        )
    );
    assert_eq!(p["response-content-type"], "application/jsonl");
    assert!(op["url"]
        .as_str()
        .unwrap()
        .contains("response-content-disposition=attachment%3B+filename%3D%22bulk-"));
    // Pre-signed: no token needed; the file name comes back as Content-Disposition.
    let ok = reqwest::get(url.clone()).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "application/jsonl");
    assert!(ok.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("bulk-{numeric}.jsonl")));
    let refused = |code: &'static str, url: reqwest::Url| async move {
        let resp = reqwest::get(url.clone()).await.unwrap();
        assert_eq!(resp.status(), 403, "{url}");
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml"));
        let body = resp.text().await.unwrap();
        assert!(
            body.starts_with("<?xml") && body.contains(&format!("<Code>{code}</Code>")),
            "{body}"
        );
    };
    let with = |key: &str, value: Option<&str>| {
        let mut u = url.clone();
        let pairs: Vec<(String, String)> = params(&url)
            .into_iter()
            .filter_map(|(k, v)| match (k == key, value) {
                (true, Some(new)) => Some((k, new.to_string())),
                (true, None) => None,
                (false, _) => Some((k, v)),
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u
    };
    let later = (p["Expires"].parse::<i64>().unwrap() + 3600).to_string();
    refused("SignatureDoesNotMatch", with("Signature", Some("AAAA"))).await;
    refused("SignatureDoesNotMatch", with("Signature", None)).await;
    refused("SignatureDoesNotMatch", with("Expires", Some(&later))).await;
    let mut other = url.clone();
    other.set_path(&url.path().replace("-final", "0-final"));
    refused("SignatureDoesNotMatch", other).await;
    tokio::time::sleep(Duration::from_millis(3100)).await;
    refused("ExpiredToken", url).await;
    sim.shutdown().await;
}
