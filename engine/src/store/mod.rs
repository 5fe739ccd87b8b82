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
//! - **Entities** ([`entities`]) are upserted only when not older than the stored row and not
//!   tombstoned; children (line items, variants) are replaced in the same statement.
//! - **Deletes** are tombstones; a delete that arrives first inserts the tombstone row.
//! - **Compliance** topics ([`compliance`]) act on every table and return a summary.
//!
//! Hot paths take two round trips for a webhook (receipt, then one statement for the entity
//! and its children) and one for a sync record; every statement is prepared once per
//! connection (`prepare_cached`) and fully parameterised.

pub mod analytics;
mod compliance;
pub mod dead_letters;
mod entities;
pub mod status;
#[cfg(test)]
mod tests;

use std::fmt;

use deadpool_postgres::Transaction;
use serde_json::Value;
use thiserror::Error;
use xeno_shopify::parse::{self, BulkOperationFinished};
use xeno_shopify::{PayloadError, Topic};

use crate::envelope::{Envelope, Format, Source};

pub use compliance::ComplianceSummary;

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

/// Why an envelope could not be applied.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The body cannot become rows (bad JSON, wrong field types): permanent, dead-letter it.
    #[error("bad payload: {0}")]
    Payload(#[from] PayloadError),
    /// PostgreSQL failed; usually worth retrying (see [`StoreError::is_retryable`]).
    #[error("database: {}", db_message(.0))]
    Db(#[from] tokio_postgres::Error),
}

/// The server's message and SQLSTATE when there is one (tokio-postgres's own `Display` says
/// only "db error"), so dead letters and logs say what went wrong.
fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl StoreError {
    /// False for errors the same bytes will hit again: payload errors, and database errors
    /// caused by the data itself (SQLSTATE classes 21 cardinality, 22 data exception — e.g.
    /// a `\u0000` that `jsonb` refuses — and 23 integrity). Connection loss, serialization
    /// failures and deadlocks are retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Payload(_) => false,
            StoreError::Db(e) => match e.code() {
                Some(code) => {
                    let class = &code.code()[..2];
                    !matches!(class, "21" | "22" | "23")
                }
                None => true,
            },
        }
    }
}

