//! Order transactions (`order_transactions`, `sql/V6__order_transactions.sql`): written once,
//! from `order_transactions/create` or from the `transactions` of a synced order node, by
//! whichever arrives first (Shopify never changes a transaction, so there is nothing to
//! guard). Part of the orders resource (`resources/orders.rs` calls in); the parsers are
//! `xeno_shopify::resource::transactions`.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use rust_decimal::Decimal;
use tokio_postgres::Error;
use xeno_shopify::TransactionRow;

use super::rows::dedup_by_id;

/// Inserts the transactions not stored yet, in one statement.
pub(super) async fn insert(
    tx: &Transaction<'_>,
    shop_domain: &str,
    transactions: &[TransactionRow],
) -> Result<(), Error> {
    const INSERT: &str = "
        WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        )
        INSERT INTO order_transactions (shop_domain, id, order_id, parent_id, kind, status,
            gateway, amount, currency, error_code, test, created_at, processed_at, raw)
        SELECT $1, u.id, u.order_id, u.parent_id, u.kind, u.status, u.gateway, u.amount,
               u.currency, u.error_code, u.test, u.created_at, u.processed_at, u.raw::jsonb
        FROM unnest($2::int8[], $3::int8[], $4::int8[], $5::text[], $6::text[], $7::text[],
                    $8::numeric[], $9::text[], $10::text[], $11::bool[], $12::timestamptz[],
                    $13::timestamptz[], $14::text[])
             AS u(id, order_id, parent_id, kind, status, gateway, amount, currency,
                  error_code, test, created_at, processed_at, raw)
        ON CONFLICT (shop_domain, id) DO NOTHING";
    if transactions.is_empty() {
        return Ok(());
    }
    let rows = dedup_by_id(transactions, |t| t.id);
    let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
    let order_ids: Vec<i64> = rows.iter().map(|t| t.order_id).collect();
    let parents: Vec<Option<i64>> = rows.iter().map(|t| t.parent_id).collect();
    let kinds: Vec<Option<&str>> = rows.iter().map(|t| t.kind.as_deref()).collect();
    let statuses: Vec<Option<&str>> = rows.iter().map(|t| t.status.as_deref()).collect();
    let gateways: Vec<Option<&str>> = rows.iter().map(|t| t.gateway.as_deref()).collect();
    let amounts: Vec<Option<Decimal>> = rows.iter().map(|t| t.amount).collect();
    let currencies: Vec<Option<&str>> = rows.iter().map(|t| t.currency.as_deref()).collect();
    let errors: Vec<Option<&str>> = rows.iter().map(|t| t.error_code.as_deref()).collect();
    let tests: Vec<bool> = rows.iter().map(|t| t.test).collect();
    let created: Vec<Option<DateTime<Utc>>> = rows.iter().map(|t| t.created_at).collect();
    let processed: Vec<Option<DateTime<Utc>>> = rows.iter().map(|t| t.processed_at).collect();
    let raws: Vec<String> = rows.iter().map(|t| t.raw.to_string()).collect();
    let stmt = tx.prepare_cached(INSERT).await?;
    tx.execute(
        &stmt,
        &[
            &shop_domain,
            &ids,
            &order_ids,
            &parents,
            &kinds,
            &statuses,
            &gateways,
            &amounts,
            &currencies,
            &errors,
            &tests,
            &created,
            &processed,
            &raws,
        ],
    )
    .await?;
    Ok(())
}

/// `customers/redact`: the payment details (card holder's name, card digits) leave `raw` of
/// the transactions of `order_ids`. Returns the rows changed.
pub(crate) async fn redact(
    tx: &Transaction<'_>,
    shop: &str,
    order_ids: &[i64],
) -> Result<u64, Error> {
    tx.execute(
        "UPDATE order_transactions
            SET raw = raw - 'payment_details' - 'paymentDetails' - 'receipt',
                redacted_at = COALESCE(redacted_at, now())
          WHERE shop_domain = $1 AND order_id = ANY($2::int8[])",
        &[&shop, &order_ids],
    )
    .await
}
