//! Applies envelopes to PostgreSQL inside the caller's transaction: receipts, idempotent
//! upserts guarded by Shopify's `updated_at`, tombstones, compliance actions, dead letters.
//!
//! The UpsertWriter (`writer::upsert_writer`) opens one transaction per batch and calls
//! [`apply`] once per envelope; it commits, then acks. Everything here is written so that
//! applying the same envelope twice, or two versions out of order, leaves the same rows:
//!
//! - **Webhooks** first insert their `webhook_receipts` row; if it already exists the envelope
//!   is a [`Outcome::Duplicate`] and nothing else happens (the forever-dedupe behind
//!   JetStream's window). Sync records leave no receipt.
//! - **Resource records** ([`resources`], one module per Shopify resource) are upserted only
//!   when not older than the stored row and not tombstoned; children (line items, variants)
//!   are replaced in the same statement.
//! - **Deletes** are tombstones; a delete that arrives first inserts the tombstone row.
//! - **Compliance** topics ([`compliance`]) act on every table and return a summary.
//!
//! Files: [`receipts`] (`webhook_receipts`), [`resources`] (one module per resource),
//! [`changes`] (`change_outbox`, the change feed's outbox, written by the resource statements),
//! [`uninstall`] (`app/uninstalled`), [`compliance`], [`dead_letters`], [`completeness`]
//! (Shopify's counts beside the stored ones), [`stored_copy`] (what the sync compares with
//! Shopify before publishing), and the types
//! [`outcome::Outcome`] and [`error::StoreError`]. [`apply`] below dispatches by topic.
//!
//! Hot paths take two round trips for a webhook (receipt, then one statement for the entity
//! and its children) and one for a sync record; every statement is prepared once per
//! connection (`prepare_cached`) and fully parameterised.

pub mod analytics;
pub mod changes;
pub mod completeness;
mod compliance;
pub mod dead_letters;
mod error;
pub mod feed_dead_letters;
mod outcome;
pub mod processes;
mod receipts;
mod resources;
pub mod status;
pub mod stored_copy;
#[cfg(test)]
mod tests;
mod uninstall;

use deadpool_postgres::Transaction;
use serde_json::Value;
use xeno_shopify::notices::{bulk_operation_finish, customer_request};
use xeno_shopify::{PayloadError, Topic};

use crate::envelope::{Envelope, Source};

pub use error::StoreError;
pub use outcome::{ComplianceSummary, Outcome};

/// Whether `env` must be applied after everything before it and before everything after it
/// in a batch. Resource writes commute (guards make any order land on the same rows);
/// compliance requests and uninstalls act on whatever is already written, so they do not.
pub fn is_barrier(env: &Envelope) -> bool {
    matches!(
        env.topic,
        Topic::CustomersRedact
            | Topic::CustomersDataRequest
            | Topic::ShopRedact
            | Topic::AppUninstalled
    )
}

/// Applies one envelope inside `tx` (the caller commits). See the module docs.
///
/// A [`StoreError::Payload`] is returned before anything is written; after a
/// [`StoreError::Db`] the transaction is aborted and must be rolled back.
pub async fn apply(tx: &Transaction<'_>, env: &Envelope) -> Result<Outcome, StoreError> {
    // Unknown topics are never parsed: their bodies may be anything.
    let body = match env.topic {
        Topic::Unknown(_) => None,
        _ => Some(Body::parse(env)?),
    };

    let receipt = env.source == Source::Webhook;
    if receipt && !receipts::insert_receipt(tx, env).await? {
        return Ok(Outcome::Duplicate);
    }
    let webhook_id = receipt.then_some(env.webhook_id.as_str());

    let (value, raw) = match body {
        None => return receipts::finish(tx, env, webhook_id, Outcome::UnknownTopic).await,
        Some(Body::Ignored) => {
            return receipts::finish(tx, env, webhook_id, Outcome::Ignored).await
        }
        Some(Body::Json { value, raw }) => (value, raw),
    };
    if let Some(resource) = env.topic.resource() {
        return resources::apply(tx, env, resource, webhook_id, &value, raw).await;
    }
    let outcome = match env.topic {
        Topic::AppUninstalled => {
            uninstall::uninstall(tx, env, &value).await?;
            Outcome::Uninstalled
        }
        Topic::BulkOperationsFinish => Outcome::BulkFinished(bulk_operation_finish(&value)?),
        Topic::CustomersRedact => {
            let request = customer_request(&value)?;
            Outcome::Compliance(compliance::redact_customer(tx, env, &request).await?)
        }
        Topic::CustomersDataRequest => {
            let request = customer_request(&value)?;
            Outcome::Compliance(compliance::data_request(tx, env, &request).await?)
        }
        Topic::ShopRedact => Outcome::Compliance(compliance::redact_shop(tx, env).await?),
        // Every other known topic names a resource (handled above).
        _ => Outcome::UnknownTopic,
    };
    receipts::finish(tx, env, webhook_id, outcome).await
}

/// A known topic's body.
enum Body<'a> {
    /// Recognised as carrying nothing to store (`order_edit`, a merge notice).
    Ignored,
    /// The parsed JSON and its text (stored as `raw`).
    Json { value: Value, raw: &'a str },
}

impl<'a> Body<'a> {
    fn parse(env: &'a Envelope) -> Result<Body<'a>, PayloadError> {
        let bad = |problem: String| PayloadError {
            resource: "webhook",
            field: "(body)".to_string(),
            problem,
        };
        let raw = std::str::from_utf8(&env.body).map_err(|e| bad(format!("is not UTF-8: {e}")))?;
        let value: Value =
            serde_json::from_str(raw).map_err(|e| bad(format!("is not JSON: {e}")))?;
        let ignored = match env.topic {
            Topic::OrdersEdited => value.get("order_edit").is_some(),
            // The merge notice names the two customers; the customers/update and
            // customers/delete Shopify sends with it carry the effect.
            Topic::CustomersMerge => {
                value.get("updated_at").is_none() && value.get("updatedAt").is_none()
            }
            _ => false,
        };
        Ok(if ignored {
            Body::Ignored
        } else {
            Body::Json { value, raw }
        })
    }
}
