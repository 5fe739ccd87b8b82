//! Store tests against the real PostgreSQL (127.0.0.1:5432, `XENO_TEST_POSTGRES`), each in
//! its own database (`TestDb`), fed with the real payloads of `shared/fixtures/shopify/`.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::dead_letters::{self, DeadLetter};
use super::*;
use crate::envelope::{Envelope, Format, Source};
use crate::testkit::TestDb;

const SHOP: &str = "apple.myshopify.com";
const OTHER: &str = "pear.myshopify.com";

fn fixture(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/shopify")
        .join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()));
    serde_json::from_slice(&bytes).expect("fixture is JSON")
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn webhook(shop: &str, topic: &str, webhook_id: &str, body: &Value) -> Envelope {
    Envelope {
        shop_domain: shop.to_string(),
        topic: topic.to_string(),
        webhook_id: webhook_id.to_string(),
        event_id: Some(format!("event-{webhook_id}")),
        api_version: Some("2025-07".to_string()),
        triggered_at: Some(t("2025-07-10T16:15:47Z")),
        source: Source::Webhook,
        format: Format::Rest,
        body: Bytes::from(body.to_string()),
    }
}

fn sync_graphql(shop: &str, topic: &str, body: &Value) -> Envelope {
    Envelope {
        webhook_id: format!("sync-{}", uuid::Uuid::new_v4()),
        event_id: None,
        api_version: None,
        triggered_at: None,
        source: Source::Sync,
        format: Format::Graphql,
        ..webhook(shop, topic, "unused", body)
    }
}

/// Applies one envelope in its own transaction, committed only on success.
async fn apply_one(db: &TestDb, env: &Envelope) -> Result<Outcome, StoreError> {
    let mut client = db.pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    let outcome = apply(&tx, env).await?;
    tx.commit().await.unwrap();
    Ok(outcome)
}

async fn ok(db: &TestDb, env: &Envelope) -> Outcome {
    apply_one(db, env)
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", env.topic, env.webhook_id))
}

