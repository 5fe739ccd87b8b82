//! Property tests: arbitrary JSON and bytes, and mutated fixtures, never panic a parser.

mod common;

use proptest::prelude::*;
use serde_json::{json, Value};
use xeno_shopify::parse::*;

use common::*;

// ---------- property tests: arbitrary JSON never panics ----------

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[0-9.eE+-]{0,40}".prop_map(Value::String),
        "gid://shopify/[A-Za-z]{0,8}/[0-9]{0,25}".prop_map(Value::String),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{0,12}[Z+-]?[0-9:]{0,5}".prop_map(Value::String),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys the parsers read, so random objects reach deep code paths.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "updated_at",
            "updatedAt",
            "created_at",
            "createdAt",
            "legacyResourceId",
            "line_items",
            "lineItems",
            "refunds",
            "variants",
            "transactions",
            "kind",
            "status",
            "amount",
            "refund_line_items",
            "refundLineItems",
            "subtotal",
            "subtotal_set",
            "subtotalSet",
            "shop_money",
            "shopMoney",
            "currency_code",
            "currencyCode",
            "total_price",
            "totalPriceSet",
            "total_shipping_price_set",
            "shipping_lines",
            "shippingLines",
            "price",
            "price_set",
            "quantity",
            "customer",
            "order",
            "order_id",
            "edges",
            "node",
            "nodes",
            "tags",
            "default_address",
            "defaultAddress",
            "totalRefundedSet",
            "amountSet",
            "email",
            "orders_to_redact",
            "data_request",
            "admin_graphql_api_id",
            "numberOfOrders",
            "amountSpent",
            "position",
        ])
        .prop_map(str::to_string),
        "[a-z_]{1,6}",
    ]
}

fn run_all(v: &Value) {
    let _ = order_from_rest(v);
    let _ = customer_from_rest(v);
    let _ = product_from_rest(v);
    let _ = refund_from_rest(v);
    let _ = order_from_graphql(v);
    let _ = customer_from_graphql(v);
    let _ = product_from_graphql(v);
    let _ = refund_from_graphql(v);
    let _ = id_from_delete(v);
    let _ = customer_request(v);
    let _ = shop_request(v);
    let _ = bulk_operation_finish(v);
}

/// Bytes that look a little like JSON (mostly the characters JSON is made of), so that
/// random mutations parse often and reach the parsers with odd numbers and strings.
fn jsonish_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        proptest::collection::vec(
            prop::sample::select(b"{}[]\":,0123456789.eE+-truefalsnl \\u\xff\x00".to_vec()),
            0..256,
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        run_all(&v);
    }

    /// The writer's path from a body: bytes, then JSON, then a parser.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in jsonish_bytes()) {
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            run_all(&v);
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..4,
        field in key(),
        value in arb_json(),
    ) {
        let mut v = match which {
            0 => fixture("rest/shopify_python_api/order.json")["order"].clone(),
            1 => fixture("rest/shopify_python_api/refund.json")["refund"].clone(),
            2 => fixture("rest/shopify_python_api/product.json")["product"].clone(),
            _ => snapshot("acmeCo/orders"),
        };
        v.as_object_mut().unwrap().insert(field.clone(), value.clone());
        if let Some(items) = v.get_mut("line_items").and_then(Value::as_array_mut) {
            if let Some(first) = items.first_mut().and_then(Value::as_object_mut) {
                first.insert(field, value);
            }
        }
        run_all(&v);
    }
}
