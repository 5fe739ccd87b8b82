//! `GET /api/shops`: what the engine knows about each shop the token may see.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio_postgres::types::ToSql;

use super::auth::Access;
use super::error::ApiResult;
use super::params::Params;
use crate::http::state::AppState;

#[derive(Debug, Serialize)]
pub struct ShopInfo {
    pub shop: String,
    /// `false` after `app/uninstalled`; `null` before the shop's first record.
    pub installed: Option<bool>,
    pub currency: Option<String>,
    /// The zone the shop's day buckets use.
    pub time_zone: String,
    pub last_webhook_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct ShopsResponse {
    pub shops: Vec<ShopInfo>,
}

/// `GET /api/shops`: the configured shops this token may see.
pub async fn shops(
    State(state): State<AppState>,
    access: Access,
) -> ApiResult<Json<ShopsResponse>> {
    let visible = access.visible_shops(&state.config);
    let client = state.pool.get().await?;
    let rows = client
        .query(
            "SELECT s.shop, sh.installed, sh.currency, analytics_tz(s.shop), sh.last_webhook_at
             FROM unnest($1::text[]) WITH ORDINALITY AS s(shop, n)
             LEFT JOIN shops sh ON sh.shop_domain = s.shop
             ORDER BY s.n",
            &[&visible],
        )
        .await?;
    let seen = state
        .last_webhook
        .lock()
        .expect("last_webhook lock")
        .clone();
    let shops = rows
        .iter()
        .map(|r| {
            let shop: String = r.get(0);
            let stored: Option<DateTime<Utc>> = r.get(4);
            let last_webhook_at = stored.max(seen.get(&shop).copied());
            ShopInfo {
                installed: r.get(1),
                currency: r.get(2),
                time_zone: r.get(3),
                last_webhook_at,
                shop,
            }
        })
        .collect();
    Ok(Json(ShopsResponse { shops }))
}
