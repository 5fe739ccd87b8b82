//! Names of the HTTP headers Shopify sends and reads, lowercase as HTTP/2 carries them.
//!
//! The webhook receiver looks them up case-insensitively; the simulator sends them; the
//! JetStream bridge copies them onto NATS messages. One spelling, defined here.

/// The webhook topic, e.g. `orders/create`.
pub const TOPIC: &str = "x-shopify-topic";
/// Base64 HMAC-SHA256 of the raw body under the app's client secret.
pub const HMAC_SHA256: &str = "x-shopify-hmac-sha256";
/// The shop's `*.myshopify.com` domain.
pub const SHOP_DOMAIN: &str = "x-shopify-shop-domain";
/// The API version the payload was rendered with, e.g. `2025-07`.
pub const API_VERSION: &str = "x-shopify-api-version";
/// Unique per delivery: the dedupe key.
pub const WEBHOOK_ID: &str = "x-shopify-webhook-id";
/// Shared by every delivery of one merchant action.
pub const EVENT_ID: &str = "x-shopify-event-id";
/// When the event happened, e.g. `2025-07-10T16:15:47.000000Z`.
pub const TRIGGERED_AT: &str = "x-shopify-triggered-at";
/// Optional name of the subscription that produced the delivery.
pub const NAME: &str = "x-shopify-name";
/// The Admin API access token a request authenticates with.
pub const ACCESS_TOKEN: &str = "x-shopify-access-token";
/// REST bucket usage, `used/max` (e.g. `32/40`).
pub const API_CALL_LIMIT: &str = "x-shopify-shop-api-call-limit";
/// Seconds to wait after a 429.
pub const RETRY_AFTER: &str = "retry-after";

/// The headers Shopify's own library requires on every delivery.
pub const REQUIRED_WEBHOOK: [&str; 5] = [HMAC_SHA256, TOPIC, SHOP_DOMAIN, API_VERSION, WEBHOOK_ID];
