//! An [`Envelope`] as a NATS message: Shopify's headers carried as NATS headers (named by
//! `xeno_shopify::headers`, in Shopify's spelling: NATS header names are case-sensitive) plus
//! the engine's own [`SOURCE`] and [`FORMAT`], the raw body as the payload, `Nats-Msg-Id` set to the webhook id so JetStream drops re-deliveries inside
//! its dedupe window.

use async_nats::header::{HeaderMap, NATS_MESSAGE_ID};
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use thiserror::Error;
use xeno_shopify::headers::{API_VERSION, EVENT_ID, SHOP_DOMAIN, TOPIC, TRIGGERED_AT, WEBHOOK_ID};
use xeno_shopify::Topic;

use crate::envelope::{Envelope, Format, Source};

/// The engine's own header: where the record came from ([`Source`]).
pub const SOURCE: &str = "Xeno-Source";
/// The engine's own header: the body's shape ([`Format`]).
pub const FORMAT: &str = "Xeno-Format";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("message has no headers")]
    NoHeaders,
    #[error("header {0} missing")]
    Missing(&'static str),
    #[error("header {0} has an unknown value")]
    Invalid(&'static str),
}

/// Headers for `env` (the payload is `env.body`).
pub fn encode(env: &Envelope) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(NATS_MESSAGE_ID, env.webhook_id.as_str());
    h.insert(TOPIC, env.topic.as_str());
    h.insert(SHOP_DOMAIN, env.shop_domain.as_str());
    h.insert(WEBHOOK_ID, env.webhook_id.as_str());
    if let Some(v) = &env.event_id {
        h.insert(EVENT_ID, v.as_str());
    }
    if let Some(v) = &env.api_version {
        h.insert(API_VERSION, v.as_str());
    }
    if let Some(t) = env.triggered_at {
        h.insert(
            TRIGGERED_AT,
            t.to_rfc3339_opts(SecondsFormat::Micros, true).as_str(),
        );
    }
    h.insert(SOURCE, env.source.as_str());
    h.insert(FORMAT, env.format.as_str());
    h
}

/// Rebuilds the envelope from a delivered message.
pub fn decode(headers: Option<&HeaderMap>, payload: Bytes) -> Result<Envelope, DecodeError> {
    let h = headers.ok_or(DecodeError::NoHeaders)?;
    let get = |k: &'static str| h.get(k).map(|v| v.as_str().to_string());
    let need = |k: &'static str| get(k).ok_or(DecodeError::Missing(k));
    Ok(Envelope {
        shop_domain: need(SHOP_DOMAIN)?,
        topic: Topic::parse(&need(TOPIC)?),
        webhook_id: need(WEBHOOK_ID)?,
        event_id: get(EVENT_ID),
        api_version: get(API_VERSION),
        triggered_at: get(TRIGGERED_AT).and_then(|t| parse_time(&t)),
        source: Source::parse(&need(SOURCE)?).ok_or(DecodeError::Invalid(SOURCE))?,
        format: Format::parse(&need(FORMAT)?).ok_or(DecodeError::Invalid(FORMAT))?,
        body: payload,
    })
}

/// Headers as a JSON object, for dead letters.
pub fn headers_json(headers: Option<&HeaderMap>) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    if let Some(h) = headers {
        for (k, values) in h.iter() {
            if let Some(v) = values.first() {
                map.insert(k.to_string(), v.as_str().into());
            }
        }
    }
    serde_json::Value::Object(map)
}

/// Shopify's `X-Shopify-Triggered-At` (`2025-07-10T16:15:47.000000Z`) or any RFC 3339 time.
pub fn parse_time(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let env = Envelope {
            shop_domain: "acme.myshopify.com".into(),
            topic: Topic::OrdersCreate,
            webhook_id: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".into(),
            event_id: Some("98880550-7158-44d4-b7cd-2c97c8a091b5".into()),
            api_version: Some("2025-07".into()),
            triggered_at: parse_time("2025-07-10T16:15:47.000000Z"),
            source: Source::Webhook,
            format: Format::Rest,
            body: Bytes::from_static(b"{\"id\":1}"),
        };
        let h = encode(&env);
        assert_eq!(h.get(NATS_MESSAGE_ID).unwrap().as_str(), env.webhook_id);
        let back = decode(Some(&h), env.body.clone()).unwrap();
        assert_eq!(back.topic, env.topic);
        let mut unknown = h.clone();
        unknown.insert(TOPIC, "orders/risk_assessment_changed");
        assert_eq!(
            decode(Some(&unknown), env.body.clone()).unwrap().topic,
            Topic::Unknown("orders/risk_assessment_changed".into())
        );
        assert_eq!(back.triggered_at, env.triggered_at);
        assert_eq!(back.source, Source::Webhook);
        assert_eq!(back.event_id, env.event_id);
        assert_eq!(
            decode(None, Bytes::new()).unwrap_err(),
            DecodeError::NoHeaders
        );
    }
}
