//! `GET /api/shops`: what the engine knows about each shop the token may see.

use axum::extract::State;
use axum::Json;
use xeno_api_types::shops::{ShopInfo, ShopsResponse};

use super::auth::Access;
use super::error::ApiResult;
use crate::http::state::AppState;
use crate::store::status;

/// `GET /api/shops`: the configured shops this token may see. The last webhook is the later
/// of the stored one (folded by the RollupCompactor) and this process's own.
#[utoipa::path(
    get,
    path = "/api/shops",
    tag = "api",
    summary = "The configured shops this token may see",
    responses(
        (status = 200, description = "The shops, in config order.", body = xeno_api_types::shops::ShopsResponse),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn shops(
    State(state): State<AppState>,
    access: Access,
) -> ApiResult<Json<ShopsResponse>> {
    let visible = access.visible_shops(&state.config);
    let client = state.pool.get().await?;
    let rows = status::shops(&client, &visible).await?;
    let seen = state
        .last_webhook
        .lock()
        .expect("last_webhook lock")
        .clone();
    let shops = rows
        .into_iter()
        .map(|r| ShopInfo {
            last_webhook_at: r.last_webhook_at.max(seen.get(&r.shop).copied()),
            installed: r.installed,
            currency: r.currency,
            time_zone: r.time_zone,
            shop: r.shop,
        })
        .collect();
    Ok(Json(ShopsResponse { shops }))
}