async fn one<T: for<'a> tokio_postgres::types::FromSql<'a>>(
    db: &TestDb,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> T {
    let client = db.pool.get().await.unwrap();
    client.query_one(sql, params).await.unwrap().get(0)
}

fn python_order() -> Value {
    fixture("rest/shopify_python_api/order.json")["order"].clone()
}

fn with_updated_at(mut v: Value, at: &str) -> Value {
    v["updated_at"] = json!(at);
    v
}

#[tokio::test]
async fn every_fixture_webhook_lands_with_the_right_values() {
    let db = TestDb::new().await;
    let orders = [
        python_order(),
        fixture("rest/go_shopify/order.json")["order"].clone(),
    ];
    for (i, o) in orders.iter().enumerate() {
        let env = webhook(SHOP, "orders/create", &format!("o{i}"), o);
        assert_eq!(ok(&db, &env).await, Outcome::Applied);
    }
    let client = db.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT name, order_number, email, customer_id, currency, total_price, subtotal_price,
                    total_tax, total_shipping, total_refunded, financial_status, updated_at,
                    raw->>'token'
             FROM orders WHERE shop_domain = $1 AND id = 450789469",
            &[&SHOP],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "#1001");
    assert_eq!(row.get::<_, i64>(1), 1001);
    assert_eq!(row.get::<_, String>(2), "bob.norman@hostmail.com");
    assert_eq!(row.get::<_, i64>(3), 207119551);
    assert_eq!(row.get::<_, String>(4), "USD");
    assert_eq!(row.get::<_, Decimal>(5), dec("409.94"));
    assert_eq!(row.get::<_, Decimal>(6), dec("398.00"));
    assert_eq!(row.get::<_, Decimal>(7), dec("11.94"));
    assert_eq!(row.get::<_, Decimal>(8), dec("0.00"));
    assert_eq!(row.get::<_, Decimal>(9), Decimal::ZERO);
    assert_eq!(row.get::<_, String>(10), "authorized");
    assert_eq!(row.get::<_, DateTime<Utc>>(11), t("2008-01-10T16:00:00Z"));
    assert_eq!(row.get::<_, String>(12), "b1946ac92492d2347c6235b4d2611184");
    let items = client
        .query(
            "SELECT id, sku, price, quantity FROM order_line_items
             WHERE shop_domain = $1 AND order_id = 450789469 ORDER BY id",
            &[&SHOP],
        )
        .await
        .unwrap();
    let items: Vec<(i64, String, Decimal, i32)> = items
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        items,
        [
            (466157049, "IPOD2008GREEN".into(), dec("199.00"), 1),
            (518995019, "IPOD2008RED".into(), dec("199.00"), 1),
            (703073504, "IPOD2008BLACK".into(), dec("199.00"), 1),
        ]
    );
    let go: (Decimal, Decimal, bool, String) = client
        .query_one(
            "SELECT total_price, total_shipping, test, cancel_reason FROM orders
             WHERE shop_domain = $1 AND id = 123456",
            &[&SHOP],
        )
        .await
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .unwrap();
    assert_eq!(go, (dec("10.00"), dec("10.00"), true, "customer".into()));

    // Customers.
    for (i, c) in [
        fixture("rest/shopify_python_api/customer.json")["customer"].clone(),
        fixture("rest/go_shopify/customer.json")["customer"].clone(),
    ]
    .iter()
    .enumerate()
    {
        let env = webhook(SHOP, "customers/create", &format!("c{i}"), c);
        assert_eq!(ok(&db, &env).await, Outcome::Applied);
    }
    let c: (String, Decimal, i32, String) = client
        .query_one(
            "SELECT email, total_spent, orders_count, default_city FROM customers
             WHERE shop_domain = $1 AND id = 207119551",
            &[&SHOP],
        )
        .await
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .unwrap();
    assert_eq!(
        c,
        (
            "bob.norman@hostmail.com".into(),
            dec("41.94"),
            1,
            "Louisville".into()
        )
    );

    // Products, including every product of the bare-array products.json.
    let mut products = vec![
        fixture("rest/shopify_python_api/product.json")["product"].clone(),
        fixture("rest/go_shopify/product.json")["product"].clone(),
    ];
    products.extend(
        fixture("rest/shopify_python_api/products.json")
            .as_array()
            .unwrap()
            .iter()
            .cloned(),
    );
    for (i, p) in products.iter().enumerate() {
        let env = webhook(SHOP, "products/create", &format!("p{i}"), p);
        assert_eq!(ok(&db, &env).await, Outcome::Applied);
    }
    let n: i64 = one(
        &db,
        "SELECT count(*) FROM products WHERE shop_domain = $1",
        &[&SHOP],
    )
    .await;
    assert_eq!(n, 6);
    let variants = client
        .query(
            "SELECT id, product_id, inventory_quantity FROM product_variants
             WHERE shop_domain = $1 AND product_id IN (632910392, 1071559748) ORDER BY id",
            &[&SHOP],
        )
        .await
        .unwrap();
    let variants: Vec<(i64, i64, i32)> = variants
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    // 808950810 (Pink) is shared with products 1..4 in products.json: the last writer wins.
    assert_eq!(
        variants,
        [
            (39072856, 632910392, 30),
            (49148385, 632910392, 20),
            (457924702, 632910392, 40),
            (1070325219, 1071559748, 1),
        ]
    );

    // Refund 509562969 on order 450789469.
    let refund = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    assert_eq!(
        ok(&db, &webhook(SHOP, "refunds/create", "r1", &refund)).await,
        Outcome::Applied
    );
    let total: Decimal = one(
        &db,
        "SELECT total_refunded FROM orders WHERE shop_domain = $1 AND id = 450789469",
        &[&SHOP],
    )
    .await;
    assert_eq!(total, dec("209.00"));
    let receipts: i64 = one(
        &db,
        "SELECT count(*) FROM webhook_receipts WHERE shop_domain = $1 AND outcome = 'applied'",
        &[&SHOP],
    )
    .await;
    assert_eq!(receipts, 4 + 6 + 1);
}

