//! The body of every 4xx/5xx answer of the JSON API.

use serde::{Deserialize, Serialize};

/// `{"error": "...", "parameter": "from"}`: what went wrong, and the query parameter (or
/// path segment) at fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}
