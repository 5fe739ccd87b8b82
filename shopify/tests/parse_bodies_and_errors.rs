//! The small webhook bodies (deletes, compliance, bulk finish) and errors that name the
//! offending field.

mod common;

use serde_json::{json, Value};
use xeno_shopify::parse::*;

use common::*;

// ---------- small bodies ----------

#[test]
fn delete_ids_and_compliance_bodies() {
    assert_eq!(
        id_from_delete(&json!({"id": 450789469})).unwrap(),
        450789469
    );
    assert_eq!(
        id_from_delete(&json!({"id": "gid://shopify/Customer/706405506930370084",
            "tax_exemptions": []}))
        .unwrap(),
        706405506930370084
    );
    assert!(id_from_delete(&json!({"name": 1})).is_err());

    let redact = customer_request(
        &json!({"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com",
        "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"},
        "orders_to_redact": [299938, 280263, 220458]}),
    )
    .unwrap();
    assert_eq!(redact.customer_id, Some(191167));
    assert_eq!(redact.email.as_deref(), Some("john@example.com"));
    assert_eq!(redact.order_ids, [299938, 280263, 220458]);
    let request = customer_request(
        &json!({"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com",
        "orders_requested": [299938], "customer": {"id": 191167, "email": "john@example.com"},
        "data_request": {"id": 9999}}),
    )
    .unwrap();
    assert_eq!(request.data_request_id, Some(9999));
    assert_eq!(request.order_ids, [299938]);
    assert!(customer_request(&json!({"customer": {}})).is_err());

    let shop = shop_request(&json!({"shop_id": 954889, "shop_domain": "snowdevil.myshopify.com"}))
        .unwrap();
    assert_eq!(shop.shop_id, Some(954889));

    let bulk =
        bulk_operation_finish(&fixture("bulk/bulk_operations_finish_guide_example.json")).unwrap();
    assert_eq!(
        bulk.admin_graphql_api_id,
        "gid://shopify/BulkOperation/720918"
    );
    assert_eq!(bulk.status, "completed");
    assert_eq!(bulk.error_code, None);
    assert_eq!(bulk.operation_type.as_deref(), Some("query"));
    assert_eq!(bulk.completed_at, Some(t("2024-08-29T17:23:25Z")));
}

// ---------- errors ----------

#[test]
fn errors_name_the_field() {
    let base = || json!({"id": 1, "updated_at": "2024-01-01T00:00:00Z"});
    let err = |v: Value| order_from_rest(&v).unwrap_err().to_string();

    let mut v = base();
    v.as_object_mut().unwrap().remove("updated_at");
    assert_eq!(err(v), "order: `updated_at` missing");
    let mut v = base();
    v["total_price"] = json!("abc");
    assert_eq!(err(v), "order: `total_price` not a decimal: \"abc\"");
    let mut v = base();
    v["total_price"] = json!(true);
    assert_eq!(err(v), "order: `total_price` not a decimal but a boolean");
    let mut v = base();
    v["id"] = json!(1e30);
    assert!(err(v).starts_with("order: `id` not an integer id"));
    let mut v = base();
    v["line_items"] = json!([{"id": 1}, {"id": 2, "quantity": 1_000_000_000_000i64}]);
    assert_eq!(
        err(v),
        "order: `line_items[1].quantity` out of range: 1000000000000"
    );
    let mut v = base();
    v["line_items"] = json!({"id": 1});
    assert_eq!(err(v), "order: `line_items` not an array but an object");
    let mut v = base();
    v["customer"] = json!({"id": "x"});
    assert_eq!(err(v), "order: `customer.id` not an id: \"x\"");
    let mut v = base();
    v["total_shipping_price_set"] = json!({"shop_money": {}});
    assert_eq!(
        err(v),
        "order: `total_shipping_price_set.shop_money.amount` missing"
    );
    let mut v = base();
    v["refunds"] = json!([{"id": 1, "transactions": [{"kind": "refund", "status": "success",
        "amount": "79228162514264337593543950335"}, {"kind": "refund", "status": "success",
        "amount": "1"}]}]);
    assert_eq!(
        err(v),
        "order: `refunds[0].transactions` sum overflows a decimal"
    );
    assert_eq!(
        order_from_rest(&json!([1])).unwrap_err().to_string(),
        "order: `(body)` is not a JSON object but an array"
    );
    assert_eq!(
        customer_from_rest(&json!({"id": 1, "updated_at": "yesterday"}))
            .unwrap_err()
            .to_string(),
        "customer: `updated_at` not an RFC 3339 timestamp: \"yesterday\""
    );
}
