//! Store tests against the real PostgreSQL (127.0.0.1:5432, `XENO_TEST_POSTGRES`), each in
//! its own database (`TestDb`), fed with the real payloads of `shared/fixtures/shopify/`.
//! This file holds the helpers; the tests are split by topic: [`resources`] (upserts,
//! guards, tombstones, refunds), [`compliance`] (redactions, data requests) and
//! [`edge_cases`] (unknown topics, bad payloads, dead letters, query plans).

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;
use crate::envelope::{Envelope, Format, Source};
use crate::testkit::TestDb;
use xeno_shopify::Topic;

mod changes;
mod compliance;
mod edge_cases;
mod resources;

pub(super) const SHOP: &str = "apple.myshopify.com";
pub(super) const OTHER: &str = "pear.myshopify.com";

pub(super) fn fixture(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/shopify")
        .join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()));
    serde_json::from_slice(&bytes).expect("fixture is JSON")
}

pub(super) fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub(super) fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(super) fn webhook(shop: &str, topic: &str, webhook_id: &str, body: &Value) -> Envelope {
    Envelope {
        shop_domain: shop.to_string(),
        topic: Topic::parse(topic),
        webhook_id: webhook_id.to_string(),
        event_id: Some(format!("event-{webhook_id}")),
        api_version: Some("2025-07".to_string()),
        triggered_at: Some(t("2025-07-10T16:15:47Z")),
        source: Source::Webhook,
        format: Format::Rest,
        body: Bytes::from(body.to_string()),
    }
}

pub(super) fn sync_graphql(shop: &str, topic: &str, body: &Value) -> Envelope {
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
pub(super) async fn apply_one(db: &TestDb, env: &Envelope) -> Result<Outcome, StoreError> {
    let mut client = db.pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    let outcome = apply(&tx, env).await?;
    tx.commit().await.unwrap();
    Ok(outcome)
}

pub(super) async fn ok(db: &TestDb, env: &Envelope) -> Outcome {
    apply_one(db, env)
        .await
        .unwrap_or_else(|e| panic!("{} {}: {e}", env.topic, env.webhook_id))
}

pub(super) async fn one<T: for<'a> tokio_postgres::types::FromSql<'a>>(
    db: &TestDb,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> T {
    let client = db.pool.get().await.unwrap();
    client.query_one(sql, params).await.unwrap().get(0)
}

pub(super) fn python_order() -> Value {
    fixture("rest/shopify_python_api/order.json")["order"].clone()
}

pub(super) fn with_updated_at(mut v: Value, at: &str) -> Value {
    v["updated_at"] = json!(at);
    v
}
