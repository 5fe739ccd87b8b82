//! Customers: the upsert and the tombstone, dispatched from `resources/mod.rs`; the parsers
//! are `xeno_shopify::resource::customers` (shopify/src/resource/customers.rs).
//!
//! One statement ensures the shop row, writes the customer when `updated_at` is not older than
//! the stored one and the row is neither tombstoned nor redacted, and writes the webhook
//! receipt's outcome. A redacted customer (`customers/redact`, see `store/compliance.rs`) is
//! frozen: later updates are `Stale`.

use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::Error;
use xeno_shopify::resource::customers::{customer_from_graphql, customer_from_rest};
use xeno_shopify::CustomerRow;

use super::rows::{applied, tombstone_sql};
use crate::envelope::{Envelope, Format};
use crate::store::changes::change_cte;
use crate::store::error::StoreError;
use crate::store::outcome::Outcome;

/// Tombstones a customer (`customers/delete`).
pub(super) const TOMBSTONE: &str = tombstone_sql!("customers");

/// Applies a `customers/*` record (the receipt's outcome is written in the same statement).
pub(super) async fn apply(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    value: &Value,
    raw: &str,
) -> Result<Outcome, StoreError> {
    let customer = if env.format == Format::Graphql {
        customer_from_graphql(value)?
    } else {
        customer_from_rest(value)?
    };
    Ok(upsert_customer(tx, env, webhook_id, &customer, raw).await?)
}

/// Upserts a customer. Redacted customers are never written again.
async fn upsert_customer(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    c: &CustomerRow,
    raw: &str,
) -> Result<Outcome, Error> {
    const SQL: &str = concat!(
        "WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        ), up AS (
            INSERT INTO customers AS t (shop_domain, id, email, phone, first_name, last_name,
                state, verified_email, tags, currency, orders_count, total_spent, default_city,
                default_province, default_country, created_at, updated_at, raw, ingested_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                    $18::text::jsonb, now())
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                email = EXCLUDED.email, phone = EXCLUDED.phone,
                first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                state = EXCLUDED.state, verified_email = EXCLUDED.verified_email,
                tags = EXCLUDED.tags, currency = EXCLUDED.currency,
                orders_count = EXCLUDED.orders_count, total_spent = EXCLUDED.total_spent,
                default_city = EXCLUDED.default_city,
                default_province = EXCLUDED.default_province,
                default_country = EXCLUDED.default_country,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
                raw = EXCLUDED.raw, ingested_at = now()
            WHERE t.updated_at <= EXCLUDED.updated_at AND t.deleted_at IS NULL
              AND t.redacted_at IS NULL
            RETURNING t.*
        )",
        change_cte!("customers", "$20", "$19", ""),
        ", receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $19
        )
        SELECT EXISTS (SELECT 1 FROM up)"
    );
    let stmt = tx.prepare_cached(SQL).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &env.shop_domain,
                &c.id,
                &c.email,
                &c.phone,
                &c.first_name,
                &c.last_name,
                &c.state,
                &c.verified_email,
                &c.tags,
                &c.currency,
                &c.orders_count,
                &c.total_spent,
                &c.default_city,
                &c.default_province,
                &c.default_country,
                &c.created_at,
                &c.updated_at,
                &raw,
                &webhook_id,
                &env.source.as_str(),
            ],
        )
        .await?;
    Ok(applied(&rows))
}

/// `customers/redact` on the customer's own rows: every personal column erased, `raw`
/// replaced by `{"id":…,"redacted":true}`, `redacted_at` set (frozen from then on). By id, a
/// placeholder row is inserted when the customer is not stored, so a late `customers/create`
/// cannot bring the data back; by email, every other row with that email. Returns the rows
/// changed, `None` when the request names neither.
pub(crate) async fn redact(
    tx: &Transaction<'_>,
    shop: &str,
    customer_id: Option<i64>,
    email: Option<&str>,
) -> Result<Option<u64>, Error> {
    let erase = |id: &str| {
        format!(
            "email = NULL, phone = NULL, first_name = NULL, last_name = NULL,
             default_city = NULL, default_province = NULL, default_country = NULL,
             raw = jsonb_build_object('id', {id}, 'redacted', true), redacted_at = now()"
        )
    };
    let mut changed = None;
    if let Some(id) = customer_id {
        let sql = format!(
            "INSERT INTO customers AS t (shop_domain, id, updated_at, deleted_at, redacted_at, raw)
             VALUES ($1, $2, to_timestamp(0), now(), now(),
                     jsonb_build_object('id', $2::int8, 'redacted', true))
             ON CONFLICT (shop_domain, id) DO UPDATE SET {}",
            erase("t.id")
        );
        let n = tx.execute(&sql, &[&shop, &id]).await?;
        changed = Some(n);
    }
    if let Some(email) = email {
        let sql = format!(
            "UPDATE customers SET {}
             WHERE shop_domain = $1 AND lower(email) = $2 AND id IS DISTINCT FROM $3",
            erase("id")
        );
        let n = tx.execute(&sql, &[&shop, &email, &customer_id]).await?;
        changed = Some(changed.unwrap_or(0) + n);
    }
    Ok(changed)
}