/// Whether `env` must be applied after everything before it and before everything after it
/// in a batch. Entity writes commute (guards make any order land on the same rows);
/// compliance requests and uninstalls act on whatever is already written, so they do not.
pub fn is_barrier(env: &Envelope) -> bool {
    matches!(
        Topic::parse(&env.topic),
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
    let topic = Topic::parse(&env.topic);
    // Unknown topics are never parsed: their bodies may be anything.
    let body = match topic {
        Topic::Unknown(_) => None,
        _ => Some(Body::parse(env, &topic)?),
    };

    let receipt = env.source == Source::Webhook;
    if receipt && !insert_receipt(tx, env).await? {
        return Ok(Outcome::Duplicate);
    }
    let webhook_id = receipt.then_some(env.webhook_id.as_str());
    let graphql = env.format == Format::Graphql;

    let (value, raw) = match body {
        None => return finish(tx, env, webhook_id, Outcome::UnknownTopic).await,
        Some(Body::Ignored) => return finish(tx, env, webhook_id, Outcome::Ignored).await,
        Some(Body::Json { value, raw }) => (value, raw),
    };
    // Entity upserts write their receipt outcome themselves (same statement).
    let outcome = match topic {
        Topic::OrdersCreate
        | Topic::OrdersUpdated
        | Topic::OrdersPaid
        | Topic::OrdersCancelled
        | Topic::OrdersFulfilled
        | Topic::OrdersPartiallyFulfilled
        | Topic::OrdersEdited => {
            let order = if graphql {
                parse::order_from_graphql(&value)?
            } else {
                parse::order_from_rest(&value)?
            };
            let replace_items = has_any(&value, &["line_items", "lineItems"]);
            return Ok(
                entities::upsert_order(tx, env, webhook_id, &order, raw, replace_items).await?,
            );
        }
        Topic::CustomersCreate
        | Topic::CustomersUpdate
        | Topic::CustomersEnable
        | Topic::CustomersDisable
        | Topic::CustomersMerge => {
            let customer = if graphql {
                parse::customer_from_graphql(&value)?
            } else {
                parse::customer_from_rest(&value)?
            };
            return Ok(entities::upsert_customer(tx, env, webhook_id, &customer, raw).await?);
        }
        Topic::ProductsCreate | Topic::ProductsUpdate => {
            let product = if graphql {
                parse::product_from_graphql(&value)?
            } else {
                parse::product_from_rest(&value)?
            };
            let replace_variants = has_any(&value, &["variants"]);
            return Ok(entities::upsert_product(
                tx,
                env,
                webhook_id,
                &product,
                raw,
                replace_variants,
            )
            .await?);
        }
        Topic::OrdersDelete | Topic::CustomersDelete | Topic::ProductsDelete => {
            let id = parse::id_from_delete(&value)?;
            let table = match topic {
                Topic::OrdersDelete => entities::Tombstone::Orders,
                Topic::CustomersDelete => entities::Tombstone::Customers,
                _ => entities::Tombstone::Products,
            };
            entities::tombstone(tx, env, table, id).await?;
            Outcome::Deleted
        }
        Topic::RefundsCreate => {
            let refund = if graphql {
                parse::refund_from_graphql(&value)?
            } else {
                parse::refund_from_rest(&value)?
            };
            entities::upsert_refunds(tx, &env.shop_domain, std::slice::from_ref(&refund)).await?;
            Outcome::Applied
        }
        Topic::AppUninstalled => {
            entities::uninstall(tx, env, &value).await?;
            Outcome::Uninstalled
        }
        Topic::BulkOperationsFinish => Outcome::BulkFinished(parse::bulk_operation_finish(&value)?),
        Topic::CustomersRedact => {
            let request = parse::customer_request(&value)?;
            Outcome::Compliance(compliance::redact_customer(tx, env, &request).await?)
        }
        Topic::CustomersDataRequest => {
            let request = parse::customer_request(&value)?;
            Outcome::Compliance(compliance::data_request(tx, env, &request).await?)
        }
        Topic::ShopRedact => Outcome::Compliance(compliance::redact_shop(tx, env).await?),
        Topic::Unknown(_) => Outcome::UnknownTopic,
    };
    finish(tx, env, webhook_id, outcome).await
}

/// Writes the receipt's final outcome (webhooks only) and returns it.
async fn finish(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    outcome: Outcome,
) -> Result<Outcome, StoreError> {
    if let Some(webhook_id) = webhook_id {
        const SQL: &str =
            "UPDATE webhook_receipts SET outcome = $3 WHERE shop_domain = $1 AND webhook_id = $2";
        let stmt = tx.prepare_cached(SQL).await?;
        tx.execute(&stmt, &[&env.shop_domain, &webhook_id, &outcome.label()])
            .await?;
    }
    Ok(outcome)
}

/// A known topic's body.
enum Body<'a> {
    /// Recognised as carrying nothing to store (`order_edit`, a merge notice).
    Ignored,
    /// The parsed JSON and its text (stored as `raw`).
    Json { value: Value, raw: &'a str },
}

impl<'a> Body<'a> {
    fn parse(env: &'a Envelope, topic: &Topic) -> Result<Body<'a>, PayloadError> {
        let bad = |problem: String| PayloadError {
            resource: "webhook",
            field: "(body)".to_string(),
            problem,
        };
        let raw = std::str::from_utf8(&env.body).map_err(|e| bad(format!("is not UTF-8: {e}")))?;
        let value: Value =
            serde_json::from_str(raw).map_err(|e| bad(format!("is not JSON: {e}")))?;
        let ignored = match topic {
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

fn has_any(value: &Value, keys: &[&str]) -> bool {
    keys.iter()
        .any(|k| value.get(k).is_some_and(|v| !v.is_null()))
}

/// Inserts the receipt (outcome `pending`, finalised later in the same transaction) and
/// makes sure the shop row exists. Returns false when this webhook id was already applied.
///
/// The shop row is never updated here: an update holds the row until the batch commits, and
/// every other writer's `INSERT INTO shops … ON CONFLICT DO NOTHING` then waits for that
/// commit (a unique check waits on an in-progress change of the conflicting row), which
/// serialised all webhook batches. `shops.last_webhook_at` is folded from the receipts by the
/// RollupCompactor instead (`engine/src/analytics/rollup_compactor.rs`).
async fn insert_receipt(tx: &Transaction<'_>, env: &Envelope) -> Result<bool, StoreError> {
    const SQL: &str = "
        WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        )
        INSERT INTO webhook_receipts (shop_domain, webhook_id, topic, event_id, api_version,
                                      triggered_at, outcome)
        VALUES ($1, $2, $3, $4, $5, $6, 'pending')
        ON CONFLICT (shop_domain, webhook_id) DO NOTHING
        RETURNING 1";
    let stmt = tx.prepare_cached(SQL).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &env.shop_domain,
                &env.webhook_id,
                &env.topic,
                &env.event_id,
                &env.api_version,
                &env.triggered_at,
            ],
        )
        .await?;
    Ok(!rows.is_empty())
}
