//! What the API tests share: a two-shop engine with a token per shop, a small API client,
//! and SQL and event helpers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::Value;
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::log_sink::LogEvent;
use xeno_engine::testkit;

use crate::common::*;

pub const BETA: &str = "beta.myshopify.com";
pub const ACME_TOKEN: &str = "acme-only-token-0123456789";
pub const BETA_TOKEN: &str = "beta-only-token-0123456789";

/// A second shop and a token for each shop, beside the harness's all-shops token.
pub const TWO_SHOPS: &str = r#"
[[shops]]
domain = "beta.myshopify.com"
webhook_secret_env = "SECRET"
admin_url = "http://127.0.0.1:9"
[[api_tokens]]
name = "acme-only"
token_env = "ACME_TOKEN"
shops = ["acme.myshopify.com"]
[[api_tokens]]
name = "beta-only"
token_env = "BETA_TOKEN"
shops = ["beta.myshopify.com"]
"#;

pub fn env(k: &str) -> Option<String> {
    match k {
        "ACME_TOKEN" => Some(ACME_TOKEN.into()),
        "BETA_TOKEN" => Some(BETA_TOKEN.into()),
        other => Harness::env(other),
    }
}

pub async fn two_shop_engine(h: &Harness) -> Engine {
    // Appended after the harness's shop: a token may only name shops configured before it.
    let text = h.config_text(&testkit::nats_url(), "127.0.0.1:0", "") + TWO_SHOPS;
    let config = Config::from_toml(&text, "test", &env).expect("test config");
    let engine = Engine::start(config).await.expect("engine starts");
    h.wait_ready(engine.addr()).await;
    engine
}

pub struct Api<'a> {
    pub h: &'a Harness,
    pub addr: SocketAddr,
}

impl Api<'_> {
    pub async fn call(&self, method: &str, path: &str, token: Option<&str>) -> (u16, Value) {
        let url = format!("http://{}{path}", self.addr);
        let mut req = match method {
            "POST" => self.h.http.post(url),
            _ => self.h.http.get(url),
        };
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, Some(token)).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// Inserts an order straight into the test database (the triggers keep the rollups).
pub async fn insert_order(
    h: &Harness,
    shop: &str,
    id: i64,
    customer: Option<i64>,
    currency: &str,
    total: &str,
    created_at: &str,
) {
    let c = h.db.pool.get().await.unwrap();
    c.execute(
        "INSERT INTO orders (shop_domain, id, customer_id, currency, total_price, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::text::numeric, $6::text::timestamptz, now())",
        &[&shop, &id, &customer, &currency, &total, &created_at],
    )
    .await
    .unwrap();
}

pub async fn sql(h: &Harness, statement: &str) {
    h.db.pool
        .get()
        .await
        .unwrap()
        .batch_execute(statement)
        .await
        .unwrap();
}

pub fn event(shop: Option<&str>, level: &str, message: &str) -> LogEvent {
    LogEvent {
        seq: 0,
        at: chrono::Utc::now(),
        level: level.into(),
        shop: shop.map(str::to_string),
        source: "api_test".into(),
        message: message.into(),
        fields: Default::default(),
    }
}

/// Reads an SSE response until `want` appears in it (or `secs` pass); returns what was read.
pub async fn read_sse_until(resp: &mut reqwest::Response, want: &str, secs: u64) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !seen.contains(want) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), resp.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            Ok(_) => break,
            Err(_) => {}
        }
    }
    seen
}
