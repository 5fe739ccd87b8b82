//! [`PayloadError`]: why a Shopify payload cannot become a row.
//!
//! Parsers never panic and never guess: a missing required field, a value of the wrong JSON
//! type, a number that does not fit, or an unparseable time is a `PayloadError` naming the
//! field, which the engine treats as permanent (dead letter). Optional fields that are absent
//! or `null` become `None`.

use thiserror::Error;

/// A payload that cannot become a row. Permanent: retrying the same bytes fails the same way.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{resource}: `{field}` {problem}")]
pub struct PayloadError {
    /// What was being parsed (`order`, `customer`, …).
    pub resource: &'static str,
    /// Path of the offending field (`line_items[2].price`); `(body)` for the whole payload.
    pub field: String,
    /// What is wrong (`missing`, `not a decimal: "abc"`, …).
    pub problem: String,
}

impl PayloadError {
    pub(crate) fn missing(resource: &'static str, field: impl Into<String>) -> Self {
        PayloadError {
            resource,
            field: field.into(),
            problem: "missing".to_string(),
        }
    }

    pub(crate) fn invalid(
        resource: &'static str,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        PayloadError {
            resource,
            field: field.into(),
            problem: problem.into(),
        }
    }

    /// Prefixes the field path with the parent's, for errors from nested records.
    pub(crate) fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}
