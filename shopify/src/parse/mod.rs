//! Payload parsing: REST webhook bodies ([`rest`]) and GraphQL Admin nodes ([`graphql`])
//! normalised into the rows of [`crate::model`].
//!
//! Parsers never panic and never guess: a missing required field, a value of the wrong JSON
//! type, a number that does not fit, or an unparseable time is a [`PayloadError`] naming the
//! field, which the engine treats as permanent (dead letter). Optional fields that are absent
//! or `null` become `None`.
//!
//! Rules shared by both formats:
//! - **Money** is read from strings (`"199.00"`) or JSON numbers (`199.0`), exactly (no
//!   float rounding: the number's JSON text is parsed as a decimal). Sums use checked
//!   arithmetic and report an overflow as an error.
//! - **Refund amount**: the sum of the refund's successful refund transactions
//!   (`kind` refund, `status` success); when it has none, the sum of its refund line items'
//!   subtotals; when it has neither, zero. GraphQL refunds use `totalRefundedSet` first.
//!   Shipping refunds recorded only as `order_adjustments` are not counted.
//! - **`updated_at` is required** for orders, customers and products: it is the out-of-order
//!   guard, so a value that is not a timestamp (the GraphQL snapshot fixture has `"redacted"`)
//!   is an error rather than a made-up time.

mod fields;
pub mod graphql;
pub mod rest;

pub use graphql::{
    customer_from_graphql, order_from_graphql, product_from_graphql, refund_from_graphql,
};
pub use rest::{
    bulk_operation_finish, customer_from_rest, customer_request, id_from_delete, order_from_rest,
    product_from_rest, refund_from_rest, shop_request, BulkOperationFinished, CustomerRequest,
    ShopRequest,
};

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

#[cfg(test)]
mod tests;
