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
