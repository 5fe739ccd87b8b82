//! Hostile and broken input, black box, against the real PostgreSQL and NATS: every case
//! gets the right status with a clear reason, stores nothing it should not, keeps what it
//! must, and leaves the engine healthy (`/readyz` 200, and a good webhook is still written).
//!
//! What `webhooks.rs` already covers (bad/missing/truncated HMAC, unknown shop, missing
//! headers, non-JSON text, odd-case domains, a small `max_body_bytes`, a poison message,
//! unknown topics) is not repeated here.
//!
//! One test binary, a file per topic: [`bodies`] (not JSON, deep, wrong types),
//! [`connections`] (huge bodies and headers, slow and idle clients), [`api`] (odd tokens,
//! parameters and sync requests); the helpers they share are here.

#[path = "../common/mod.rs"]
mod common;

mod api;
mod bodies;
mod connections;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::raw_http::{self, Ending};
use common::*;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

/// A small valid order with id `id`.
fn order(id: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "name": "#1", "currency": "USD", "total_price": "1.00",
        "updated_at": "2025-01-01T00:00:00Z", "line_items": []
    }))
    .unwrap()
}

/// The engine still works: ready, and a good webhook is acknowledged and written.
async fn assert_healthy(h: &Harness, addr: SocketAddr) {
    let r = h
        .http
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "readyz");
    let id = 8_000_000 + rand_id();
    let (s, text) = h.post(addr, "orders/create", &uid(), &order(id)).await;
    assert_eq!(s, 200, "a good webhook after the bad input: {text}");
    h.wait_count(
        &format!("SELECT count(*) FROM orders WHERE id = {id}"),
        1,
        30,
    )
    .await;
}

async fn wait_receipt(h: &Harness, webhook_id: &str) {
    let sql = format!("SELECT count(*) FROM webhook_receipts WHERE webhook_id = '{webhook_id}'");
    h.wait_count(&sql, 1, 30).await;
}

fn rand_id() -> i64 {
    (uuid::Uuid::new_v4().as_u128() % 1_000_000) as i64
}
