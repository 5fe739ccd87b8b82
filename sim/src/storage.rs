//! The signed storage that serves bulk operation results, shaped like the Google Cloud
//! Storage signed URLs Shopify returns in `BulkOperation.url` and `partialDataUrl`:
//!
//! ```text
//! {base}/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/<key>-final
//!   ?GoogleAccessId=…&Expires=<unix seconds>&Signature=<base64, url-encoded>
//!   &response-content-disposition=attachment%3B+filename%3D%22bulk-<id>.jsonl%22%3B+filename%2A%3DUTF-8%27%27bulk-<id>.jsonl
//!   &response-content-type=application%2Fjsonl
//! ```
//!
//! The URL is pre-signed: a download needs no token (a client must not send its Admin API
//! token to storage), only the signature, checked over `GET`, the expiry and the object's
//! path as GCS's V2 signing does (HMAC-SHA256 keyed by the simulator's secret here). A bad or
//! missing signature, or a URL past `Expires` (`SimConfig::bulk.url_lifetime`, Shopify's 7
//! days), is a 403 with GCS's XML error body; an unknown object a 404. The files themselves
//! are kept in the bulk registry (`graphql/bulk/operation.rs`), written by
//! `graphql/bulk/run.rs`; `server.rs` routes here.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::state::Shared;
use crate::webhooks::lock;

/// The bucket in every result URL.
pub const BUCKET: &str = "shopify-tiers-assets-prod-us-east1";
/// The folder of result objects in the bucket.
pub const FOLDER: &str = "bulk-operation-outputs";
/// The signing account named in `GoogleAccessId`.
pub const ACCESS_ID: &str = "assets-us-prod@shopify-tiers.iam.gserviceaccount.com";

/// The route path of a result object (`server.rs`).
pub fn route() -> String {
    format!("/{BUCKET}/{FOLDER}/{{object}}")
}

/// GCS's V2 string to sign of a `GET` of `object` valid until `expires`.
fn string_to_sign(object: &str, expires: i64) -> String {
    format!("GET\n\n\n{expires}\n/{BUCKET}/{FOLDER}/{object}")
}

fn signature(shared: &Shared, object: &str, expires: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(shared.config.webhook_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(b"xeno-sim bulk storage\n");
    mac.update(string_to_sign(object, expires).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The signed URL of `object`, the result of bulk operation `operation_id`, valid from `now`
/// for the configured lifetime.
pub fn signed_url(shared: &Shared, object: &str, operation_id: u64, now: DateTime<Utc>) -> String {
    let lifetime = chrono::Duration::from_std(shared.config.bulk.url_lifetime)
        .unwrap_or(chrono::Duration::days(7));
    let expires = (now + lifetime).timestamp();
    let file = format!("bulk-{operation_id}.jsonl");
    format!(
        "{base}/{BUCKET}/{FOLDER}/{object}?GoogleAccessId={id}&Expires={expires}&Signature={sig}\
         &response-content-disposition=attachment%3B+filename%3D%22{file}%22%3B+filename%2A%3DUTF-8%27%27{file}\
         &response-content-type=application%2Fjsonl",
        base = shared.base_url,
        id = encode(ACCESS_ID),
        sig = encode(&signature(shared, object, expires)),
    )
}

/// GCS's XML error body.
fn xml_error(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message><Details>{details}</Details></Error>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")],
        body,
    )
        .into_response()
}

/// `GET` of a result object: signature, then expiry, then the object.
pub async fn download(
    State(shared): State<Arc<Shared>>,
    Path(object): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let expires = params.get("Expires").and_then(|e| e.parse::<i64>().ok());
    let signed = match (
        params.get("GoogleAccessId"),
        expires,
        params.get("Signature"),
    ) {
        (Some(id), Some(expires), Some(sig)) if id == ACCESS_ID => {
            *sig == signature(&shared, &object, expires)
        }
        _ => false,
    };
    let Some(expires) = expires.filter(|_| signed) else {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "Access denied.",
            "The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.",
        );
    };
    if Utc::now().timestamp() > expires {
        let at = DateTime::from_timestamp(expires, 0).unwrap_or_default();
        return xml_error(
            StatusCode::FORBIDDEN,
            "ExpiredToken",
            "The provided token has expired.",
            &format!("Request signature expired at: {}", at.to_rfc3339()),
        );
    }
    let Some(bytes) = lock(&shared.bulk).file(&object) else {
        return xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
            &format!("No such object: {BUCKET}/{FOLDER}/{object}"),
        );
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    for (param, name) in [
        ("response-content-type", header::CONTENT_TYPE),
        ("response-content-disposition", header::CONTENT_DISPOSITION),
    ] {
        if let Some(v) = params
            .get(param)
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(name, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode("a+b/c=d@e.f"), "a%2Bb%2Fc%3Dd%40e.f");
    }
}
