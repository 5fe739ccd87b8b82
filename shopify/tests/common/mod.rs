//! Helpers shared by the parser tests: the fixtures in `shared/fixtures/shopify/` and short
//! constructors for expected values.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

pub fn fixture(path: &str) -> Value {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/shopify")
        .join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()));
    serde_json::from_slice(&bytes).expect("fixture is JSON")
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn some_dec(s: &str) -> Option<Decimal> {
    Some(dec(s))
}

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The GraphQL snapshot's document for one collection.
pub fn snapshot(collection: &str) -> Value {
    let all = fixture("graphql/estuary_source_shopify_native_capture_snapshot.json");
    all.as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == collection)
        .map(|pair| pair[1].clone())
        .unwrap_or_else(|| panic!("no {collection} in snapshot"))
}

/// Replaces the connector's `"updatedAt": "redacted"` with a real time (see the module docs
/// of `parse`: a redacted `updatedAt` is rejected).
pub fn unredact(mut v: Value, at: &str) -> Value {
    assert_eq!(v["updatedAt"], "redacted");
    v["updatedAt"] = json!(at);
    v
}
