//! Unknown topics, bulk finish and uninstall, bad payloads, dead letters, and the query plan
//! of order writes.

use super::*;
use crate::store::dead_letters::{self, DeadLetter};

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
