//! Orders, with their line items and refunds: the upsert, the refunds merge and the
//! tombstone, dispatched from `resources/mod.rs`; the parsers are
//! `xeno_shopify::resource::orders` (shopify/src/resource/orders.rs).
//!
//! An order upsert is one statement: the shop row is ensured, the order is inserted or updated
//! only when `updated_at` is not older than the stored one and the row is not tombstoned, its
//! line items are replaced only if it was, and the webhook receipt's outcome is written, all
//! through data-modifying CTEs. Line items arrive as parallel arrays (`unnest`), so an order
//! with 50 line items is still one round trip.
//!
//! Rules worth knowing:
//! - Line items are replaced (missing ones deleted) only when the payload carries the list at
//!   all; a sync node queried without `lineItems` leaves the stored ones alone.
//! - Transactions (`order_transactions/create`, or listed in a synced order node) are written
//!   once each (`resources/transactions.rs`), whether or not their order payload applied.
//! - Refunds are append-only in Shopify, so an order's refunds are merged, never deleted, and
//!   `total_refunded` never decreases: a late, older order payload cannot forget a refund
//!   that `refunds/create` already stored.
//! - A redacted order (`customers/redact`) still takes later non-personal updates, but its
//!   `email`, `note` and `note_attributes` stay NULL and its `raw` stays the redacted one.
//! - Tax lines, shipping lines, note attributes and discount applications
//!   (`sql/V8__order_detail_lists.sql`) are
//!   JSONB arrays serialised from the typed [`xeno_shopify::OrderDetails`], replaced whole
//!   with the order.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio_postgres::types::Json;
use tokio_postgres::Error;
use xeno_shopify::resource::orders::{
    order_from_graphql, order_from_rest, refund_from_graphql, refund_from_rest,
};
use xeno_shopify::resource::transactions::transaction_from_rest;
use xeno_shopify::{LineItemRow, OrderRow, RefundRow, Topic};

use super::rows::{applied, dedup_by_id, has_any, tombstone_sql};
use super::transactions;
use crate::envelope::{Envelope, Format};
use crate::store::changes::change_cte;
use crate::store::error::StoreError;
use crate::store::outcome::Outcome;
use crate::store::receipts;

/// Tombstones an order (`orders/delete`).
pub(super) const TOMBSTONE: &str = tombstone_sql!("orders");

/// Applies an `orders/*` record, a `refunds/create` or an `order_transactions/create` (the
/// receipt's outcome is written here).
pub(super) async fn apply(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    value: &Value,
    raw: &str,
) -> Result<Outcome, StoreError> {
    let graphql = env.format == Format::Graphql;
    if env.topic == Topic::RefundsCreate {
        let refund = if graphql {
            refund_from_graphql(value)?
        } else {
            refund_from_rest(value)?
        };
        upsert_refunds(tx, &env.shop_domain, std::slice::from_ref(&refund)).await?;
        return receipts::finish(tx, env, webhook_id, Outcome::Applied).await;
    }
    if env.topic == Topic::OrderTransactionsCreate {
        // Only REST has this topic; a sync brings transactions inside their order node.
        let transaction = transaction_from_rest(value)?;
        transactions::insert(tx, &env.shop_domain, std::slice::from_ref(&transaction)).await?;
        return receipts::finish(tx, env, webhook_id, Outcome::Applied).await;
    }
    let order = if graphql {
        order_from_graphql(value)?
    } else {
        order_from_rest(value)?
    };
    let replace_items = has_any(value, &["line_items", "lineItems"]);
    Ok(upsert_order(tx, env, webhook_id, &order, raw, replace_items).await?)
}

