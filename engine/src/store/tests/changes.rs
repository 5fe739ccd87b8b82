//! The change outbox (`store/changes.rs`): written by exactly the statements that change an
//! entity, with the version that statement wrote.

use super::*;

/// `(resource, entity_id, deleted, updated_at, source, webhook_id, columns)` of every
/// outbox row, in `seq` order.
type Recorded = (
    String,
    i64,
    bool,
    DateTime<Utc>,
    String,
    Option<String>,
    Value,
);

async fn recorded(db: &TestDb) -> Vec<Recorded> {
    let client = db.pool.get().await.unwrap();
    client
        .query(
            "SELECT resource, entity_id, deleted, updated_at, source, webhook_id, columns
             FROM change_outbox ORDER BY seq",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
            )
        })
        .collect()
}

#[tokio::test]
async fn only_applied_writes_and_new_tombstones_record_a_change() {
    let db = TestDb::new().await;
    let customer = fixture("rest/go_shopify/customer.json")["customer"].clone();
    let id = customer["id"].as_i64().unwrap();
    let mut newer = with_updated_at(customer.clone(), "2024-02-01T00:00:00Z");
    newer["email"] = json!("new@example.com");

    let first = webhook(SHOP, "customers/update", "c2", &newer);
    assert_eq!(ok(&db, &first).await, Outcome::Applied);
    assert_eq!(ok(&db, &first).await, Outcome::Duplicate);
    let older = with_updated_at(customer.clone(), "2024-01-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/update", "c1", &older)).await,
        Outcome::Stale
    );
    let rows = recorded(&db).await;
    assert_eq!(
        rows.len(),
        1,
        "a duplicate and a stale update record nothing"
    );
    let (resource, entity, deleted, updated_at, source, webhook_id, columns) = &rows[0];
    assert_eq!(
        (resource.as_str(), *entity, *deleted),
        ("customers", id, false)
    );
    assert_eq!(*updated_at, t("2024-02-01T00:00:00Z"));
    assert_eq!(
        (source.as_str(), webhook_id.as_deref()),
        ("webhook", Some("c2"))
    );
    assert_eq!(columns["email"], json!("new@example.com"));
    assert_eq!(columns["id"], json!(id));
    assert!(columns.get("raw").is_none(), "raw is left out");

    let delete = json!({"id": id});
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/delete", "d1", &delete)).await,
        Outcome::Deleted
    );
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/delete", "d2", &delete)).await,
        Outcome::Deleted
    );
    let late = with_updated_at(customer, "2024-03-01T00:00:00Z");
    assert_eq!(
        ok(&db, &webhook(SHOP, "customers/update", "c3", &late)).await,
        Outcome::Stale
    );
    let rows = recorded(&db).await;
    assert_eq!(
        rows.len(),
        2,
        "one tombstone; a second delete and a late update record nothing"
    );
    let (_, entity, deleted, updated_at, _, webhook_id, columns) = &rows[1];
    assert_eq!((*entity, *deleted), (id, true));
    assert_eq!(*updated_at, t("2024-02-01T00:00:00Z"), "the last version's");
    assert_eq!(webhook_id.as_deref(), Some("d1"));
    assert!(columns["deleted_at"].is_string());

    // A delete that arrives first records its tombstone too.
    let unseen = json!({"id": 424242});
    ok(&db, &webhook(SHOP, "products/delete", "d3", &unseen)).await;
    let rows = recorded(&db).await;
    assert_eq!(
        (rows[2].0.as_str(), rows[2].1, rows[2].2),
        ("products", 424242, true)
    );
}

#[tokio::test]
async fn children_ride_with_their_parent_and_sync_records_say_so() {
    let db = TestDb::new().await;
    let order = python_order();
    ok(&db, &webhook(SHOP, "orders/create", "o1", &order)).await;
    let product = fixture("rest/go_shopify/product.json")["product"].clone();
    ok(&db, &webhook(SHOP, "products/create", "p1", &product)).await;
    let rows = recorded(&db).await;
    let (resource, _, _, _, _, _, columns) = &rows[0];
    assert_eq!(resource, "orders");
    let items = columns["line_items"]
        .as_array()
        .expect("line items carried");
    assert_eq!(items.len(), order["line_items"].as_array().unwrap().len());
    assert!(items[0].get("shop_domain").is_none());
    let (resource, _, _, _, _, _, columns) = &rows[1];
    assert_eq!(resource, "products");
    assert_eq!(
        columns["variants"]
            .as_array()
            .expect("variants carried")
            .len(),
        product["variants"].as_array().unwrap().len()
    );

    let all = fixture("graphql/estuary_source_shopify_native_capture_snapshot.json");
    let mut node = all
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == "acmeCo/orders")
        .unwrap()[1]
        .clone();
    node["updatedAt"] = json!("2026-08-18T17:51:39Z");
    let env = sync_graphql(SHOP, "orders/updated", &node);
    assert_eq!(ok(&db, &env).await, Outcome::Applied);
    let rows = recorded(&db).await;
    let (resource, entity, _, _, source, webhook_id, columns) = &rows[2];
    assert_eq!((resource.as_str(), *entity), ("orders", 18697849798701));
    assert_eq!((source.as_str(), webhook_id.as_deref()), ("sync", None));
    assert_eq!(columns["line_items"].as_array().unwrap().len(), 11);
}

/// Two versions of one entity in one pipelined transaction (how the UpsertWriter applies a
/// batch): each change carries the version its own statement wrote, in `seq` order.
#[tokio::test]
async fn each_change_carries_its_own_version() {
    let db = TestDb::new().await;
    let mut client = db.pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    let envs: Vec<Envelope> = (1..=3)
        .map(|i| {
            let mut c = fixture("rest/go_shopify/customer.json")["customer"].clone();
            c["updated_at"] = json!(format!("2024-0{i}-01T00:00:00Z"));
            c["email"] = json!(format!("v{i}@example.com"));
            webhook(SHOP, "customers/update", &format!("v{i}"), &c)
        })
        .collect();
    let outcomes = futures::future::join_all(envs.iter().map(|e| apply(&tx, e))).await;
    assert!(outcomes.iter().all(|o| matches!(o, Ok(Outcome::Applied))));
    tx.commit().await.unwrap();
    let emails: Vec<Value> = recorded(&db)
        .await
        .into_iter()
        .map(|r| r.6["email"].clone())
        .collect();
    assert_eq!(
        emails,
        [
            json!("v1@example.com"),
            json!("v2@example.com"),
            json!("v3@example.com")
        ]
    );
}
