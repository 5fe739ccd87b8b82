//! Access scopes as Shopify enforces them (`sim/src/access.rs`, `sim/src/store/visibility.rs`):
//! the token's scopes as configured, `ACCESS_DENIED` for a GraphQL root field outside them
//! (the rest of the request still answers), a failed bulk operation for a bulk query reading
//! one, `403` for REST, and orders older than 60 days absent without `read_all_orders`.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{json, Value};
use xeno_sim::{Sim, SimConfig, SimHandle};

mod common;
use common::*;

fn with_scopes(scopes: &[&str]) -> SimConfig {
    SimConfig {
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        ..config()
    }
}

async fn rest(sim: &SimHandle, path: &str) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url()))
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn bulk(sim: &SimHandle, q: &str) -> Value {
    let run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }";
    let (_, body) = gql(sim, "2026-01", TOKEN, run, json!({"q": q})).await;
    let id = body["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    for _ in 0..200 {
        let (_, body) = gql(
            sim,
            "2026-01",
            TOKEN,
            "query($id: ID!) { bulkOperation(id: $id) { status errorCode url objectCount } }",
            json!({"id": id}),
        )
        .await;
        let op = body["data"]["bulkOperation"].clone();
        if matches!(op["status"].as_str(), Some("COMPLETED" | "FAILED")) {
            return op;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("bulk operation {id} did not finish");
}

#[tokio::test]
async fn a_resource_outside_the_scopes_is_denied_as_shopify_does() {
    let sim = Sim::start(with_scopes(&[
        "read_orders",
        "read_all_orders",
        "read_products",
    ]))
    .await
    .unwrap();
    let (_, body) = rest(&sim, "/admin/oauth/access_scopes.json").await;
    assert_eq!(
        body,
        json!({"access_scopes": [{"handle": "read_orders"}, {"handle": "read_all_orders"}, {"handle": "read_products"}]})
    );
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        "{ currentAppInstallation { accessScopes { handle } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["currentAppInstallation"]["accessScopes"][2]["handle"],
        "read_products"
    );

    // GraphQL: the denied root field is null with ACCESS_DENIED; the others answer.
    let q = "{ shop { name } customers(first: 2) { nodes { id } } products(first: 2) { nodes { id } } }";
    let (status, body) = gql(&sim, "2026-07", TOKEN, q, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["customers"], Value::Null, "{body}");
    assert_eq!(
        body["data"]["products"]["nodes"].as_array().unwrap().len(),
        2
    );
    assert!(body["data"]["shop"]["name"].is_string());
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(
        errors[0],
        json!({
            "message": "Access denied for customers field. Required access: `read_customers` access scope.",
            "locations": [{"line": 1, "column": 17}],
            "path": ["customers"],
            "extensions": {
                "code": "ACCESS_DENIED",
                "documentation": "https://shopify.dev/api/usage/access-scopes",
                "requiredAccess": "`read_customers` access scope.",
            },
        })
    );
    assert!(body["extensions"]["cost"]["actualQueryCost"].is_number());
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        "query($id: ID!) { customer(id: $id) { id } }",
        json!({"id": "gid://shopify/Customer/1"}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "ACCESS_DENIED",
        "{body}"
    );
    assert_eq!(body["data"], json!({"customer": null}));

    // A bulk query reading customers fails with ACCESS_DENIED; one reading products runs.
    let op = bulk(&sim, "{ customers { edges { node { id } } } }").await;
    assert_eq!(op["status"], "FAILED", "{op}");
    assert_eq!(op["errorCode"], "ACCESS_DENIED");
    assert_eq!(op["url"], Value::Null);
    let op = bulk(&sim, "{ products { edges { node { id } } } }").await;
    assert_eq!(op["status"], "COMPLETED", "{op}");

    // REST: 403 with Shopify's body, for lists, counts and single objects.
    for path in ["customers.json", "customers/count.json", "customers/1.json"] {
        let (status, body) = rest(&sim, &format!("/admin/api/2026-07/{path}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            body,
            json!({"errors": "[API] This action requires merchant approval for read_customers scope."})
        );
    }
    let (status, _) = rest(&sim, "/admin/api/2026-07/products.json").await;
    assert_eq!(status, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn without_read_all_orders_only_the_last_60_days_of_orders_exist() {
    let sim = Sim::start(with_scopes(&[
        "read_orders",
        "read_customers",
        "read_products",
    ]))
    .await
    .unwrap();
    // The generated history is years old: all of it is hidden.
    let (recent, old) = {
        let mut store = sim.shared().store.write().unwrap();
        let mut ids = store.orders.keys().copied();
        let (recent, old) = (ids.next().unwrap(), ids.next().unwrap());
        store.orders.get_mut(&recent).unwrap().created_at = Utc::now() - chrono::Duration::days(10);
        (recent, old)
    };
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        "{ orders(first: 250) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["orders"]["nodes"],
        json!([{"id": format!("gid://shopify/Order/{recent}")}]),
        "{body}"
    );
    let node = "query($id: ID!) { order(id: $id) { id } node(id: $id) { id } }";
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        node,
        json!({"id": format!("gid://shopify/Order/{old}")}),
    )
    .await;
    assert_eq!(body["data"], json!({"order": null, "node": null}), "{body}");
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        node,
        json!({"id": format!("gid://shopify/Order/{recent}")}),
    )
    .await;
    assert_eq!(
        body["data"]["order"]["id"],
        format!("gid://shopify/Order/{recent}")
    );

    let op = bulk(&sim, "{ orders { edges { node { id } } } }").await;
    assert_eq!(op["status"], "COMPLETED", "{op}");
    let text = reqwest::get(op["url"].as_str().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains(&format!("gid://shopify/Order/{recent}")));

    let (_, body) = rest(&sim, "/admin/api/2026-07/orders.json?status=any&limit=250").await;
    assert_eq!(body["orders"].as_array().unwrap().len(), 1, "{body}");
    let (_, body) = rest(&sim, "/admin/api/2026-07/orders/count.json?status=any").await;
    assert_eq!(body, json!({"count": 1}));
    let (status, _) = rest(&sim, &format!("/admin/api/2026-07/orders/{old}.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = rest(&sim, &format!("/admin/api/2026-07/orders/{recent}.json")).await;
    assert_eq!(status, StatusCode::OK);

    // With read_all_orders the whole history is there.
    let all = Sim::start(config()).await.unwrap();
    let (_, body) = rest(&all, "/admin/api/2026-07/orders/count.json?status=any").await;
    assert!(body["count"].as_u64().unwrap() > 100, "{body}");
    all.shutdown().await;
    sim.shutdown().await;
}
