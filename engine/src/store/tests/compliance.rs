//! Compliance requests: `customers/redact`, `shop/redact`, `customers/data_request`.

use super::*;
use crate::store::dead_letters::{self, DeadLetter};

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
            ("customers".to_string(), "raw".to_string(), 1),
            // The other shop's change of its Bob, not yet published (no relay runs here).
            ("change_outbox".to_string(), "columns".to_string(), 1)
        ],
        "{left:?}"
    );
    let ours: i64 = client
        .query_one(
            "SELECT count(*) FROM change_outbox
             WHERE shop_domain <> $1 AND strpos(lower(columns::text), $2) > 0",
            &[&OTHER, &email],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(ours, 0, "this shop's unpublished changes were scrubbed too");
    assert!(traces(&db, "555-625-1199")
        .await
        .iter()
        .all(|(table, _, _)| table == "customers"));

    assert_bob_rows_redacted(&db).await;

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
    assert_eq!(left.len(), 3, "{left:?}");
    let kind: String = one(
        &db,
        "SELECT kind FROM compliance_requests WHERE webhook_id = 'x1'",
        &[],
    )
    .await;
    assert_eq!(kind, "customers/redact");
}

/// Bob's customer row is a redaction placeholder, his orders lost their personal parts but
/// kept their totals, and rows about others are untouched.
async fn assert_bob_rows_redacted(db: &TestDb) {
    let client = db.pool.get().await.unwrap();
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

/// `customers/redact` erases an order's note attributes (what the buyer typed at checkout)
/// and a later update of the order does not bring them back; its tax and shipping lines,
/// which hold nothing personal, stay and keep following the order.
#[tokio::test]
async fn customers_redact_erases_note_attributes_for_good() {
    let db = TestDb::new().await;
    let order = python_order();
    ok(&db, &webhook(SHOP, "orders/create", "n1", &order)).await;
    let attributes = "SELECT note_attributes FROM orders WHERE shop_domain = $1 AND id = 450789469";
    let before: Option<Value> = one(&db, attributes, &[&SHOP]).await;
    assert_eq!(
        before,
        Some(
            json!([{"name": "custom engraving", "value": "Happy Birthday"},
            {"name": "colour", "value": "green"}])
        )
    );
    let redact = json!({"shop_id": 1, "shop_domain": SHOP,
        "customer": {"id": 207119551, "email": "bob.norman@hostmail.com", "phone": null},
        "orders_to_redact": [450789469]});
    ok(&db, &webhook(SHOP, "customers/redact", "n2", &redact)).await;
    let late = with_updated_at(order, "2030-01-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "orders/updated", "n3", &late)).await,
        Outcome::Applied
    );
    let after: Option<Value> = one(&db, attributes, &[&SHOP]).await;
    assert_eq!(after, None);
    let lines: i32 = one(
        &db,
        "SELECT jsonb_array_length(shipping_lines) + jsonb_array_length(tax_lines)
         FROM orders WHERE shop_domain = $1 AND id = 450789469",
        &[&SHOP],
    )
    .await;
    assert_eq!(lines, 2);
}