#[tokio::test]
async fn graphql_sync_record_lands_without_a_receipt() {
    let db = TestDb::new().await;
    let all = fixture("graphql/estuary_source_shopify_native_capture_snapshot.json");
    let doc = |name: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|p| p[0] == name)
            .unwrap()[1]
            .clone()
    };
    let mut order = doc("acmeCo/orders");
    order["updatedAt"] = json!("2026-08-18T17:51:39Z");
    order["refunds"] = doc("acmeCo/order_refunds")["refunds"].clone();
    let env = sync_graphql(
        "estuary-alex-testing.myshopify.com",
        "orders/updated",
        &order,
    );
    assert_eq!(ok(&db, &env).await, Outcome::Applied);
    let client = db.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT total_price, total_refunded, financial_status, fulfillment_status,
                    (SELECT count(*) FROM order_line_items WHERE order_id = o.id),
                    (SELECT count(*) FROM order_refunds WHERE order_id = o.id)
             FROM orders o WHERE id = 18697849798701",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Decimal>(0), dec("1341615.95"));
    assert_eq!(row.get::<_, Decimal>(1), dec("736515.55"));
    assert_eq!(row.get::<_, String>(2), "partially_refunded");
    assert_eq!(row.get::<_, String>(3), "fulfilled");
    assert_eq!(row.get::<_, i64>(4), 11);
    assert_eq!(row.get::<_, i64>(5), 3);
    let receipts: i64 = one(&db, "SELECT count(*) FROM webhook_receipts", &[]).await;
    assert_eq!(receipts, 0);
    let shops: i64 = one(&db, "SELECT count(*) FROM shops", &[]).await;
    assert_eq!(shops, 1);

    // The redacted updatedAt of the raw snapshot is a permanent payload error.
    let raw = doc("acmeCo/orders");
    let err = apply_one(&db, &sync_graphql(SHOP, "orders/updated", &raw))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Payload(_)), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn duplicate_webhook_id_has_one_effect() {
    let db = TestDb::new().await;
    let refund = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    ok(
        &db,
        &webhook(SHOP, "orders/create", "w-order", &python_order()),
    )
    .await;
    let env = webhook(SHOP, "refunds/create", "w-refund", &refund);
    assert_eq!(ok(&db, &env).await, Outcome::Applied);
    // A redelivery long after JetStream's window, even with a different body.
    let mut changed = refund.clone();
    changed["transactions"][0]["amount"] = json!("1.00");
    let again = Envelope {
        body: Bytes::from(changed.to_string()),
        ..env.clone()
    };
    assert_eq!(ok(&db, &again).await, Outcome::Duplicate);
    assert_eq!(ok(&db, &env).await, Outcome::Duplicate);
    let total: Decimal = one(&db, "SELECT total_refunded FROM orders", &[]).await;
    assert_eq!(total, dec("209.00"));
    let receipts: i64 = one(
        &db,
        "SELECT count(*) FROM webhook_receipts WHERE webhook_id = 'w-refund'",
        &[],
    )
    .await;
    assert_eq!(receipts, 1);
    // The same webhook id in another shop is another delivery.
    assert_eq!(
        ok(&db, &webhook(OTHER, "refunds/create", "w-refund", &refund)).await,
        Outcome::Applied
    );
}

#[tokio::test]
async fn older_update_after_newer_keeps_the_newer() {
    let db = TestDb::new().await;
    let mut newer = with_updated_at(python_order(), "2024-02-01T00:00:00Z");
    newer["total_price"] = json!("500.00");
    newer["line_items"] = json!([newer["line_items"][0].clone()]);
    let older = with_updated_at(python_order(), "2024-01-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/updated", "new", &newer)).await,
        Outcome::Applied
    );
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/updated", "old", &older)).await,
        Outcome::Stale
    );
    let price: Decimal = one(&db, "SELECT total_price FROM orders", &[]).await;
    assert_eq!(price, dec("500.00"));
    let items: i64 = one(&db, "SELECT count(*) FROM order_line_items", &[]).await;
    assert_eq!(items, 1, "the stale payload's line items were not written");
    let outcome: String = one(
        &db,
        "SELECT outcome FROM webhook_receipts WHERE webhook_id = 'old'",
        &[],
    )
    .await;
    assert_eq!(outcome, "stale");

    // Equal updated_at re-applies (idempotent); a newer one replaces the line items.
    let newest = with_updated_at(python_order(), "2024-03-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/updated", "newest", &newest)).await,
        Outcome::Applied
    );
    let items: i64 = one(&db, "SELECT count(*) FROM order_line_items", &[]).await;
    assert_eq!(items, 3);
    let mut fewer = with_updated_at(python_order(), "2024-04-01T00:00:00Z");
    fewer["line_items"] = json!([python_order()["line_items"][2].clone()]);
    ok(&db, &webhook(SHOP, "orders/updated", "fewer", &fewer)).await;
    let ids: Vec<i64> = db
        .pool
        .get()
        .await
        .unwrap()
        .query("SELECT id FROM order_line_items", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [703073504]);

    // Customers and products follow the same rule.
    let customer = fixture("rest/go_shopify/customer.json")["customer"].clone();
    let mut newer_c = with_updated_at(customer.clone(), "2024-02-01T00:00:00Z");
    newer_c["email"] = json!("new@example.com");
    ok(&db, &webhook(SHOP, "customers/update", "c2", &newer_c)).await;
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/update", "c1", &customer)).await,
        Outcome::Stale
    );
    let email: String = one(&db, "SELECT email FROM customers", &[]).await;
    assert_eq!(email, "new@example.com");
}

