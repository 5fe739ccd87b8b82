//! Sales figures: `/api/stats`, `/api/revenue-series`, `/api/top-customers`.
//!
//! These handlers check the request (period, bucket, limit, currency) and the token's shops,
//! then ask `engine/src/analytics/queries.rs` for the figures; no SQL here.

use axum::extract::State;
use axum::Json;
use xeno_api_types::analytics::{Bucket, SeriesResponse, StatsResponse, TopCustomersResponse};

use super::auth::Access;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use crate::analytics::queries::{self, MAX_POINTS};
use crate::http::state::AppState;

/// `?bucket=hour|day|week` (default day).
pub fn parse_bucket(params: &Params) -> Result<Bucket, ApiError> {
    match params.get("bucket") {
        None | Some("day") => Ok(Bucket::Day),
        Some("hour") => Ok(Bucket::Hour),
        Some("week") => Ok(Bucket::Week),
        Some(v) => Err(ApiError::bad_parameter(
            "bucket",
            format!("`{v}` must be hour, day or week"),
        )),
    }
}

/// `GET /api/stats?shop=&from=&to=`
pub async fn stats(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<StatsResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let period = params.period()?;
    let client = state.pool.get().await?;
    Ok(Json(queries::stats(&client, shops, period).await?))
}

/// `GET /api/revenue-series?shop=&from=&to=&bucket=hour|day|week`
pub async fn revenue_series(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<SeriesResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let period = params.period()?;
    let bucket = parse_bucket(&params)?;
    let points = queries::points_needed(period, bucket);
    if points > MAX_POINTS {
        return Err(ApiError::bad_parameter(
            "bucket",
            format!(
                "{points} {}s is too many points for this period; use a wider bucket",
                bucket.as_str()
            ),
        ));
    }
    let client = state.pool.get().await?;
    let series = queries::revenue_series(&client, shops, period, bucket).await?;
    Ok(Json(series))
}

/// `GET /api/top-customers?shop=&limit=5&currency=`
pub async fn top_customers(
    State(state): State<AppState>,
    access: Access,
    params: Params,
) -> ApiResult<Json<TopCustomersResponse>> {
    let shops = access.select_shops(&state.config, params.get("shop"))?;
    let limit = params.limit("limit", 5, 100)?;
    let client = state.pool.get().await?;
    let currency = match params.get("currency") {
        Some(c) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        Some(c) => {
            return Err(ApiError::bad_parameter(
                "currency",
                format!("`{c}` is not a three-letter currency code"),
            ))
        }
        None => None,
    };
    Ok(Json(
        queries::top_customers(&client, shops, limit, currency).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_parse() {
        assert_eq!(parse_bucket(&Params::default()).unwrap(), Bucket::Day);
        assert_eq!(
            parse_bucket(&Params::parse("bucket=week")).unwrap(),
            Bucket::Week
        );
        let e = parse_bucket(&Params::parse("bucket=month")).unwrap_err();
        assert_eq!(e.parameter, Some("bucket"));
    }
}
