//! Queries judged as Shopify judges them, over HTTP: an unknown field or argument is a
//! validation error in Shopify's words and codes, a bulk query naming one is refused at submit
//! in `userErrors`, a field a version lacks does not exist for that version, and a plain list
//! is priced as one object whatever its `first`.

use serde_json::json;
use xeno_sim::Sim;

mod common;
use common::*;

#[tokio::test]
async fn unknown_fields_and_arguments_are_shopifys_validation_errors() {
    let sim = Sim::start(config()).await.unwrap();
    let (_, body) = gql(&sim, "2026-07", TOKEN, "{ shop { colour } }", json!({})).await;
    assert_eq!(
        body["errors"][0],
        json!({
            "message": "Field 'colour' doesn't exist on type 'Shop'",
            "locations": [{"line": 1, "column": 10}],
            "path": ["query", "shop", "colour"],
            "extensions": {"code": "undefinedField", "typeName": "Shop", "fieldName": "colour"},
        }),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
    let q = "query Q { orders(first: 1, colour: 2) { nodes { id } } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, q, json!({})).await;
    assert_eq!(
        body["errors"][0]["message"], "Field 'orders' doesn't accept argument 'colour'",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["path"],
        json!(["query Q", "orders", "colour"])
    );
    assert_eq!(
        body["errors"][0]["extensions"],
        json!({"code": "argumentNotAccepted", "name": "orders", "typeName": "Field", "argumentName": "colour"})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_bulk_query_naming_an_unknown_field_is_refused_at_submit() {
    let sim = Sim::start(config()).await.unwrap();
    let m = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field message code } } }";
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        m,
        json!({"q": "{ products { edges { node { id colour } } } }"}),
    )
    .await;
    let payload = &body["data"]["bulkOperationRunQuery"];
    assert_eq!(payload["bulkOperation"], json!(null), "{body}");
    assert_eq!(
        payload["userErrors"],
        json!([{
            "field": ["query"],
            "message": "Invalid bulk query: Field 'colour' doesn't exist on type 'Product'",
            "code": "INVALID",
        }])
    );
    let (_, body) = gql(
        &sim,
        "2026-07",
        TOKEN,
        "{ bulkOperations(first: 5) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["bulkOperations"]["nodes"],
        json!([]),
        "no run was registered: {body}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_field_a_version_lacks_does_not_exist_for_it() {
    let sim = Sim::start(config()).await.unwrap();
    let q = "{ bulkOperations(first: 5) { nodes { id } } }";
    let (_, body) = gql(&sim, "2025-10", TOKEN, q, json!({})).await;
    assert_eq!(
        body["errors"][0]["message"], "Field 'bulkOperations' doesn't exist on type 'QueryRoot'",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "undefinedField");
    let q = "{ __type(name: \"QueryRoot\") { fields { name } } }";
    let (_, body) = gql(&sim, "2025-10", TOKEN, q, json!({})).await;
    let names = body["data"]["__type"]["fields"].to_string();
    assert!(!names.contains("\"bulkOperations\""), "{names}");
    let (_, body) = gql(&sim, "2026-01", TOKEN, q, json!({})).await;
    let names = body["data"]["__type"]["fields"].to_string();
    assert!(names.contains("\"bulkOperations\""), "{names}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_plain_list_costs_one_object_whatever_its_first() {
    let sim = Sim::start(config()).await.unwrap();
    let q = "{ customers(first: 2) { nodes { addresses(first: 250) { city } } } }";
    let (_, body) = gql(&sim, "2026-07", TOKEN, q, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 2 + 2 * 2);
    sim.shutdown().await;
}
