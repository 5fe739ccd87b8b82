//! Resource records: every fixture lands with its values, sync records, duplicates, the
//! `updated_at` guard, tombstones and refunds.

use super::*;

#[tokio::test]
async fn every_fixture_webhook_lands_with_the_right_values() {
    let db = TestDb::new().await;
    fixture_orders_land(&db).await;
    fixture_customers_land(&db).await;
    fixture_products_land(&db).await;
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

/// The REST order fixtures, with their line items.
async fn fixture_orders_land(db: &TestDb) {
    let orders = [
        python_order(),
        fixture("rest/go_shopify/order.json")["order"].clone(),
    ];
    for (i, o) in orders.iter().enumerate() {
        let env = webhook(SHOP, "orders/create", &format!("o{i}"), o);
        assert_eq!(ok(db, &env).await, Outcome::Applied);
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
}

/// The REST customer fixtures.
async fn fixture_customers_land(db: &TestDb) {
    let client = db.pool.get().await.unwrap();
    // Customers.
    for (i, c) in [
        fixture("rest/shopify_python_api/customer.json")["customer"].clone(),
        fixture("rest/go_shopify/customer.json")["customer"].clone(),
    ]
    .iter()
    .enumerate()
    {
        let env = webhook(SHOP, "customers/create", &format!("c{i}"), c);
        assert_eq!(ok(db, &env).await, Outcome::Applied);
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
}

/// The REST product fixtures, with their variants.
async fn fixture_products_land(db: &TestDb) {
    let client = db.pool.get().await.unwrap();
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
        assert_eq!(ok(db, &env).await, Outcome::Applied);
    }
    let n: i64 = one(
        db,
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
    newer["shipping_lines"] = json!([]);
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
    let shipping: Value = one(&db, "SELECT shipping_lines FROM orders", &[]).await;
    assert_eq!(
        shipping,
        json!([]),
        "the stale payload's shipping lines were not written"
    );
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