#[tokio::test]
async fn deletes_are_tombstones_that_late_updates_cannot_undo() {
    let db = TestDb::new().await;
    // Create, delete, then a late (even newer-stamped) update.
    ok(&db, &webhook(SHOP, "orders/create", "a1", &python_order())).await;
    let del = webhook(SHOP, "orders/delete", "a2", &json!({"id": 450789469}));
    assert_eq!(ok(&db, &del).await, Outcome::Deleted);
    let late = with_updated_at(python_order(), "2030-01-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/updated", "a3", &late)).await,
        Outcome::Stale
    );
    let (deleted_at, updated_at): (DateTime<Utc>, DateTime<Utc>) = db
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT deleted_at, updated_at FROM orders", &[])
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(
        deleted_at,
        t("2025-07-10T16:15:47Z"),
        "the triggered-at time"
    );
    assert_eq!(updated_at, t("2008-01-10T16:00:00Z"));

    // Delete before create, for each resource.
    let product = fixture("rest/go_shopify/product.json")["product"].clone();
    let customer = fixture("rest/go_shopify/customer.json")["customer"].clone();
    ok(
        &db,
        &webhook(SHOP, "products/delete", "b1", &json!({"id": 1071559748})),
    )
    .await;
    ok(
        &db,
        &webhook(
            SHOP,
            "customers/delete",
            "b2",
            &json!({"id": 1, "phone": null, "addresses": [], "tax_exemptions": [],
                    "admin_graphql_api_id": "gid://shopify/Customer/1"}),
        ),
    )
    .await;
    assert_eq!(
        ok(&db, &webhook(SHOP, "products/create", "b3", &product)).await,
        Outcome::Stale
    );
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/create", "b4", &customer)).await,
        Outcome::Stale
    );
    let title: Option<String> = one(&db, "SELECT title FROM products", &[]).await;
    assert_eq!(title, None, "the tombstone row stays empty");
    let variants: i64 = one(&db, "SELECT count(*) FROM product_variants", &[]).await;
    assert_eq!(variants, 0);
    let email: Option<String> = one(&db, "SELECT email FROM customers", &[]).await;
    assert_eq!(email, None);
    // A repeated delete changes nothing.
    let again = webhook(SHOP, "orders/delete", "a4", &json!({"id": 450789469}));
    assert_eq!(ok(&db, &again).await, Outcome::Deleted);
    let n: i64 = one(
        &db,
        "SELECT count(*) FROM orders WHERE deleted_at IS NOT NULL",
        &[],
    )
    .await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn refunds_update_total_refunded() {
    let db = TestDb::new().await;
    let refund = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    // The refund arrives before its order.
    ok(&db, &webhook(SHOP, "refunds/create", "r1", &refund)).await;
    ok(&db, &webhook(SHOP, "orders/create", "o1", &python_order())).await;
    let total: Decimal = one(&db, "SELECT total_refunded FROM orders", &[]).await;
    assert_eq!(total, dec("209.00"));
    // A second refund, with no transactions: its line items' subtotals count.
    let mut second = refund.clone();
    second["id"] = json!(509562970);
    second["transactions"] = json!([]);
    second["refund_line_items"] = json!([{"id": 1, "quantity": 1, "line_item_id": 466157049,
        "subtotal": "10.50", "total_tax": "0.63"}]);
    ok(&db, &webhook(SHOP, "refunds/create", "r2", &second)).await;
    let total: Decimal = one(&db, "SELECT total_refunded FROM orders", &[]).await;
    assert_eq!(total, dec("219.50"));
    // A later order payload without refunds does not forget them.
    let later = with_updated_at(python_order(), "2024-01-01T00:00:00Z");
    ok(&db, &webhook(SHOP, "orders/updated", "o2", &later)).await;
    let total: Decimal = one(&db, "SELECT total_refunded FROM orders", &[]).await;
    assert_eq!(total, dec("219.50"));
    // An order payload carrying the refunds merges them.
    let mut with_refunds = with_updated_at(python_order(), "2024-02-01T00:00:00Z");
    let mut third = refund.clone();
    third["id"] = json!(509562971);
    third["transactions"][0]["amount"] = json!("0.50");
    with_refunds["refunds"] = json!([refund, third]);
    ok(&db, &webhook(SHOP, "orders/updated", "o3", &with_refunds)).await;
    let total: Decimal = one(&db, "SELECT total_refunded FROM orders", &[]).await;
    assert_eq!(total, dec("220.00"));
    let n: i64 = one(&db, "SELECT count(*) FROM order_refunds", &[]).await;
    assert_eq!(n, 3);
}

