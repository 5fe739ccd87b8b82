//! [`Outcome`]: what applying one envelope did. Its label feeds the writer's metrics and the
//! `webhook_receipts.outcome` column.

use std::fmt;

use xeno_shopify::notices::BulkOperationFinished;

use crate::store::compliance::ComplianceSummary;

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
