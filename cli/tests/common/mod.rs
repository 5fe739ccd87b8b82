//! Black-box test harness: a private database and stream per test, an engine started
//! in-process (or as a child process), and signed webhook deliveries like Shopify's.
#![allow(dead_code)]

pub mod deliveries;
pub mod nats_cluster;
pub mod process;
pub mod raw_http;
pub mod receiver;
pub mod shopify_artifacts;
pub mod sim_store;
pub mod tcp_proxy;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::testkit::{self, TestDb};

pub const SHOP: &str = "acme.myshopify.com";
pub const SECRET: &str = "test-webhook-secret";
pub const API_TOKEN: &str = "test-api-token-0123456789";

pub struct Harness {
    pub db: TestDb,
    pub stream: String,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn new() -> Harness {
        Harness {
            db: TestDb::new().await,
            stream: testkit::unique_stream(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    /// The engine's config: this test's database and stream, port 0, and `extra` TOML merged
    /// over it key by key (e.g. "[writer]\nmax_deliveries = 2").
    pub fn config_text(&self, nats_url: &str, listen: &str, extra: &str) -> String {
        let base = format!(
            r#"
[server]
listen = "{listen}"
publish_timeout = "1s"
[postgres]
url = "{pg}"
pool_size = 8
[nats]
url = "{nats_url}"
stream = "{stream}"
[[shops]]
domain = "{SHOP}"
webhook_secret_env = "SECRET"
access_token_env = "TOKEN"
admin_url = "http://127.0.0.1:9"
[[api_tokens]]
token_env = "API_TOKEN"
shops = ["*"]
"#,
            pg = self.db.url,
            stream = self.stream,
        );
        let mut merged: toml::Table = base.parse().expect("base config");
        let extra: toml::Table = extra.parse().expect("extra config");
        merge(&mut merged, extra);
        toml::to_string(&merged).expect("config serialises")
    }

    pub fn env(k: &str) -> Option<String> {
        match k {
            "SECRET" => Some(SECRET.into()),
            "TOKEN" => Some("shpat_test".into()),
            "API_TOKEN" => Some(API_TOKEN.into()),
            _ => None,
        }
    }

    pub fn config(&self, extra: &str) -> Config {
        let text = self.config_text(&testkit::nats_url(), "127.0.0.1:0", extra);
        Config::from_toml(&text, "test", &Self::env).expect("test config")
    }

    pub async fn engine(&self, extra: &str) -> Engine {
        let engine = Engine::start(self.config(extra))
            .await
            .expect("engine starts");
        self.wait_ready(engine.addr()).await;
        engine
    }

    pub async fn wait_ready(&self, addr: SocketAddr) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = self.http.get(format!("http://{addr}/readyz")).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "engine never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn post(
        &self,
        addr: SocketAddr,
        topic: &str,
        webhook_id: &str,
        body: &[u8],
    ) -> (u16, String) {
        let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), body);
        self.post_with(addr, &webhook_headers(topic, webhook_id, &sig), body)
            .await
    }

    pub async fn post_with(
        &self,
        addr: SocketAddr,
        headers: &[(String, String)],
        body: &[u8],
    ) -> (u16, String) {
        let mut req = self
            .http
            .post(format!("http://{addr}/api/webhooks"))
            .body(body.to_vec());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        (status, r.text().await.unwrap_or_default())
    }

    /// `GET path` of the engine's API with the harness's token, as JSON.
    pub async fn api_get(&self, addr: SocketAddr, path: &str) -> serde_json::Value {
        self.http
            .get(format!("http://{addr}{path}"))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON answer")
    }

    /// A dead letter of `customers/update` on the stream's own subject (so a replay can
    /// publish it) whose payload is a valid customer `id`: replayed, the writers apply it.
    pub async fn insert_customer_dead_letter(&self, id: i64, email: &str) {
        let subject = format!("{}.webhook.{}", self.stream, SHOP.replace('.', "_"));
        let body =
            format!(r#"{{"id": {id}, "email": "{email}", "updated_at": "2025-01-01T00:00:00Z"}}"#);
        let msg_id = format!("wh-{id}");
        self.db
            .pool
            .get()
            .await
            .unwrap()
            .execute(
                "INSERT INTO dead_letters (shop_domain, msg_id, subject, topic, headers, payload, reason, deliveries)
                 VALUES ($1, $4, $2, 'customers/update',
                         jsonb_build_object('X-Shopify-Topic', 'customers/update',
                                            'X-Shopify-Shop-Domain', $1::text,
                                            'X-Shopify-Webhook-Id', $4::text,
                                            'Xeno-Source', 'webhook', 'Xeno-Format', 'rest'),
                         convert_to($3, 'UTF8'), 'database was down', 5)",
                &[&SHOP, &subject, &body, &msg_id],
            )
            .await
            .unwrap();
    }

    pub async fn query_i64(&self, sql: &str) -> i64 {
        let c = self.db.pool.get().await.unwrap();
        c.query_one(sql, &[]).await.unwrap().get(0)
    }

    /// Polls `sql` (returning one bigint) until it equals `want`, or fails after `secs`.
    pub async fn wait_count(&self, sql: &str, want: i64, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let got = self.query_i64(sql).await;
            if got == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{sql}` is {got}, expected {want}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Messages currently in this test's stream.
    pub async fn stream_messages(&self) -> u64 {
        let client = async_nats::connect(testkit::nats_url()).await.unwrap();
        let js = async_nats::jetstream::new(client);
        match js.get_stream(&self.stream).await {
            Ok(mut s) => s.info().await.unwrap().state.messages,
            Err(_) => 0,
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let stream = self.stream.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(c) = async_nats::connect(testkit::nats_url()).await {
                    let js = async_nats::jetstream::new(c);
                    let _ = js.delete_stream(&stream).await;
                    // The change feed's stream (`engine/src/bus/names.rs`).
                    let _ = js.delete_stream(format!("{stream}_changes")).await;
                }
            });
        })
        .join();
    }
}

fn merge(into: &mut toml::Table, from: toml::Table) {
    for (k, v) in from {
        match (into.get_mut(&k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => merge(a, b),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

pub fn webhook_headers(topic: &str, webhook_id: &str, signature: &str) -> Vec<(String, String)> {
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("X-Shopify-Topic".into(), topic.into()),
        ("X-Shopify-Hmac-Sha256".into(), signature.into()),
        ("X-Shopify-Shop-Domain".into(), SHOP.into()),
        ("X-Shopify-Webhook-Id".into(), webhook_id.into()),
        (
            "X-Shopify-API-Version".into(),
            xeno_shopify::versions::LATEST_STABLE.into(),
        ),
        ("X-Shopify-Event-Id".into(), format!("evt-{webhook_id}")),
        (
            "X-Shopify-Triggered-At".into(),
            "2025-07-10T16:15:47.000000Z".into(),
        ),
    ]
}

/// `shared/fixtures/shopify/…` beside the checkout.
pub fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/shopify")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

/// The object inside a REST response fixture (`{"order": {...}}` → `{...}`).
pub fn unwrap_resource(bytes: &[u8], key: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    v.get(key).cloned().unwrap_or(v)
}

pub fn uid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A port nothing listens on right now, for servers that must be given a fixed address.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