/// Seeds `SHOP` with Bob (customer 207119551, bob.norman@hostmail.com) everywhere his email
/// can end up, plus an unrelated customer.
async fn seed_bob(db: &TestDb) {
    let bob = fixture("rest/shopify_python_api/customer.json")["customer"].clone();
    ok(db, &webhook(SHOP, "customers/create", "s1", &bob)).await;
    ok(db, &webhook(SHOP, "orders/create", "s2", &python_order())).await;
    // An order of Bob's found only through orders_to_redact (no customer, other email case).
    let mut guest = with_updated_at(python_order(), "2009-01-01T00:00:00Z");
    guest["id"] = json!(999);
    guest["customer"] = Value::Null;
    guest["email"] = json!("Bob.Norman@Hostmail.com");
    guest["line_items"] = json!([]);
    ok(db, &webhook(SHOP, "orders/create", "s3", &guest)).await;
    let refund = fixture("rest/shopify_python_api/refund.json")["refund"].clone();
    let mut refund = refund;
    refund["note"] = json!("asked by bob.norman@hostmail.com");
    ok(db, &webhook(SHOP, "refunds/create", "s4", &refund)).await;
    let alice = fixture("rest/go_shopify/customer.json")["customer"].clone();
    ok(db, &webhook(SHOP, "customers/create", "s5", &alice)).await;
    ok(db, &webhook(OTHER, "customers/create", "s6", &bob)).await;
    let request = json!({"shop_id": 1, "shop_domain": SHOP, "orders_requested": [450789469],
        "customer": {"id": 207119551, "email": "bob.norman@hostmail.com", "phone": null},
        "data_request": {"id": 77}});
    ok(db, &webhook(SHOP, "customers/data_request", "s7", &request)).await;

    let client = db.pool.get().await.unwrap();
    let mut poison = python_order();
    poison["total_price"] = json!("not money");
    dead_letters::insert(
        &**client,
        &DeadLetter {
            shop_domain: Some(SHOP.into()),
            msg_id: Some("dl-1".into()),
            subject: "XENO.webhooks.orders".into(),
            topic: Some("orders/create".into()),
            headers: json!({"x-shopify-topic": "orders/create"}),
            payload: poison.to_string().into_bytes(),
            reason: "order: `total_price` not a decimal".into(),
            deliveries: 5,
        },
    )
    .await
    .unwrap();
    client
        .execute(
            "INSERT INTO event_log (at, level, shop_domain, source, message, fields) VALUES
             (now(), 'WARN', $1, 'writer', 'bad order for BOB.NORMAN@hostmail.com', '{}'),
             (now(), 'INFO', $1, 'writer', 'applied', '{\"email\": \"bob.norman@hostmail.com\"}'),
             (now(), 'INFO', $1, 'writer', 'unrelated', '{\"email\": \"test@example.com\"}')",
            &[&SHOP],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO sync_state (shop_domain, resource, last_error)
             VALUES ($1, 'customers', 'customer bob.norman@hostmail.com: bad phone')",
            &[&SHOP],
        )
        .await
        .unwrap();
}

/// Every (table, column, row count) where `needle` appears in a text, jsonb or bytea column.
async fn traces(db: &TestDb, needle: &str) -> Vec<(String, String, i64)> {
    let client = db.pool.get().await.unwrap();
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'bytea')",
            &[],
        )
        .await
        .unwrap();
    let mut found = Vec::new();
    for c in columns {
        let (table, column, data_type): (String, String, String) = (c.get(0), c.get(1), c.get(2));
        let expr = if data_type == "bytea" {
            format!("encode(\"{column}\", 'escape')")
        } else {
            format!("\"{column}\"::text")
        };
        let sql =
            format!("SELECT count(*) FROM \"{table}\" WHERE strpos(lower({expr}), lower($1)) > 0");
        let n: i64 = client.query_one(&sql, &[&needle]).await.unwrap().get(0);
        if n > 0 {
            found.push((table, column, n));
        }
    }
    found
}

