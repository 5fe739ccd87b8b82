//! `POST /api/webhooks`: verify, publish, answer — in that order, and 200 only after JetStream's
//! PubAck. Every rejection is a short plain-text reason with the status Shopify expects:
//! 401 unknown shop or bad signature (nothing stored or queued), 400 missing headers or a body
//! that is not JSON, 413 too large, 503 when the queue cannot make the message durable
//! (Shopify retries). Routed by `engine/src/http/router.rs`; publishes through the
//! JetStreamBridge (`engine/src/bus/bridge.rs`).

use std::time::Instant;
use xeno_shopify::headers;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::bus::codec::parse_time;
use crate::bus::PublishError;
use crate::envelope::{Envelope, Format, Source};
use crate::http::state::AppState;
use crate::metrics::ShopLabels;

/// Why a delivery was refused, with its status and the reason the sender sees.
#[derive(Debug, PartialEq, Eq)]
pub struct Rejection {
    pub status: StatusCode,
    pub outcome: &'static str,
    pub reason: String,
}

impl Rejection {
    fn new(status: StatusCode, outcome: &'static str, reason: impl Into<String>) -> Self {
        Rejection {
            status,
            outcome,
            reason: reason.into(),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        (self.status, format!("{}\n", self.reason)).into_response()
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

#[utoipa::path(
    post,
    path = "/api/webhooks",
    tag = "webhooks",
    summary = "Receive one Shopify webhook",
    params(
        ("X-Shopify-Shop-Domain" = String, Header, description = "The configured shop that sent it (401 if unknown)."),
        ("X-Shopify-Topic" = String, Header, description = "e.g. `orders/create`."),
        ("X-Shopify-Webhook-Id" = String, Header, description = "The delivery's id: JetStream's dedupe key."),
        ("X-Shopify-API-Version" = String, Header, description = "The Admin API version of the body."),
        ("X-Shopify-Event-Id" = Option<String>, Header, description = "The event's id (the same across subscriptions)."),
        ("X-Shopify-Triggered-At" = Option<String>, Header, format = DateTime, description = "When Shopify raised the event."),
    ),
    request_body(content = Object, content_type = "application/json", description = "The webhook's JSON body, exactly as Shopify signed it."),
    responses(
        (status = 200, description = "Durable in JetStream (after its PubAck), or a duplicate of a delivery that is.", content_type = "text/plain", body = String, example = "ok\n"),
        (status = 400, description = "A required header is missing or too long, or the body is not JSON.", content_type = "text/plain", body = String),
        (status = 401, description = "Unknown shop, or a missing or invalid signature: nothing is stored.", content_type = "text/plain", body = String),
        (status = 408, description = "Not answered within `server.request_timeout` (Shopify retries)."),
        (status = 413, description = "Body larger than `server.max_body_bytes`.", content_type = "text/plain", body = String),
        (status = 503, description = "The queue cannot make it durable now; Shopify retries.", content_type = "text/plain", body = String),
    ),
    security(("shopify_hmac" = []))
)]
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    match accept(&state, &headers, body).await {
        Ok((envelope, duplicate)) => {
            let outcome = if duplicate { "duplicate" } else { "accepted" };
            state.metrics.webhook(outcome);
            state
                .metrics
                .webhooks_by_shop
                .get_or_create(&ShopLabels {
                    shop: envelope.shop_domain.clone(),
                })
                .inc();
            state.note_webhook(&envelope.shop_domain);
            state
                .metrics
                .webhook_ack_seconds
                .observe(started.elapsed().as_secs_f64());
            tracing::debug!(
                shop = %envelope.shop_domain,
                topic = %envelope.topic,
                webhook_id = %envelope.webhook_id,
                duplicate,
                "webhook queued"
            );
            (StatusCode::OK, "ok\n").into_response()
        }
        Err(rejection) => {
            state.metrics.webhook(rejection.outcome);
            if rejection.status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!(reason = %rejection.reason, "webhook refused with 503");
            } else {
                tracing::debug!(status = rejection.status.as_u16(), reason = %rejection.reason, "webhook rejected");
            }
            rejection.into_response()
        }
    }
}

