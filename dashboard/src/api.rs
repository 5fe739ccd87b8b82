//! Talking to the engine: the session token, JSON calls with the bearer token, and the shapes
//! of the API's answers (only the fields the dashboard shows; see `engine/src/api/`).

use std::collections::BTreeMap;

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

const TOKEN_KEY: &str = "xeno.token";

/// The token kept for this browser session (sessionStorage: gone when the tab closes).
pub fn stored_token() -> Option<String> {
    let storage = web_sys::window()?.session_storage().ok()??;
    storage.get_item(TOKEN_KEY).ok()?.filter(|t| !t.is_empty())
}

pub fn store_token(token: &str) {
    if let Some(Ok(Some(s))) = web_sys::window().map(|w| w.session_storage()) {
        let _ = s.set_item(TOKEN_KEY, token);
    }
}

pub fn forget_token() {
    if let Some(Ok(Some(s))) = web_sys::window().map(|w| w.session_storage()) {
        let _ = s.remove_item(TOKEN_KEY);
    }
}

/// A `/#token=…` link: takes the token and strips the fragment from the address bar (and
/// history), so it is neither shown nor bookmarked. The fragment never reaches the server.
pub fn take_token_from_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let hash = location.hash().ok()?;
    let token = hash.strip_prefix("#token=")?;
    let token = js_sys::decode_uri_component(token)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| token.to_string());
    let clean = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    (!token.is_empty()).then_some(token)
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The token is not (or no longer) accepted: back to the login screen.
    Unauthorized,
    /// No answer at all: the engine is down or the network is.
    Unreachable,
    /// The engine answered with an error.
    Status(u16, String),
}

impl CallError {
    pub fn describe(&self) -> String {
        match self {
            CallError::Unauthorized => "the token was refused".into(),
            CallError::Unreachable => "engine unreachable — retrying".into(),
            CallError::Status(code, message) => format!("{message} ({code})"),
        }
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, CallError> {
    let status = response.status();
    if status == 401 {
        return Err(CallError::Unauthorized);
    }
    if !(200..300).contains(&status) {
        let message = response
            .json::<Value>()
            .await
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| response.status_text());
        return Err(CallError::Status(status, message));
    }
    response
        .json::<T>()
        .await
        .map_err(|e| CallError::Status(status, format!("unexpected answer: {e}")))
}

/// `GET path` with the token.
pub async fn get<T: DeserializeOwned>(path: &str, token: &str) -> Result<T, CallError> {
    let response = Request::get(path)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| CallError::Unreachable)?;
    read(response).await
}

/// `POST path` with the token and an optional JSON body.
pub async fn post<T: DeserializeOwned>(
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Result<T, CallError> {
    let request = Request::post(path).header("Authorization", &format!("Bearer {token}"));
    let request = match body {
        Some(b) => request
            .json(&b)
            .map_err(|e| CallError::Status(0, e.to_string()))?,
        None => request
            .build()
            .map_err(|e| CallError::Status(0, e.to_string()))?,
    };
    let response = request.send().await.map_err(|_| CallError::Unreachable)?;
    read(response).await
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    js_sys::encode_uri_component(value)
        .as_string()
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Answer shapes.

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Shop {
    pub shop: String,
    pub currency: Option<String>,
    pub time_zone: String,
    pub last_webhook_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Shops {
    pub shops: Vec<Shop>,
}

pub type Money = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct Figures {
    pub orders_count: i64,
    pub customers_count: i64,
    pub products_count: i64,
    pub revenue: Money,
    pub refunds: Money,
    pub net_revenue: Money,
    pub average_order_value: Money,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Stats {
    #[serde(flatten)]
    pub current: Figures,
    pub previous: Figures,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SeriesPoint {
    pub start: String,
    pub orders_count: i64,
    pub revenue: Money,
    pub refunds: Money,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Series {
    pub bucket: String,
    pub time_zone: String,
    pub currencies: Vec<String>,
    pub points: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TopCustomer {
    pub shop: String,
    pub customer_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub orders_count: i64,
    pub spent: String,
    pub last_order_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CurrencyRanking {
    pub currency: String,
    pub customers: Vec<TopCustomer>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TopCustomers {
    pub by_currency: Vec<CurrencyRanking>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LogLine {
    #[serde(alias = "id")]
    pub seq: u64,
    pub at: String,
    pub level: String,
    pub shop: Option<String>,
    pub source: String,
    pub message: String,
    #[serde(default)]
    pub fields: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Component {
    pub up: bool,
    pub restarts: u64,
    pub last_error: Option<String>,
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Dependency {
    pub up: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct Queue {
    pub stream_messages: Option<u64>,
    pub consumer_pending: Option<u64>,
    pub consumer_ack_pending: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(default)]
pub struct Throughput {
    pub webhooks_acked: u64,
    pub webhooks_acked_per_second: Option<f64>,
    pub writer_messages: u64,
    pub writer_messages_per_second: Option<f64>,
    pub publish_failures: u64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShopHealth {
    pub shop: String,
    pub last_webhook_at: Option<String>,
    pub webhooks_accepted: u64,
    pub bucket_available: Option<f64>,
    pub bucket_maximum: Option<f64>,
    pub dead_letters_open: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Health {
    pub status: String,
    pub uptime_seconds: i64,
    pub components: BTreeMap<String, Component>,
    pub postgres: Dependency,
    pub jetstream: Dependency,
    pub queue: Queue,
    pub throughput: Option<Throughput>,
    pub dead_letters_open: i64,
    pub shops: Vec<ShopHealth>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ResourceSync {
    pub resource: String,
    pub status: String,
    pub mode: Option<String>,
    #[serde(default)]
    pub objects_done: i64,
    pub last_error: Option<String>,
    pub rate_per_second: Option<f64>,
    pub progress: Option<f64>,
    pub eta_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShopSync {
    pub shop: String,
    pub running: bool,
    pub last_reconciled_at: Option<String>,
    pub resources: Vec<ResourceSync>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SyncStatus {
    pub shops: Vec<ShopSync>,
    pub events: Vec<LogLine>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeadLetter {
    pub id: i64,
    pub shop: Option<String>,
    pub topic: Option<String>,
    pub reason: String,
    pub deliveries: i32,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeadLetters {
    pub dead_letters: Vec<DeadLetter>,
    pub open_count: i64,
}