#[tokio::test]
async fn customers_redact_leaves_no_trace_of_the_email() {
    let db = TestDb::new().await;
    seed_bob(&db).await;
    let email = "bob.norman@hostmail.com";
    assert!(
        traces(&db, email).await.len() >= 6,
        "the seed spreads the email"
    );

    let redact = json!({"shop_id": 1, "shop_domain": SHOP,
        "customer": {"id": 207119551, "email": email, "phone": "555-625-1199"},
        "orders_to_redact": [450789469, 999]});
    let outcome = ok(&db, &webhook(SHOP, "customers/redact", "x1", &redact)).await;
    let Outcome::Compliance(summary) = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(summary.count("customers"), 1);
    assert_eq!(summary.count("orders"), 2);
    assert_eq!(summary.count("compliance_exports"), 1);
    assert_eq!(summary.count("dead_letters.payload"), 1);
    assert!(summary
        .to_string()
        .starts_with("customers/redact customer_id=207119551:"));

    // Only the other shop's copy of Bob remains (not ours to erase).
    let left = traces(&db, email).await;
    let client = db.pool.get().await.unwrap();
    let other: i64 = client
        .query_one(
            "SELECT count(*) FROM customers WHERE shop_domain = $1 AND email = $2",
            &[&OTHER, &email],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(other, 1);
    assert_eq!(
        left,
        [
            ("customers".to_string(), "email".to_string(), 1),
            ("customers".to_string(), "raw".to_string(), 1)
        ],
        "{left:?}"
    );
    assert!(traces(&db, "555-625-1199")
        .await
        .iter()
        .all(|(table, _, _)| table == "customers"));

    let row = client
        .query_one(
            "SELECT email, first_name, default_city, raw, redacted_at IS NOT NULL
             FROM customers WHERE shop_domain = $1 AND id = 207119551",
            &[&SHOP],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0), None);
    assert_eq!(row.get::<_, Option<String>>(1), None);
    assert_eq!(row.get::<_, Option<String>>(2), None);
    assert_eq!(
        row.get::<_, Value>(3),
        json!({"id": 207119551, "redacted": true})
    );
    assert!(row.get::<_, bool>(4));
    let orders = client
        .query(
            "SELECT email, raw ? 'customer', raw ? 'billing_address', redacted_at IS NOT NULL,
                    total_price
             FROM orders WHERE shop_domain = $1 ORDER BY id",
            &[&SHOP],
        )
        .await
        .unwrap();
    for o in &orders {
        assert_eq!(o.get::<_, Option<String>>(0), None);
        assert!(!o.get::<_, bool>(1) && !o.get::<_, bool>(2) && o.get::<_, bool>(3));
    }
    assert_eq!(
        orders[1].get::<_, Decimal>(4),
        dec("409.94"),
        "totals are kept"
    );
    let alice: String = client
        .query_one(
            "SELECT email FROM customers WHERE shop_domain = $1 AND id = 1",
            &[&SHOP],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(alice, "test@example.com");
    let unrelated: i64 = client
        .query_one(
            "SELECT count(*) FROM event_log WHERE message = 'unrelated'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(unrelated, 1);

    // Late deliveries cannot bring the data back.
    let bob = with_updated_at(
        fixture("rest/shopify_python_api/customer.json")["customer"].clone(),
        "2030-01-01T00:00:00Z",
    );
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/update", "x2", &bob)).await,
        Outcome::Stale
    );
    let late = with_updated_at(python_order(), "2030-01-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/updated", "x3", &late)).await,
        Outcome::Applied
    );
    let left = traces(&db, email).await;
    assert_eq!(left.len(), 2, "{left:?}");
    let kind: String = one(
        &db,
        "SELECT kind FROM compliance_requests WHERE webhook_id = 'x1'",
        &[],
    )
    .await;
    assert_eq!(kind, "customers/redact");
}

#[tokio::test]
async fn shop_redact_erases_the_shop_everywhere() {
    let db = TestDb::new().await;
    seed_bob(&db).await;
    ok(&db, &webhook(OTHER, "orders/create", "p1", &python_order())).await;
    let env = webhook(
        SHOP,
        "shop/redact",
        "z1",
        &json!({"shop_id": 1, "shop_domain": SHOP}),
    );
    let Outcome::Compliance(summary) = ok(&db, &env).await else {
        panic!("not a compliance outcome")
    };
    assert_eq!(summary.count("orders"), 2);
    assert_eq!(summary.count("customers"), 2);
    assert_eq!(summary.count("dead_letters"), 1);
    assert_eq!(summary.count("event_log"), 3);

    let client = db.pool.get().await.unwrap();
    let tables = client
        .query(
            "SELECT c.table_name::text FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               AND c.column_name = 'shop_domain'",
            &[],
        )
        .await
        .unwrap();
    for row in tables {
        let table: String = row.get(0);
        let n: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM \"{table}\" WHERE shop_domain = $1"),
                &[&SHOP],
            )
            .await
            .unwrap()
            .get(0);
        let expected = match table.as_str() {
            // The shop row (marked redacted), this delivery's receipt, the record of it.
            "shops" | "webhook_receipts" | "compliance_requests" => 1,
            _ => 0,
        };
        assert_eq!(n, expected, "{table}");
    }
    let redacted: bool = one(
        &db,
        "SELECT redacted_at IS NOT NULL AND NOT installed FROM shops WHERE shop_domain = $1",
        &[&SHOP],
    )
    .await;
    assert!(redacted);
    let summary_json: Value = one(
        &db,
        "SELECT summary FROM compliance_requests WHERE shop_domain = $1",
        &[&SHOP],
    )
    .await;
    assert_eq!(summary_json["orders"], 2);
    // The other shop is untouched.
    let other: i64 = one(
        &db,
        "SELECT count(*) FROM orders WHERE shop_domain = $1",
        &[&OTHER],
    )
    .await;
    assert_eq!(other, 1);
    // A redelivery is a duplicate, not a second erase.
    assert_eq!(ok(&db, &env).await, Outcome::Duplicate);
}

