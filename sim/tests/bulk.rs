//! Bulk operations on `127.0.0.1:0`: the JSONL file reassembles to the store, `--fail-bulk`
//! gives partial data, and polling by `node` and `currentBulkOperation`.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use xeno_sim::{Sim, SimHandle};

mod common;
use common::*;

async fn wait_bulk(sim: &SimHandle, id: &str) -> Value {
    for _ in 0..200 {
        let (_, body) = gql(sim, "2026-01", TOKEN, "query($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl type completedAt } }", json!({"id": id})).await;
        let op = body["data"]["bulkOperation"].clone();
        if matches!(
            op["status"].as_str(),
            Some("COMPLETED" | "FAILED" | "CANCELED")
        ) {
            return op;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("bulk operation {id} did not finish");
}

#[tokio::test]
async fn bulk_jsonl_reassembles_to_the_store() {
    let (receiver, seen) = receiver(StatusCode::OK).await;
    let mut cfg = config();
    cfg.webhook_url = Some(receiver);
    let sim = Sim::start(cfg).await.unwrap();
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }";
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
    // Before 2026-01 only one runs at a time (it may already be done: then this one starts).
    let (_, second) = gql(&sim, "2025-07", TOKEN, run, json!({"q": q})).await;
    let errors = &second["data"]["bulkOperationRunQuery"]["userErrors"];
    assert!(
        errors.as_array().unwrap().is_empty() || errors[0]["code"] == "OPERATION_IN_PROGRESS",
        "{second}"
    );
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
