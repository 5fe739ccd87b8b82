//! Bearer-token access: which token called, and which shops it may see.
//!
//! Tokens come from `[[api_tokens]]` (see [`crate::config::ApiTokenConfig`]). The presented
//! token is compared with every configured one in constant time (`subtle`), and is never
//! logged. Only the live stream also accepts `?access_token=` (a browser's `EventSource`
//! cannot set headers).
//!
//! Scoping rules, applied by every handler through [`Access`]:
//! - a shop named in `?shop=` outside the token's list is 403;
//! - lists (shops, dead letters, events, health) silently leave other shops out;
//! - engine-wide facts not tied to a shop (engine log lines without a shop, stream-wide
//!   counters) are shown only to tokens for every shop (`["*"]`).

use axum::extract::{FromRequestParts, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::Uri;
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::config::{ApiTokenConfig, Config};
use crate::http::state::AppState;

/// The only route that takes the token from the query string.
pub const STREAM_PATH: &str = "/api/events/stream";

/// The caller's token, resolved to what it may see.
#[derive(Debug, Clone)]
pub struct Access {
    /// The token's configured name (safe to log).
    pub name: String,
    /// Shops this token may see; `None` for every shop.
    allowed: Option<Vec<String>>,
}

impl Access {
    pub fn new(name: impl Into<String>, allowed: Option<Vec<String>>) -> Access {
        Access {
            name: name.into(),
            allowed,
        }
    }

    /// Whether the token sees every shop (and engine-wide data).
    pub fn all_shops(&self) -> bool {
        self.allowed.is_none()
    }

    pub fn may_see(&self, shop: &str) -> bool {
        match &self.allowed {
            None => true,
            Some(list) => list.iter().any(|s| s == shop),
        }
    }

    /// Whether a log line (or any record) of `shop` is visible; `None` = engine-wide.
    pub fn may_see_record(&self, shop: Option<&str>) -> bool {
        match shop {
            Some(s) => self.may_see(s),
            None => self.all_shops(),
        }
    }

    /// The configured shops this token may see, in config order.
    pub fn visible_shops(&self, config: &Config) -> Vec<String> {
        config
            .shops
            .iter()
            .map(|s| s.domain.clone())
            .filter(|d| self.may_see(d))
            .collect()
    }

    /// The shops a request is about: the one named by `?shop=` (400 if malformed, 403 if
    /// outside the token, 404 if not configured), or every shop the token may see.
    pub fn select_shops(
        &self,
        config: &Config,
        requested: Option<&str>,
    ) -> Result<Vec<String>, ApiError> {
        let Some(raw) = requested else {
            return Ok(self.visible_shops(config));
        };
        let domain = xeno_shopify::domain::normalize_shop_domain(raw)
            .map_err(|e| ApiError::bad_parameter("shop", format!("not a shop domain: {e}")))?;
        if !self.may_see(&domain) {
            return Err(ApiError::forbidden_shop());
        }
        if config.shop(&domain).is_none() {
            return Err(ApiError {
                parameter: Some("shop"),
                ..ApiError::not_found(format!("`{domain}` is not a configured shop"))
            });
        }
        Ok(vec![domain])
    }
}

/// The configured token equal to `presented`, comparing with every token in constant time.
pub fn find_token<'a>(tokens: &'a [ApiTokenConfig], presented: &str) -> Option<&'a ApiTokenConfig> {
    let mut found = None;
    for t in tokens {
        if bool::from(t.token.expose().as_bytes().ct_eq(presented.as_bytes())) {
            found = Some(t);
        }
    }
    found
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn query_token(parts: &Parts) -> Option<String> {
    if parts.uri.path() != STREAM_PATH {
        return None;
    }
    query_pairs(&parts.uri)
        .into_iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
}

/// The query string's `key=value` pairs, decoded (empty when it cannot be decoded).
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Access {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = bearer(parts)
            .or_else(|| query_token(parts))
            .ok_or_else(ApiError::unauthorized)?;
        let token =
            find_token(&state.config.api_tokens, &presented).ok_or_else(ApiError::unauthorized)?;
        Ok(Access::new(token.name.clone(), token.shops.clone()))
    }
}