/// The order, its line items and the receipt's outcome in one statement (see the module docs).
const UPSERT_ORDER: &str = concat!(
    "WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        ), up AS (
            INSERT INTO orders AS t (shop_domain, id, name, order_number, email, customer_id,
                currency, total_price, subtotal_price, total_tax, total_discounts, total_shipping,
                total_refunded, financial_status, fulfillment_status, cancel_reason, test,
                created_at, processed_at, cancelled_at, closed_at, updated_at, raw, ingested_at,
                presentment_currency, presentment_total_price, tags, note, source_name,
                discount_codes, billing_country_code, shipping_country_code, tax_lines,
                shipping_lines, note_attributes, discount_applications)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                GREATEST($13::numeric, (SELECT COALESCE(sum(r.amount), 0) FROM order_refunds r
                                        WHERE r.shop_domain = $1 AND r.order_id = $2)),
                $14, $15, $16, $17, $18, $19, $20, $21, $22, $23::text::jsonb, now(), $37, $38,
                $39, $40, $41, $42, $43, $44, $45, $46, $47, $48)
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                name = EXCLUDED.name,
                order_number = EXCLUDED.order_number,
                email = CASE WHEN t.redacted_at IS NULL THEN EXCLUDED.email END,
                customer_id = EXCLUDED.customer_id,
                currency = EXCLUDED.currency,
                presentment_currency = EXCLUDED.presentment_currency,
                presentment_total_price = EXCLUDED.presentment_total_price,
                tags = EXCLUDED.tags,
                note = CASE WHEN t.redacted_at IS NULL THEN EXCLUDED.note END,
                source_name = EXCLUDED.source_name,
                discount_codes = EXCLUDED.discount_codes,
                billing_country_code = EXCLUDED.billing_country_code,
                shipping_country_code = EXCLUDED.shipping_country_code,
                tax_lines = EXCLUDED.tax_lines,
                shipping_lines = EXCLUDED.shipping_lines,
                note_attributes = CASE WHEN t.redacted_at IS NULL THEN EXCLUDED.note_attributes END,
                discount_applications = EXCLUDED.discount_applications,
                total_price = EXCLUDED.total_price,
                subtotal_price = EXCLUDED.subtotal_price,
                total_tax = EXCLUDED.total_tax,
                total_discounts = EXCLUDED.total_discounts,
                total_shipping = EXCLUDED.total_shipping,
                total_refunded = GREATEST(t.total_refunded, EXCLUDED.total_refunded),
                financial_status = EXCLUDED.financial_status,
                fulfillment_status = EXCLUDED.fulfillment_status,
                cancel_reason = EXCLUDED.cancel_reason,
                test = EXCLUDED.test,
                created_at = EXCLUDED.created_at,
                processed_at = EXCLUDED.processed_at,
                cancelled_at = EXCLUDED.cancelled_at,
                closed_at = EXCLUDED.closed_at,
                updated_at = EXCLUDED.updated_at,
                raw = CASE WHEN t.redacted_at IS NULL THEN EXCLUDED.raw ELSE t.raw END,
                ingested_at = now()
            WHERE t.updated_at <= EXCLUDED.updated_at AND t.deleted_at IS NULL
            RETURNING t.*
        ), gone AS (
            DELETE FROM order_line_items li
            WHERE $25 AND li.shop_domain = $1 AND li.order_id = $2 AND li.id <> ALL($26::int8[])
              AND EXISTS (SELECT 1 FROM up)
        ), items AS (
            INSERT INTO order_line_items AS t (shop_domain, id, order_id, product_id, variant_id,
                sku, title, variant_title, vendor, quantity, price, total_discount, currency)
            SELECT $1, u.id, $2, u.product_id, u.variant_id, u.sku, u.title, u.variant_title,
                   u.vendor, u.quantity, u.price, u.total_discount, u.currency
            FROM unnest($26::int8[], $27::int8[], $28::int8[], $29::text[], $30::text[],
                        $31::text[], $32::text[], $33::int4[], $34::numeric[], $35::numeric[],
                        $36::text[])
                 AS u(id, product_id, variant_id, sku, title, variant_title, vendor, quantity,
                      price, total_discount, currency)
            WHERE EXISTS (SELECT 1 FROM up)
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                order_id = EXCLUDED.order_id, product_id = EXCLUDED.product_id,
                variant_id = EXCLUDED.variant_id, sku = EXCLUDED.sku, title = EXCLUDED.title,
                variant_title = EXCLUDED.variant_title, vendor = EXCLUDED.vendor,
                quantity = EXCLUDED.quantity, price = EXCLUDED.price,
                total_discount = EXCLUDED.total_discount, currency = EXCLUDED.currency
            RETURNING t.*
        )",
    change_cte!(
        "orders",
        "$49",
        "$24",
        "|| CASE WHEN $25 THEN jsonb_build_object('line_items', COALESCE(
               (SELECT jsonb_agg(to_jsonb(li) - 'shop_domain' ORDER BY li.id) FROM items li),
               '[]'::jsonb)) ELSE '{}'::jsonb END"
    ),
    ", receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $24
        )
        SELECT EXISTS (SELECT 1 FROM up)"
);

