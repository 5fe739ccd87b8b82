//! What the simulator's black-box tests share: a small seeded config, a GraphQL client, the
//! export reader, and a webhook receiver that checks signatures.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use xeno_sim::{SimConfig, SimHandle};

/// Shopify's published artifacts, shared with the black-box tests of `cli/tests/`.
#[path = "../../../cli/tests/common/shopify_artifacts.rs"]
pub mod shopify_artifacts;

pub const TOKEN: &str = "shpat_test";
pub const SECRET: &str = "whsec_test";

pub fn config() -> SimConfig {
    SimConfig {
        access_token: TOKEN.into(),
        webhook_secret: SECRET.into(),
        customers: 40,
        products: 15,
        orders: 120,
        seed: 7,
        ..SimConfig::default()
    }
}

pub async fn gql(
    sim: &SimHandle,
    version: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/admin/api/{version}/graphql.json",
            sim.base_url()
        ))
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (
        StatusCode::from_u16(status.as_u16()).unwrap(),
        resp.json().await.unwrap(),
    )
}

pub async fn export(sim: &SimHandle) -> Vec<Value> {
    let text = reqwest::get(format!("{}/_sim/export", sim.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn ts(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub triggered_at: String,
    pub topic: String,
    pub webhook_id: String,
    pub api_version: String,
    pub body: Value,
}

/// A tiny receiver that verifies each delivery's HMAC independently and records it.
pub async fn receiver(status: StatusCode) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    async fn hook(
        State((seen, status)): State<(Arc<Mutex<Vec<Seen>>>, StatusCode)>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> StatusCode {
        let h = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(&body);
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert_eq!(h("x-shopify-hmac-sha256"), expected);
        assert_eq!(h("x-shopify-shop-domain"), "xeno-sim.myshopify.com");
        assert_eq!(h("content-type"), "application/json");
        assert!(!h("x-shopify-event-id").is_empty() && !h("x-shopify-api-version").is_empty());
        let triggered = h("x-shopify-triggered-at");
        assert!(
            triggered.ends_with('Z') && triggered.len() == "2025-07-10T16:15:47.000000Z".len(),
            "{triggered}"
        );
        seen.lock().unwrap().push(Seen {
            triggered_at: triggered,
            topic: h("x-shopify-topic"),
            webhook_id: h("x-shopify-webhook-id"),
            api_version: h("x-shopify-api-version"),
            body: serde_json::from_slice(&body).unwrap(),
        });
        status
    }
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state((seen.clone(), status));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}