#[tokio::test]
async fn data_request_exports_the_customer_and_orders() {
    let db = TestDb::new().await;
    seed_bob(&db).await;
    let client = db.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT customer_id, data_request_id, summary, export, completed_at IS NOT NULL
             FROM compliance_requests WHERE kind = 'customers/data_request'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 207119551);
    assert_eq!(row.get::<_, i64>(1), 77);
    assert_eq!(row.get::<_, Value>(2), json!({"customers": 1, "orders": 2}));
    let export: Value = row.get(3);
    assert_eq!(export["customers"][0]["email"], "bob.norman@hostmail.com");
    assert_eq!(export["customers"][0]["raw"]["last_order_name"], "#1001");
    let orders = export["orders"].as_array().unwrap();
    let ids: Vec<i64> = orders.iter().map(|o| o["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [999, 450789469]);
    assert_eq!(orders[1]["line_items"].as_array().unwrap().len(), 3);
    assert_eq!(orders[1]["total_price"], 409.94);
    assert!(row.get::<_, bool>(4));
}

#[tokio::test]
async fn unknown_topics_bulk_finish_and_uninstall() {
    let db = TestDb::new().await;
    let env = webhook(
        SHOP,
        "orders/risk_assessment_changed",
        "u1",
        &json!({"any": "thing"}),
    );
    assert_eq!(ok(&db, &env).await, Outcome::UnknownTopic);
    let outcome: String = one(
        &db,
        "SELECT outcome FROM webhook_receipts WHERE webhook_id = 'u1'",
        &[],
    )
    .await;
    assert_eq!(outcome, "unknown_topic");
    // Unknown topics are not parsed: even a non-JSON body is kept and acked.
    let garbage = Envelope {
        webhook_id: "u2".into(),
        body: Bytes::from_static(b"\xff not json"),
        ..env
    };
    assert_eq!(ok(&db, &garbage).await, Outcome::UnknownTopic);

    let bulk = fixture("bulk/bulk_operations_finish_guide_example.json");
    match ok(&db, &webhook(SHOP, "bulk_operations/finish", "b1", &bulk)).await {
        Outcome::BulkFinished(op) => {
            assert_eq!(
                op.admin_graphql_api_id,
                "gid://shopify/BulkOperation/720918"
            );
            assert_eq!(op.status, "completed");
        }
        other => panic!("{other:?}"),
    }

    let edit = json!({"order_edit": {"id": 1, "order_id": 450789469}});
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/edited", "e1", &edit)).await,
        Outcome::Ignored
    );

    let shop = json!({"id": 690933842, "name": "Apple", "currency": "USD",
                      "iana_timezone": "America/New_York", "domain": "apple.com"});
    assert_eq!(
        ok(&db, &webhook(SHOP, "app/uninstalled", "a1", &shop)).await,
        Outcome::Uninstalled
    );
    // The last-webhook time is folded from the receipts by the compactor, not by writers.
    crate::store::analytics::compact(&db.pool).await.unwrap();
    let row = db
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT installed, uninstalled_at, shopify_shop_id, currency, last_webhook_at IS NOT NULL
             FROM shops WHERE shop_domain = $1",
            &[&SHOP],
        )
        .await
        .unwrap();
    assert!(!row.get::<_, bool>(0));
    assert_eq!(row.get::<_, DateTime<Utc>>(1), t("2025-07-10T16:15:47Z"));
    assert_eq!(row.get::<_, i64>(2), 690933842);
    assert_eq!(row.get::<_, String>(3), "USD");
    assert!(row.get::<_, bool>(4));
}

