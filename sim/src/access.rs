//! What every Admin API request passes first, GraphQL (`graphql/handler.rs`) and REST
//! (`rest.rs`) alike: injected faults (slow, 429, 5xx) and the access token; and the scopes the
//! simulated app holds.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::Rng;
use serde_json::json;
use xeno_shopify::headers;

use crate::state::Shared;
use crate::webhooks::lock;

/// Scopes the simulated app holds.
pub const ACCESS_SCOPES: [&str; 5] = [
    "read_orders",
    "read_all_orders",
    "read_customers",
    "read_products",
    "write_webhooks",
];

/// `401` body Shopify sends for a missing or wrong token.
pub const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";

/// Injected API faults: a slow answer, then maybe 429 or 5xx. `None` means go on.
pub async fn injected_fault(shared: &Shared) -> Option<Response> {
    let faults = shared.config.api_faults;
    if !faults.slow.is_zero() {
        tokio::time::sleep(faults.slow).await;
    }
    let (throttle, fail, code) = {
        let mut rng = lock(&shared.fault_rng);
        (
            rng.gen_bool(faults.rate_429),
            rng.gen_bool(faults.rate_5xx),
            [500u16, 502, 503][rng.gen_range(0..3)],
        )
    };
    if throttle {
        return Some(
            (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "2.0")], Json(json!({"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})))
                .into_response(),
        );
    }
    if fail {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some((status, Json(json!({"errors": "Internal Server Error"}))).into_response());
    }
    None
}

/// True when the request carries the shop's access token.
pub fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    headers
        .get(headers::ACCESS_TOKEN)
        .and_then(|v| v.to_str().ok())
        == Some(shared.config.access_token.as_str())
}
