//! Names of the HTTP headers Shopify sends and reads, spelled as Shopify documents them.
//!
//! One spelling, defined here, for every user: the webhook receiver looks them up (HTTP header
//! lookups ignore case, and HTTP/2 carries them lowercase); the simulator sends them; the sync
//! client authenticates with [`ACCESS_TOKEN`]; the engine's JetStream codec copies them onto
//! NATS messages, where names are case-sensitive, so this exact spelling is what is stored
//! on the bus and in dead letters. (A lowercase `http::HeaderName` is made with
//! `HeaderName::from_bytes`, not `from_static`, which refuses capitals.)

/// The webhook topic, e.g. `orders/create`.
pub const TOPIC: &str = "X-Shopify-Topic";
/// Base64 HMAC-SHA256 of the raw body under the app's client secret.
pub const HMAC_SHA256: &str = "X-Shopify-Hmac-Sha256";
/// The shop's `*.myshopify.com` domain.
pub const SHOP_DOMAIN: &str = "X-Shopify-Shop-Domain";
/// The API version the payload was rendered with, e.g. `2025-07`.
pub const API_VERSION: &str = "X-Shopify-API-Version";
/// Unique per delivery: the dedupe key.
pub const WEBHOOK_ID: &str = "X-Shopify-Webhook-Id";
/// Shared by every delivery of one merchant action.
pub const EVENT_ID: &str = "X-Shopify-Event-Id";
/// When the event happened, e.g. `2025-07-10T16:15:47.000000Z`.
pub const TRIGGERED_AT: &str = "X-Shopify-Triggered-At";
/// Optional name of the subscription that produced the delivery.
pub const NAME: &str = "X-Shopify-Name";
/// The Admin API access token a request authenticates with.
pub const ACCESS_TOKEN: &str = "X-Shopify-Access-Token";
/// REST bucket usage, `used/max` (e.g. `32/40`).
pub const API_CALL_LIMIT: &str = "X-Shopify-Shop-Api-Call-Limit";
/// Seconds to wait after a 429.
pub const RETRY_AFTER: &str = "Retry-After";

/// The headers Shopify's own library requires on every delivery.
pub const REQUIRED_WEBHOOK: [&str; 5] = [HMAC_SHA256, TOPIC, SHOP_DOMAIN, API_VERSION, WEBHOOK_ID];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shopify_headers_whatever_their_case() {
        for name in REQUIRED_WEBHOOK
            .iter()
            .chain(&[EVENT_ID, TRIGGERED_AT, ACCESS_TOKEN])
        {
            assert!(
                name.to_ascii_lowercase().starts_with("x-shopify-"),
                "{name}"
            );
        }
    }
}
