//! `GET /api/completeness?shop=`: the sync's last comparison of each resource's stored rows
//! with Shopify's own count (`engine/src/sync/completeness.rs`), token-scoped like every read.

use axum::extract::State;
use axum::Json;
use xeno_api_types::completeness::{CompletenessResponse, ResourceCount};

use super::auth::Access;
use super::error::ApiResult;
use super::params::Params;
use crate::http::state::AppState;
use crate::store::completeness::{self, CountRow};

fn resource_count(r: CountRow) -> ResourceCount {
    ResourceCount {
        difference: r.shopify_count - r.stored_count,
        shop: r.shop_domain,
        resource: r.resource,
        stored: r.stored_count,
        shopify: r.shopify_count,
        precision: r.precision,
        compared_at: r.compared_at,
        filter: r.filter,
    }
}

/// `GET /api/completeness?shop=`
#[utoipa::path(
    get,
    path = "/api/completeness",
    tag = "api",
    summary = "Stored rows next to Shopify's own counts",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
    ),
    responses(
        (status = 200, description = "Per shop and resource, as of the sync's last comparison.", body = xeno_api_types::completeness::CompletenessResponse),
        (status = 400, description = "A malformed `shop`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn completeness(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<CompletenessResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let client = state.pool.get().await?;
    let rows = completeness::counts(&client, &shops).await?;
    Ok(Json(CompletenessResponse {
        resources: rows.into_iter().map(resource_count).collect(),
    }))
}
