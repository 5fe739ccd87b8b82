//! Query parameters, parsed by hand so every mistake becomes a 400 naming the parameter
//! (axum's own extractors answer plain-text rejections).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};

use super::auth::query_pairs;
use super::error::ApiError;
use crate::analytics::period::Period;

/// The decoded query string of a request.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

/// The default reporting period when `from` is not given.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;
/// The longest period a request may span.
pub const MAX_PERIOD_DAYS: i64 = 3660;

impl Params {
    pub fn parse(query: &str) -> Params {
        let uri: axum::http::Uri = format!("/?{query}").parse().unwrap_or_default();
        Params {
            pairs: query_pairs(&uri),
        }
    }

    /// The first value of `name`, if present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// An RFC 3339 time.
    pub fn time(&self, name: &'static str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.get(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        ApiError::bad_parameter(
                            name,
                            format!("`{v}` is not an RFC 3339 time like 2025-07-01T00:00:00Z"),
                        )
                    })
            })
            .transpose()
    }

    /// `from` and `to` (defaults: the last 30 days up to now), checked to be in order and at
    /// most ten years apart.
    pub fn period(&self) -> Result<Period, ApiError> {
        let to = self.time("to")?.unwrap_or_else(Utc::now);
        let from = self
            .time("from")?
            .unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS));
        if from >= to {
            return Err(ApiError::bad_parameter(
                "from",
                "`from` must be before `to`",
            ));
        }
        if to - from > Duration::days(MAX_PERIOD_DAYS) {
            return Err(ApiError::bad_parameter(
                "from",
                format!("the period may span at most {MAX_PERIOD_DAYS} days"),
            ));
        }
        Ok(Period { from, to })
    }

    /// A positive integer no larger than `max` (default `default`).
    pub fn limit(&self, name: &'static str, default: i64, max: i64) -> Result<i64, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad_parameter(
                    name,
                    format!("`{v}` must be a whole number from 1 to {max}"),
                )),
            },
        }
    }

    /// `true`/`false`/`1`/`0` (default false).
    pub fn flag(&self, name: &'static str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some("true" | "1") => Ok(true),
            Some("false" | "0") => Ok(false),
            Some(v) => Err(ApiError::bad_parameter(
                name,
                format!("`{v}` must be true or false"),
            )),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Params {
            pairs: query_pairs(&parts.uri),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_defaults_and_checks() {
        let p = Params::parse("from=2025-07-01T00:00:00Z&to=2025-07-08T00:00:00%2B00:00");
        let period = p.period().unwrap();
        assert_eq!(period.to - period.from, Duration::days(7));
        assert_eq!(period.previous().to, period.from);
        assert_eq!(period.previous().from, period.from - Duration::days(7));

        let bad = Params::parse("from=yesterday").period().unwrap_err();
        assert_eq!(bad.parameter, Some("from"));
        let reversed = Params::parse("from=2025-07-08T00:00:00Z&to=2025-07-01T00:00:00Z");
        assert_eq!(reversed.period().unwrap_err().parameter, Some("from"));
        let bad_to = Params::parse("to=2025-13-01T00:00:00Z")
            .period()
            .unwrap_err();
        assert_eq!(bad_to.parameter, Some("to"));

        let default = Params::default().period().unwrap();
        assert_eq!(
            default.to - default.from,
            Duration::days(DEFAULT_PERIOD_DAYS)
        );
    }

    #[test]
    fn limits_and_flags() {
        let p = Params::parse("limit=10&force=yes&n=0");
        assert_eq!(p.limit("limit", 5, 100).unwrap(), 10);
        assert_eq!(p.limit("absent", 5, 100).unwrap(), 5);
        assert_eq!(p.limit("n", 5, 100).unwrap_err().parameter, Some("n"));
        assert_eq!(
            Params::parse("limit=101")
                .limit("limit", 5, 100)
                .unwrap_err()
                .parameter,
            Some("limit")
        );
        assert_eq!(p.flag("force").unwrap_err().parameter, Some("force"));
        assert!(!p.flag("absent").unwrap());
    }
}
