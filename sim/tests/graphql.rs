//! The Admin GraphQL API on `127.0.0.1:0`: the schema served, token and syntax errors, the
//! cost model's errors, faults, and paging (forward, backward, reverse) against the export.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};
use xeno_sim::{Sim, SimHandle};

mod common;
use common::*;

#[tokio::test]
async fn bad_token_is_401_and_bad_query_has_locations() {
    let sim = Sim::start(config()).await.unwrap();
    let (status, body) = gql(&sim, "2025-07", "wrong", "{ shop { name } }", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        json!({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
    );
    let (status, body) = gql(&sim, "2025-07", TOKEN, "{ shop { name ", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["errors"][0]["locations"][0]["line"].is_number(),
        "{body}"
    );
    let (_, body) = gql(&sim, "unstable", TOKEN, "{ shop { nope } }", json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nope"),
        "{body}"
    );
    assert!(body["extensions"]["cost"]["requestedQueryCost"].is_number());
    let (_, body) = gql(&sim, "2026-01", TOKEN, "{ shop { name currencyCode myshopifyDomain plan { displayName } } currentAppInstallation { accessScopes { handle } } }", json!({})).await;
    assert_eq!(body["data"]["shop"]["currencyCode"], "USD");
    assert_eq!(
        body["data"]["shop"]["myshopifyDomain"],
        "xeno-sim.myshopify.com"
    );
    assert_eq!(
        body["extensions"]["cost"]["throttleStatus"]["maximumAvailable"],
        2000.0
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn max_cost_and_throttled() {
    let sim = Sim::start(config()).await.unwrap();
    let q = "{ orders(first: 250) { nodes { id lineItems(first: 10) { nodes { sku } } } } }";
    let (_, body) = gql(&sim, "2025-07", TOKEN, q, json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["cost"], 2 + 250 * 13);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Query cost is 3252, which exceeds the single query max cost limit (1000)."));
    // Drain the bucket, then a query is throttled with a null actual cost.
    {
        let mut bucket = sim.shared().graphql_bucket.lock().unwrap();
        let now = tokio::time::Instant::now();
        let available = bucket.level(now).currently_available;
        bucket.try_take(now, available).unwrap();
    }
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers(first: 50) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "THROTTLED",
        "{body}"
    );
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_null());
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 52);
    sim.shutdown().await;
}

/// Reads a connection to the end, `first` at a time, sorted by UPDATED_AT.
async fn read_all(sim: &SimHandle, field: &str, selection: &str) -> Vec<Value> {
    let mut after: Option<String> = None;
    let mut out = Vec::new();
    loop {
        let q = format!(
            "query($after: String) {{ {field}(first: 40, after: $after, sortKey: UPDATED_AT) {{ edges {{ cursor node {{ {selection} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        let (_, body) = gql(sim, "2025-07", TOKEN, &q, json!({"after": after})).await;
        if body["errors"][0]["extensions"]["code"] == "THROTTLED" {
            // Wait as a polite client does: until the bucket holds the requested cost.
            let cost = &body["extensions"]["cost"];
            let short = cost["requestedQueryCost"].as_f64().unwrap()
                - cost["throttleStatus"]["currentlyAvailable"]
                    .as_f64()
                    .unwrap();
            tokio::time::sleep(Duration::from_secs_f64(
                short / cost["throttleStatus"]["restoreRate"].as_f64().unwrap() + 0.05,
            ))
            .await;
            continue;
        }
        let conn = &body["data"][field];
        assert!(conn.is_object(), "{body}");
        let cost = &body["extensions"]["cost"];
        assert!(
            cost["actualQueryCost"].as_u64().unwrap()
                <= cost["requestedQueryCost"].as_u64().unwrap()
        );
        out.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return out;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
}

#[tokio::test]
async fn paged_graphql_read_equals_export() {
    let sim = Sim::start(config()).await.unwrap();
    assert!(sim.trigger(200) > 150);
    let exported = export(&sim).await;
    let summary = sim.summary();
    assert!(
        summary.deleted.customers + summary.deleted.orders + summary.deleted.products > 0,
        "{summary:?}"
    );
    orders_read_equal_export(&sim, &exported, &summary).await;
    customers_and_products_read_equal_export(&sim, &exported).await;
    incremental_read_sees_only_later_changes(&sim, &exported).await;
    deleted_object_is_gone(&sim, &exported).await;
    sim.shutdown().await;
}

/// Live objects of type `t` in the export, by global id.
fn live(exported: &[Value], t: &str) -> BTreeMap<String, Value> {
    exported
        .iter()
        .filter(|l| l["type"] == t && l["deleted"] == false)
        .map(|l| {
            (
                l["data"]["admin_graphql_api_id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                l["data"].clone(),
            )
        })
        .collect()
}

/// Orders read page by page, sorted by `UPDATED_AT`, match the export; their totals the summary.
async fn orders_read_equal_export(
    sim: &SimHandle,
    exported: &[Value],
    summary: &xeno_sim::Summary,
) {
    let orders = read_all(sim, "orders", "id legacyResourceId updatedAt totalPriceSet { shopMoney { amount currencyCode } } totalRefundedSet { shopMoney { amount } } displayFinancialStatus lineItems(first: 5) { nodes { sku quantity } } customer { id }").await;
    let want = live(exported, "order");
    assert_eq!(orders.len(), want.len());
    assert_eq!(orders.len(), summary.orders);
    let mut total = rust_decimal::Decimal::ZERO;
    let mut last = 0;
    for o in &orders {
        let rest = &want[o["id"].as_str().unwrap()];
        assert_eq!(
            o["legacyResourceId"].as_str().unwrap(),
            rest["id"].to_string()
        );
        assert_eq!(
            ts(o["updatedAt"].as_str().unwrap()),
            ts(rest["updated_at"].as_str().unwrap())
        );
        assert!(
            ts(o["updatedAt"].as_str().unwrap()) >= last,
            "sorted by UPDATED_AT"
        );
        last = ts(o["updatedAt"].as_str().unwrap());
        assert_eq!(
            o["totalPriceSet"]["shopMoney"]["amount"],
            rest["total_price"]
        );
        assert_eq!(
            o["displayFinancialStatus"].as_str().unwrap().to_lowercase(),
            rest["financial_status"].as_str().unwrap()
        );
        assert_eq!(
            o["lineItems"]["nodes"].as_array().unwrap().len(),
            rest["line_items"].as_array().unwrap().len().min(5)
        );
        total += o["totalPriceSet"]["shopMoney"]["amount"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap();
    }
    assert_eq!(summary.order_totals["USD"], total.to_string());
}

async fn customers_and_products_read_equal_export(sim: &SimHandle, exported: &[Value]) {
    for (field, t) in [("customers", "customer"), ("products", "product")] {
        let got = read_all(sim, field, "id updatedAt").await;
        let want = live(exported, t);
        let got: BTreeMap<String, i64> = got
            .iter()
            .map(|n| {
                (
                    n["id"].as_str().unwrap().to_string(),
                    ts(n["updatedAt"].as_str().unwrap()),
                )
            })
            .collect();
        let want: BTreeMap<String, i64> = want
            .iter()
            .map(|(k, v)| (k.clone(), ts(v["updated_at"].as_str().unwrap())))
            .collect();
        assert_eq!(got, want, "{field}");
    }
}

async fn incremental_read_sees_only_later_changes(sim: &SimHandle, exported: &[Value]) {
    // Incremental read: only what changed after a point.
    let cut = exported
        .iter()
        .filter(|l| l["type"] == "order" && l["deleted"] == false)
        .map(|l| ts(l["data"]["updated_at"].as_str().unwrap()))
        .max()
        .unwrap()
        - 1;
    let cut_s = chrono::DateTime::from_timestamp(cut, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let q = format!(
        "{{ orders(first: 250, query: \"updated_at:>'{cut_s}'\") {{ nodes {{ updatedAt }} }} }}"
    );
    // The paged reads above may have emptied the bucket: wait out THROTTLED like a client.
    let mut body = json!(null);
    for _ in 0..30 {
        body = gql(sim, "2025-07", TOKEN, &q, json!({})).await.1;
        if body["errors"][0]["extensions"]["code"] != "THROTTLED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let nodes = body["data"]["orders"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("incremental read failed: {body}"));
    assert!(
        !nodes.is_empty()
            && nodes
                .iter()
                .all(|n| ts(n["updatedAt"].as_str().unwrap()) > cut)
    );
}

async fn deleted_object_is_gone(sim: &SimHandle, exported: &[Value]) {
    // A deleted object is gone from queries.
    let gone = exported.iter().find(|l| l["deleted"] == true).unwrap();
    let gid = format!(
        "gid://shopify/{}/{}",
        match gone["type"].as_str().unwrap() {
            "order" => "Order",
            "customer" => "Customer",
            _ => "Product",
        },
        gone["data"]["id"]
    );
    let (_, body) = gql(
        sim,
        "2025-07",
        TOKEN,
        "query($id: ID!) { node(id: $id) { id } }",
        json!({"id": gid}),
    )
    .await;
    assert!(body["data"]["node"].is_null(), "{body}");
}

#[tokio::test]
async fn api_faults_answer_429_and_5xx() {
    let mut cfg = config();
    cfg.api_faults.rate_429 = 1.0;
    let sim = Sim::start(cfg).await.unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/admin/api/2025-07/graphql.json", sim.base_url()))
        .header("X-Shopify-Access-Token", TOKEN)
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().contains_key("Retry-After"));
    sim.shutdown().await;
    let mut cfg = config();
    cfg.api_faults.rate_5xx = 1.0;
    let sim = Sim::start(cfg).await.unwrap();
    let (status, _) = gql(&sim, "2025-07", TOKEN, "{ shop { name } }", json!({})).await;
    assert!(status.is_server_error());
    sim.shutdown().await;
}

#[tokio::test]
async fn backward_paging_and_reverse_agree_with_forward() {
    let sim = Sim::start(config()).await.unwrap();
    let ids = |v: &Value| -> Vec<String> {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers(first: 250, sortKey: CREATED_AT) { nodes { id } } }",
        json!({}),
    )
    .await;
    let forward = ids(&all["data"]["customers"]);
    assert_eq!(forward.len(), 40);
    let (_, rev) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers(first: 250, sortKey: CREATED_AT, reverse: true) { nodes { id } } }",
        json!({}),
    )
    .await;
    let mut reversed = ids(&rev["data"]["customers"]);
    reversed.reverse();
    assert_eq!(reversed, forward);
    // Walk backwards with last/before.
    let mut before: Option<String> = None;
    let mut back = Vec::new();
    loop {
        let (_, body) = gql(&sim, "2025-07", TOKEN, "query($b: String) { customers(last: 15, before: $b, sortKey: CREATED_AT) { nodes { id } pageInfo { hasPreviousPage startCursor } } }", json!({"b": before})).await;
        let conn = &body["data"]["customers"];
        let mut page = ids(conn);
        page.extend(back);
        back = page;
        if !conn["pageInfo"]["hasPreviousPage"].as_bool().unwrap() {
            break;
        }
        before = conn["pageInfo"]["startCursor"].as_str().map(str::to_string);
    }
    assert_eq!(back, forward);
    let (_, body) = gql(
        &sim,
        "2025-07",
        TOKEN,
        "{ customers { nodes { id } } }",
        json!({}),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("first or last"),
        "{body}"
    );
    sim.shutdown().await;
}

/// Versions as Shopify serves them: a supported one as itself, a retired one as the oldest
/// supported, an unknown one 404; every answer names the version served and a request id.
#[tokio::test]
async fn versions_are_served_as_shopify_serves_them() {
    let sim = Sim::start(config()).await.unwrap();
    let post = |version: &str| {
        reqwest::Client::new()
            .post(format!(
                "{}/admin/api/{version}/graphql.json",
                sim.base_url()
            ))
            .header("X-Shopify-Access-Token", TOKEN)
            .json(&json!({"query": "{ shop { name } }"}))
            .send()
    };
    for (asked, served) in [
        ("2026-07", "2026-07"),
        ("unstable", "unstable"),
        ("2025-07", xeno_shopify::versions::OLDEST_SUPPORTED),
    ] {
        let resp = post(asked).await.unwrap();
        assert_eq!(resp.status(), 200, "{asked}");
        assert_eq!(resp.headers()["X-Shopify-API-Version"], served, "{asked}");
        assert!(!resp.headers()["X-Request-Id"].is_empty());
    }
    for unknown in ["2099-01", "latest", "2026-02"] {
        assert_eq!(post(unknown).await.unwrap().status(), 404, "{unknown}");
    }
    sim.shutdown().await;
}

/// What the engine's documents need, with Shopify's names: `defaultEmailAddress`,
/// `defaultPhoneNumber`, `bulkOperations`, `WebhookSubscription.uri`, `groupObjects`.
#[tokio::test]
async fn serves_the_fields_the_engine_asks_for() {
    let sim = Sim::start(config()).await.unwrap();
    let q = "{ customers(first: 50) { nodes { email defaultEmailAddress { emailAddress } \
        phone defaultPhoneNumber { phoneNumber } } } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, q, json!({})).await;
    let nodes = body["data"]["customers"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!nodes.is_empty(), "{body}");
    for n in &nodes {
        assert_eq!(n["email"], n["defaultEmailAddress"]["emailAddress"], "{n}");
        if n["phone"].is_null() {
            assert!(n["defaultPhoneNumber"].is_null(), "{n}");
        } else {
            assert_eq!(n["phone"], n["defaultPhoneNumber"]["phoneNumber"], "{n}");
        }
    }
    let run =
        "mutation { bulkOperationRunQuery(query: \"{ products { edges { node { id } } } }\", \
        groupObjects: true) { bulkOperation { id } userErrors { message } } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, run, json!({})).await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"].clone();
    assert!(id.is_string(), "{body}");
    let list =
        "{ bulkOperations(first: 1, query: \"operation_type:query\") { nodes { id status } } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, list, json!({})).await;
    assert_eq!(
        body["data"]["bulkOperations"]["nodes"][0]["id"], id,
        "{body}"
    );
    sim.shutdown().await;
}