#[tokio::test]
async fn bad_payloads_are_permanent_errors_with_no_effect() {
    let db = TestDb::new().await;
    let mut wrong = python_order();
    wrong["total_price"] = json!({"amount": 1});
    let err = apply_one(&db, &webhook(SHOP, "orders/create", "bad1", &wrong))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Payload(_)));
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("total_price"), "{err}");

    let not_json = Envelope {
        body: Bytes::from_static(b"{\"id\": 1,"),
        ..webhook(SHOP, "customers/create", "bad2", &json!({}))
    };
    let err = apply_one(&db, &not_json).await.unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");

    let err = apply_one(
        &db,
        &webhook(SHOP, "products/delete", "bad3", &json!({"id": "abc"})),
    )
    .await
    .unwrap_err();
    assert!(!err.is_retryable());

    // A NUL character PostgreSQL's jsonb refuses: a database error, but not retryable.
    let mut nul = python_order();
    nul["note"] = json!("a\u{0}b");
    let err = apply_one(&db, &webhook(SHOP, "orders/create", "bad4", &nul))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err}");
    assert!(!err.is_retryable(), "{err}");

    let receipts: i64 = one(&db, "SELECT count(*) FROM webhook_receipts", &[]).await;
    assert_eq!(receipts, 0, "failed transactions leave no receipt");
}

#[tokio::test]
async fn dead_letters_round_trip() {
    let db = TestDb::new().await;
    let client = db.pool.get().await.unwrap();
    let letter = |shop: &str, n: i32| DeadLetter {
        shop_domain: Some(shop.to_string()),
        msg_id: Some(format!("m{n}")),
        subject: "XENO.webhooks".into(),
        topic: Some("orders/create".into()),
        headers: json!({"x-shopify-topic": "orders/create"}),
        payload: vec![0, 159, 146, 150, n as u8],
        reason: "order: `id` missing".into(),
        deliveries: n,
    };
    let a = dead_letters::insert(&**client, &letter(SHOP, 1))
        .await
        .unwrap();
    let b = dead_letters::insert(&**client, &letter(OTHER, 2))
        .await
        .unwrap();
    let all = dead_letters::list(&**client, None, 10).await.unwrap();
    assert_eq!(all.iter().map(|d| d.id).collect::<Vec<_>>(), [b, a]);
    let mine = dead_letters::list(&**client, Some(&[SHOP.to_string()]), 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].letter, letter(SHOP, 1));
    assert!(dead_letters::mark_replayed(&**client, a).await.unwrap());
    assert!(!dead_letters::mark_replayed(&**client, a).await.unwrap());
    let got = dead_letters::get(&**client, a).await.unwrap().unwrap();
    assert!(got.replayed_at.is_some());
    assert_eq!(
        dead_letters::list(&**client, None, 10).await.unwrap().len(),
        1
    );
    assert!(dead_letters::get(&**client, 999).await.unwrap().is_none());
}

/// Writing an order must cost a bounded number of row fetches, however many orders the shop
/// already has. A fresh database is where this broke: the rollup trigger's lookup of the
/// order was planned once (PL/pgSQL caches a generic plan after five calls) while `orders`
/// was empty, and with no statistics the planner chose `orders_customer_idx` on
/// `shop_domain` alone, so every later write scanned all of the shop's orders (quadratic: a
/// 100 000-order backfill slowed to a crawl). Counted with `pg_stat_xact_user_tables`,
/// which sees this transaction's own fetches without waiting for the statistics flush.
#[tokio::test]
async fn order_writes_do_not_scan_the_shops_orders() {
    let db = TestDb::new().await;
    let mut client = db.pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    const ORDERS: i64 = 400;
    for n in 0..ORDERS {
        let mut order = python_order();
        order["id"] = json!(7_000_000 + n);
        order["customer"]["id"] = json!(8_000_000 + n % 7);
        let env = webhook(SHOP, "orders/create", &format!("scan-{n}"), &order);
        assert_eq!(apply(&tx, &env).await.unwrap(), Outcome::Applied);
    }
    let fetched: i64 = tx
        .query_one(
            "SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'orders'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    tx.commit().await.unwrap();
    // A handful per order (the upsert's conflict check, the rollup's lookup); a scan of the
    // shop's orders would be ORDERS²/2 = 80 000.
    assert!(
        fetched <= 5 * ORDERS,
        "writing {ORDERS} orders fetched {fetched} order rows through indexes"
    );
}
