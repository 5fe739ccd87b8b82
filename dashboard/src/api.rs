//! Talking to the engine: the session token and JSON calls with the bearer token. The shapes
//! of the answers are the engine's own types, from the `xeno-api-types` crate (`api-types/`):
//! the engine serialises them and this dashboard decodes them, so the two cannot drift.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
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
