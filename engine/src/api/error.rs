//! The API's error answers: a status and a JSON body `{"error": "...", "parameter": "from"}`.
//!
//! Client mistakes (bad parameters, missing token, a shop outside the token) are 4xx and say
//! what to fix. Faults of the engine's own dependencies are 503 (PostgreSQL or JetStream away)
//! or 500, logged with the cause, never echoing a token or query parameters.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use xeno_api_types::error::ErrorBody;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// The query parameter (or path segment) at fault, when there is one.
    pub parameter: Option<&'static str>,
}

impl ApiError {
    /// 400 naming the parameter that is wrong.
    pub fn bad_parameter(parameter: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            parameter: Some(parameter),
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            message: "missing or unknown API token (send `Authorization: Bearer <token>`)".into(),
            parameter: None,
        }
    }

    /// 403: the token may not see this shop.
    pub fn forbidden_shop() -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            message: "this token may not see that shop".into(),
            parameter: Some("shop"),
        }
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            parameter: None,
        }
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            message: message.into(),
            parameter: None,
        }
    }

    /// 503: a dependency (PostgreSQL, JetStream) is not reachable right now.
    pub fn unavailable(what: &str, cause: impl std::fmt::Display) -> ApiError {
        tracing::warn!(dependency = what, error = %cause, "API request failed: dependency unavailable");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: format!("{what} unavailable; retry shortly"),
            parameter: None,
        }
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        ApiError::unavailable("PostgreSQL", e)
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        if e.is_closed() || e.code().is_none() {
            return ApiError::unavailable("PostgreSQL", e);
        }
        tracing::error!(error = %e, "API query failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "internal error".into(),
            parameter: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.message,
            parameter: self.parameter.map(str::to_string),
        };
        (self.status, Json(body)).into_response()
    }
}

/// What every API handler returns.
pub type ApiResult<T> = Result<T, ApiError>;
