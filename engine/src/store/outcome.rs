//! [`Outcome`]: what applying one envelope did. Its label feeds the writer's metrics and the
//! `webhook_receipts.outcome` column. A compliance request's outcome carries its
//! [`ComplianceSummary`] (filled in by `store/compliance.rs`).

use std::fmt;

use serde_json::{Map, Value};
use xeno_shopify::notices::BulkOperationFinished;

/// What applying one envelope did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The row was written (it was new, or not older than the stored one).
    Applied,
    /// The stored row is newer, tombstoned or redacted; nothing changed.
    Stale,
    /// A tombstone was set (or already was).
    Deleted,
    /// This webhook id was applied before: no effect.
    Duplicate,
    /// A topic this engine does not handle: receipt kept, caller logs WARN and acks.
    UnknownTopic,
    /// A known topic whose body carries nothing to store (`orders/edited`'s `order_edit`,
    /// `customers/merge`): the webhooks Shopify sends with it carry the effect.
    Ignored,
    /// `app/uninstalled`: the shop is marked uninstalled.
    Uninstalled,
    /// A compliance request was carried out; the caller logs the summary.
    Compliance(ComplianceSummary),
    /// `bulk_operations/finish`: the sync picks the operation up from here.
    BulkFinished(BulkOperationFinished),
}

impl Outcome {
    /// A short label for metrics and the `webhook_receipts.outcome` column.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Stale => "stale",
            Outcome::Deleted => "deleted",
            Outcome::Duplicate => "duplicate",
            Outcome::UnknownTopic => "unknown_topic",
            Outcome::Ignored => "ignored",
            Outcome::Uninstalled => "uninstalled",
            Outcome::Compliance(_) => "compliance",
            Outcome::BulkFinished(_) => "bulk_finished",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Compliance(summary) => write!(f, "compliance ({summary})"),
            other => f.write_str(other.label()),
        }
    }
}

/// What a compliance request did, for the log and `compliance_requests.summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceSummary {
    /// The topic (`customers/redact`, `shop/redact`, `customers/data_request`).
    pub kind: &'static str,
    /// The customer concerned, for customer requests.
    pub customer_id: Option<i64>,
    /// Rows affected, by table or action, in the order they were handled.
    pub counts: Vec<(String, u64)>,
}

impl ComplianceSummary {
    pub(crate) fn new(kind: &'static str, customer_id: Option<i64>) -> Self {
        ComplianceSummary {
            kind,
            customer_id,
            counts: Vec::new(),
        }
    }

    pub(crate) fn add(&mut self, what: impl Into<String>, n: u64) {
        let what = what.into();
        match self.counts.iter_mut().find(|(k, _)| *k == what) {
            Some((_, total)) => *total += n,
            None => self.counts.push((what, n)),
        }
    }

    /// The count for `what` (0 when absent).
    pub fn count(&self, what: &str) -> u64 {
        self.counts
            .iter()
            .find(|(k, _)| k == what)
            .map_or(0, |(_, n)| *n)
    }

    /// The counts as a JSON object (the `summary` column).
    pub fn to_json(&self) -> Value {
        let counts: Map<String, Value> = self
            .counts
            .iter()
            .map(|(k, n)| (k.clone(), Value::from(*n)))
            .collect();
        Value::Object(counts)
    }
}

impl fmt::Display for ComplianceSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind)?;
        if let Some(id) = self.customer_id {
            write!(f, " customer_id={id}")?;
        }
        f.write_str(":")?;
        if self.counts.is_empty() {
            f.write_str(" nothing stored")?;
        }
        for (what, n) in &self.counts {
            write!(f, " {what}={n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn summary_displays_counts() {
        let mut s = ComplianceSummary::new("customers/redact", Some(7));
        s.add("customers", 1);
        s.add("orders", 2);
        s.add("customers", 1);
        assert_eq!(
            s.to_string(),
            "customers/redact customer_id=7: customers=2 orders=2"
        );
        assert_eq!(s.count("orders"), 2);
        assert_eq!(s.to_json(), json!({"customers": 2, "orders": 2}));
    }
}
