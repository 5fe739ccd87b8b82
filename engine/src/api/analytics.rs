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
#[utoipa::path(
    get,
    path = "/api/stats",
    tag = "api",
    summary = "KPIs of a period and the period before",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
        ("from" = Option<String>, Query, format = DateTime, description = "Period start, RFC 3339 (default: 30 days before `to`; at most 3660 days before it)."),
        ("to" = Option<String>, Query, format = DateTime, description = "Period end, RFC 3339 (default: now)."),
    ),
    responses(
        (status = 200, description = "The period's figures, and the equal period before in `previous`.", body = xeno_api_types::analytics::StatsResponse),
        (status = 400, description = "A malformed `shop`, `from` or `to`, or `from` not before `to`, or a period over 3660 days.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
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
#[utoipa::path(
    get,
    path = "/api/revenue-series",
    tag = "api",
    summary = "Orders, revenue and refunds per hour, day or week",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
        ("from" = Option<String>, Query, format = DateTime, description = "Period start, RFC 3339 (default: 30 days before `to`; at most 3660 days before it)."),
        ("to" = Option<String>, Query, format = DateTime, description = "Period end, RFC 3339 (default: now)."),
        ("bucket" = Option<xeno_api_types::analytics::Bucket>, Query, description = "Bucket width (default `day`)."),
    ),
    responses(
        (status = 200, description = "One point per bucket, in the shops' time zone.", body = xeno_api_types::analytics::SeriesResponse),
        (status = 400, description = "A malformed `shop`, `from`, `to` or `bucket`, or too many points for the period.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
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
#[utoipa::path(
    get,
    path = "/api/top-customers",
    tag = "api",
    summary = "The customers who spent most, per currency",
    params(
        ("shop" = Option<String>, Query, description = "Only this shop (its `*.myshopify.com` domain); default: every shop the token sees."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Customers per currency (default 5)."),
        ("currency" = Option<String>, Query, pattern = "^[A-Za-z]{3}$", description = "Only this currency (ISO 4217 code)."),
    ),
    responses(
        (status = 200, description = "One ranking per currency.", body = xeno_api_types::analytics::TopCustomersResponse),
        (status = 400, description = "A malformed `shop`, `limit` or `currency`.", body = xeno_api_types::error::ErrorBody),
        (status = 401, description = "Missing or unknown API token.", body = xeno_api_types::error::ErrorBody),
        (status = 403, description = "The token may not see that shop.", body = xeno_api_types::error::ErrorBody),
        (status = 404, description = "`shop` is not a configured shop.", body = xeno_api_types::error::ErrorBody),
        (status = 408, description = "Not answered within `server.request_timeout` (empty body)."),
        (status = 500, description = "A query failed (logged with its cause).", body = xeno_api_types::error::ErrorBody),
        (status = 503, description = "PostgreSQL (or JetStream) unreachable; retry shortly.", body = xeno_api_types::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
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