/// The line items of an order as the parallel arrays `UPSERT_ORDER` unnests ($26 to $36),
/// deduplicated by id.
struct LineItemColumns<'a> {
    ids: Vec<i64>,
    product_ids: Vec<Option<i64>>,
    variant_ids: Vec<Option<i64>>,
    skus: Vec<Option<&'a str>>,
    titles: Vec<Option<&'a str>>,
    variant_titles: Vec<Option<&'a str>>,
    vendors: Vec<Option<&'a str>>,
    quantities: Vec<i32>,
    prices: Vec<Option<Decimal>>,
    discounts: Vec<Option<Decimal>>,
    currencies: Vec<Option<&'a str>>,
}

impl<'a> LineItemColumns<'a> {
    fn new(line_items: &'a [LineItemRow]) -> Self {
        let items = dedup_by_id(line_items, |l| l.id);
        LineItemColumns {
            ids: items.iter().map(|l| l.id).collect(),
            product_ids: items.iter().map(|l| l.product_id).collect(),
            variant_ids: items.iter().map(|l| l.variant_id).collect(),
            skus: items.iter().map(|l| l.sku.as_deref()).collect(),
            titles: items.iter().map(|l| l.title.as_deref()).collect(),
            variant_titles: items.iter().map(|l| l.variant_title.as_deref()).collect(),
            vendors: items.iter().map(|l| l.vendor.as_deref()).collect(),
            quantities: items.iter().map(|l| l.quantity).collect(),
            prices: items.iter().map(|l| l.price).collect(),
            discounts: items.iter().map(|l| l.total_discount).collect(),
            currencies: items.iter().map(|l| l.currency.as_deref()).collect(),
        }
    }
}

/// Upserts an order and, when applied, replaces its line items and merges its refunds.
async fn upsert_order(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    order: &OrderRow,
    raw: &str,
    replace_items: bool,
) -> Result<Outcome, Error> {
    let li = LineItemColumns::new(&order.line_items);
    let stmt = tx.prepare_cached(UPSERT_ORDER).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &env.shop_domain,
                &order.id,
                &order.name,
                &order.order_number,
                &order.email,
                &order.customer_id,
                &order.currency,
                &order.total_price,
                &order.subtotal_price,
                &order.total_tax,
                &order.total_discounts,
                &order.total_shipping,
                &order.total_refunded,
                &order.financial_status,
                &order.fulfillment_status,
                &order.cancel_reason,
                &order.test,
                &order.created_at,
                &order.processed_at,
                &order.cancelled_at,
                &order.closed_at,
                &order.updated_at,
                &raw,
                &webhook_id,
                &replace_items,
                &li.ids,
                &li.product_ids,
                &li.variant_ids,
                &li.skus,
                &li.titles,
                &li.variant_titles,
                &li.vendors,
                &li.quantities,
                &li.prices,
                &li.discounts,
                &li.currencies,
                &order.presentment_currency,
                &order.presentment_total_price,
                &order.tags,
                &order.note,
                &order.source_name,
                &order.discount_codes,
                &order.billing_country_code,
                &order.shipping_country_code,
                &Json(&order.details.tax_lines),
                &Json(&order.details.shipping_lines),
                &Json(&order.details.note_attributes),
                &Json(&order.details.discount_applications),
                &env.source.as_str(),
            ],
        )
        .await?;
    let outcome = applied(&rows);
    if outcome == Outcome::Applied && !order.refunds.is_empty() {
        upsert_refunds(tx, &env.shop_domain, &order.refunds).await?;
    }
    // Transactions never change, so even a stale order's are facts worth keeping.
    transactions::insert(tx, &env.shop_domain, &order.transactions).await?;
    Ok(outcome)
}

