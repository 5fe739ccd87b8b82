//! The access scopes the shop granted the app (`GET /admin/oauth/access_scopes.json`, an
//! unversioned REST route), and what they mean for the sync. Read by the doctor
//! (`engine/src/doctor/`) and by a backfill (`run.rs`), which warns when `read_all_orders` is
//! missing: Shopify then hides orders created more than 60 days ago, so a backfill without it
//! is silently partial.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use thiserror::Error;
use xeno_shopify::{headers, Resource};

use crate::config::ShopConfig;

/// The scope that lifts the 60-day window on orders.
pub const READ_ALL_ORDERS: &str = "read_all_orders";

/// How long a look-up may take, retries included.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(20);

/// Why the scopes could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ScopesError {
    /// The shop has no `access_token_env`.
    #[error("no access token is configured")]
    NoToken,
    /// Shopify answered 401: the token is wrong, revoked, or the app was uninstalled.
    #[error("Shopify rejected the access token (HTTP 401)")]
    Rejected,
    /// Any other answer than 200 (after retrying 429 and 5xx a few times).
    #[error("HTTP {status}: {body}")]
    Status { status: u16, body: String },
    /// Connection refused, time-out, unreadable body.
    #[error("{0}")]
    Unreachable(String),
}

#[derive(Deserialize)]
struct ScopesBody {
    access_scopes: Vec<Handle>,
}

#[derive(Deserialize)]
struct Handle {
    handle: String,
}

/// The scope handles the shop's token holds.
pub async fn granted(
    http: &reqwest::Client,
    shop: &ShopConfig,
) -> Result<Vec<String>, ScopesError> {
    let token = shop.access_token.as_ref().ok_or(ScopesError::NoToken)?;
    let url = shop
        .admin_url
        .join("admin/oauth/access_scopes.json")
        .map_err(|e| ScopesError::Unreachable(format!("bad admin_url: {e}")))?;
    let lookup = async {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = http
                .get(url.clone())
                .header(headers::ACCESS_TOKEN, token.expose())
                .send()
                .await;
            let response = match sent {
                Ok(r) => r,
                Err(e) if attempt < 3 => {
                    tracing::debug!(shop = %shop.domain, error = %e, "access scopes look-up failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
                Err(e) => return Err(ScopesError::Unreachable(e.to_string())),
            };
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED {
                return Err(ScopesError::Rejected);
            }
            let transient = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if transient && attempt < 3 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            if !status.is_success() {
                let body = response.text().await.unwrap_or_default();
                return Err(ScopesError::Status {
                    status: status.as_u16(),
                    body: body.chars().take(200).collect(),
                });
            }
            let body: ScopesBody = response
                .json()
                .await
                .map_err(|e| ScopesError::Unreachable(format!("unreadable answer: {e}")))?;
            return Ok(body.access_scopes.into_iter().map(|h| h.handle).collect());
        }
    };
    tokio::time::timeout(LOOKUP_TIMEOUT, lookup)
        .await
        .unwrap_or_else(|_| Err(ScopesError::Unreachable("timed out".into())))
}

/// The scopes the sync needs to read every resource (`ResourceSpec::read_scope`) that
/// `granted` lacks.
pub fn missing_read_scopes(granted: &[String]) -> Vec<&'static str> {
    Resource::ALL
        .iter()
        .map(|r| r.spec().read_scope)
        .filter(|scope| !granted.iter().any(|g| g == scope))
        .collect()
}

/// Whether orders of any age are visible (`read_all_orders`).
pub fn reads_all_orders(granted: &[String]) -> bool {
    granted.iter().any(|g| g == READ_ALL_ORDERS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_needs_its_read_scope() {
        let granted: Vec<String> = ["read_orders", "read_products"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            missing_read_scopes(&granted),
            ["read_customers", "read_locations"]
        );
        assert!(!reads_all_orders(&granted));
    }
}