/// Checks, in an order that never does expensive work for a stranger: the shop is ours and the
/// request carries a signature; the body fits; the signature verifies; the headers Shopify
/// always sends are there; the body is JSON. Then publishes and waits for the PubAck.
async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Envelope, bool), Rejection> {
    let unauthorized =
        |reason: &str| Rejection::new(StatusCode::UNAUTHORIZED, "unauthorized", reason);

    let raw_domain = header(headers, headers::SHOP_DOMAIN)
        .ok_or_else(|| unauthorized("missing X-Shopify-Shop-Domain"))?;
    let domain = xeno_shopify::domain::normalize_shop_domain(raw_domain)
        .map_err(|_| unauthorized("unknown shop"))?;
    let shop = state
        .config
        .shop(&domain)
        .ok_or_else(|| unauthorized("unknown shop"))?;
    let signature = header(headers, headers::HMAC_SHA256)
        .ok_or_else(|| unauthorized("missing X-Shopify-Hmac-Sha256"))?;

    let body = read_body(headers, body, state.config.server.max_body_bytes).await?;

    let secrets: Vec<&[u8]> = shop
        .webhook_secrets
        .iter()
        .map(|s| s.expose().as_bytes())
        .collect();
    if body.is_empty() {
        return Err(unauthorized("empty body cannot carry a valid signature"));
    }
    if !xeno_shopify::signature::verify(&secrets, &body, signature) {
        return Err(unauthorized("invalid HMAC signature"));
    }

    let bad = |reason: &str| Rejection::new(StatusCode::BAD_REQUEST, "bad_request", reason);
    let topic = header(headers, headers::TOPIC).ok_or_else(|| bad("missing X-Shopify-Topic"))?;
    let webhook_id =
        header(headers, headers::WEBHOOK_ID).ok_or_else(|| bad("missing X-Shopify-Webhook-Id"))?;
    let api_version = header(headers, headers::API_VERSION)
        .ok_or_else(|| bad("missing X-Shopify-API-Version"))?;
    if topic.len() > 128 || webhook_id.len() > 128 || api_version.len() > 32 {
        return Err(bad("header value too long"));
    }
    // JSON is UTF-8 (RFC 8259); serde_json skips over string bytes without checking them.
    let is_json = std::str::from_utf8(&body)
        .is_ok_and(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
    if !is_json {
        return Err(bad("body is not valid JSON"));
    }

    let envelope = Envelope {
        shop_domain: domain,
        topic: topic.into(),
        webhook_id: webhook_id.to_string(),
        event_id: header(headers, headers::EVENT_ID).map(str::to_string),
        api_version: Some(api_version.to_string()),
        triggered_at: header(headers, headers::TRIGGERED_AT).and_then(parse_time),
        source: Source::Webhook,
        format: Format::Rest,
        body,
    };
    publish(state, envelope).await
}

/// The body, refused with 413 beyond `limit` bytes (by `Content-Length` before reading any of
/// it, else while reading).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, Rejection> {
    let too_large = || {
        Rejection::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("body larger than {limit} bytes"),
        )
    };
    if let Some(len) = header(headers, "content-length").and_then(|l| l.parse::<u64>().ok()) {
        if len > limit as u64 {
            return Err(too_large());
        }
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(_) => Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "body could not be read",
        )),
    }
}

/// Publishes through the JetStreamBridge and waits for the PubAck; whether JetStream saw the
/// message id before, or 503 when the queue cannot make it durable.
async fn publish(state: &AppState, envelope: Envelope) -> Result<(Envelope, bool), Rejection> {
    match state.bridge.publish(envelope.clone()).await {
        Ok(published) => Ok((envelope, published.duplicate)),
        Err(e) => {
            let reason = match e {
                PublishError::Timeout(_) => "queue did not confirm in time; retry later",
                PublishError::Unavailable(_) => "queue unavailable; retry later",
                PublishError::Rejected(_) => "queue refused the message; retry later",
            };
            Err(Rejection::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                reason,
            ))
        }
    }
}