/// Upserts refunds (from `refunds/create` or inside an order) and recomputes
/// `orders.total_refunded` for the orders whose refunds changed (rewriting the order row only
/// when the sum differs: usually the order's own payload already carried it).
async fn upsert_refunds(
    tx: &Transaction<'_>,
    shop_domain: &str,
    refunds: &[RefundRow],
) -> Result<(), Error> {
    const UPSERT: &str = "
        WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        ), up AS (
            INSERT INTO order_refunds AS t (shop_domain, id, order_id, amount, currency, note,
                                            created_at, processed_at, raw)
            SELECT $1, u.id, u.order_id, u.amount, u.currency, u.note, u.created_at,
                   u.processed_at, u.raw::jsonb
            FROM unnest($2::int8[], $3::int8[], $4::numeric[], $5::text[], $6::text[],
                        $7::timestamptz[], $8::timestamptz[], $9::text[])
                 AS u(id, order_id, amount, currency, note, created_at, processed_at, raw)
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                order_id = EXCLUDED.order_id, amount = EXCLUDED.amount,
                currency = EXCLUDED.currency, note = EXCLUDED.note,
                created_at = EXCLUDED.created_at, processed_at = EXCLUDED.processed_at,
                raw = EXCLUDED.raw
            WHERE (t.order_id, t.amount, t.currency, t.note, t.created_at, t.processed_at, t.raw)
                  IS DISTINCT FROM
                  (EXCLUDED.order_id, EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.note,
                   EXCLUDED.created_at, EXCLUDED.processed_at, EXCLUDED.raw)
            RETURNING t.order_id
        )
        SELECT DISTINCT order_id FROM up";
    const RECOMPUTE: &str = "
        UPDATE orders o SET total_refunded = s.total
        FROM (SELECT order_id, sum(amount) AS total FROM order_refunds
              WHERE shop_domain = $1 AND order_id = ANY($2::int8[]) GROUP BY order_id) s
        WHERE o.shop_domain = $1 AND o.id = s.order_id
          AND o.total_refunded IS DISTINCT FROM s.total";

    let refunds = dedup_by_id(refunds, |r| r.id);
    let ids: Vec<i64> = refunds.iter().map(|r| r.id).collect();
    let order_ids: Vec<i64> = refunds.iter().map(|r| r.order_id).collect();
    let amounts: Vec<Decimal> = refunds.iter().map(|r| r.amount).collect();
    let currencies: Vec<Option<&str>> = refunds.iter().map(|r| r.currency.as_deref()).collect();
    let notes: Vec<Option<&str>> = refunds.iter().map(|r| r.note.as_deref()).collect();
    let created: Vec<Option<DateTime<Utc>>> = refunds.iter().map(|r| r.created_at).collect();
    let processed: Vec<Option<DateTime<Utc>>> = refunds.iter().map(|r| r.processed_at).collect();
    let raws: Vec<String> = refunds.iter().map(|r| r.raw.to_string()).collect();

    let stmt = tx.prepare_cached(UPSERT).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &shop_domain,
                &ids,
                &order_ids,
                &amounts,
                &currencies,
                &notes,
                &created,
                &processed,
                &raws,
            ],
        )
        .await?;
    let changed: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    if !changed.is_empty() {
        let stmt = tx.prepare_cached(RECOMPUTE).await?;
        tx.execute(&stmt, &[&shop_domain, &changed]).await?;
    }
    Ok(())
}

/// The orders of a customer being redacted (by customer id, listed order ids, or email) with
/// their `raw`, for `store/compliance.rs` to scrub.
pub(crate) async fn of_customer(
    tx: &Transaction<'_>,
    shop: &str,
    customer_id: Option<i64>,
    order_ids: &[i64],
    email: Option<&str>,
) -> Result<Vec<(i64, Value)>, Error> {
    let rows = tx
        .query(
            "SELECT id, raw FROM orders
             WHERE shop_domain = $1
               AND (customer_id = $2 OR id = ANY($3::int8[])
                    OR ($4::text IS NOT NULL AND lower(email) = $4))",
            &[&shop, &customer_id, &order_ids, &email],
        )
        .await?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Writes redacted orders: `email`, `note` and `note_attributes` erased, `raw` replaced by the scrubbed one,
/// `redacted_at`
/// set (kept from an earlier redaction). Returns the rows changed.
pub(crate) async fn write_redacted(
    tx: &Transaction<'_>,
    shop: &str,
    orders: Vec<(i64, Value)>,
) -> Result<u64, Error> {
    let (ids, raws): (Vec<i64>, Vec<Value>) = orders.into_iter().unzip();
    tx.execute(
        "UPDATE orders o SET email = NULL, note = NULL, note_attributes = NULL, raw = u.raw,
                redacted_at = COALESCE(o.redacted_at, now())
         FROM unnest($2::int8[], $3::jsonb[]) AS u(id, raw)
         WHERE o.shop_domain = $1 AND o.id = u.id",
        &[&shop, &ids, &raws],
    )
    .await
}
