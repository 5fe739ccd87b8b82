//! Entity writes: orders (with line items and refunds), customers, products (with
//! variants), refunds, tombstones and `app/uninstalled`.
//!
//! Each upsert is one statement: the shop row is ensured, the entity is inserted or updated
//! only when `updated_at` is not older than the stored one and the row is not tombstoned,
//! its children are replaced only if it was, and the webhook receipt's outcome is written,
//! all through data-modifying CTEs. Children arrive as parallel arrays (`unnest`), so an
//! order with 50 line items is still one round trip.
//!
//! Rules worth knowing:
//! - Children are replaced (missing ones deleted) only when the payload carries the list at
//!   all; a sync node queried without `lineItems` leaves the stored ones alone.
//! - Refunds are append-only in Shopify, so an order's refunds are merged, never deleted, and
//!   `total_refunded` never decreases: a late, older order payload cannot forget a refund
//!   that `refunds/create` already stored.
//! - A redacted order (`customers/redact`) still takes later non-personal updates, but its
//!   `email` stays NULL and its `raw` stays the redacted one.
//! - A redacted customer is frozen: later updates are `Stale`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio_postgres::Error;
use xeno_shopify::{CustomerRow, OrderRow, ProductRow, RefundRow};

use super::Outcome;
use crate::envelope::Envelope;

/// Keeps the last occurrence of each id: `ON CONFLICT DO UPDATE` refuses to touch one row
/// twice in a statement, and Shopify's last word for an id is the one to keep.
fn dedup_by_id<T>(items: &[T], id: impl Fn(&T) -> i64) -> Vec<&T> {
    let mut seen = HashSet::with_capacity(items.len());
    let mut out: Vec<&T> = items.iter().rev().filter(|i| seen.insert(id(i))).collect();
    out.reverse();
    out
}

fn applied(rows: &[tokio_postgres::Row]) -> Outcome {
    match rows.first().map(|r| r.get::<_, bool>(0)) {
        Some(true) => Outcome::Applied,
        _ => Outcome::Stale,
    }
}

/// Upserts an order and, when applied, replaces its line items and merges its refunds.
pub(super) async fn upsert_order(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    order: &OrderRow,
    raw: &str,
    replace_items: bool,
) -> Result<Outcome, Error> {
    const SQL: &str = "
        WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        ), up AS (
            INSERT INTO orders AS t (shop_domain, id, name, order_number, email, customer_id,
                currency, total_price, subtotal_price, total_tax, total_discounts, total_shipping,
                total_refunded, financial_status, fulfillment_status, cancel_reason, test,
                created_at, processed_at, cancelled_at, closed_at, updated_at, raw, ingested_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                GREATEST($13::numeric, (SELECT COALESCE(sum(r.amount), 0) FROM order_refunds r
                                        WHERE r.shop_domain = $1 AND r.order_id = $2)),
                $14, $15, $16, $17, $18, $19, $20, $21, $22, $23::text::jsonb, now())
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                name = EXCLUDED.name,
                order_number = EXCLUDED.order_number,
                email = CASE WHEN t.redacted_at IS NULL THEN EXCLUDED.email END,
                customer_id = EXCLUDED.customer_id,
                currency = EXCLUDED.currency,
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
            RETURNING 1
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
        ), receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $24
        )
        SELECT EXISTS (SELECT 1 FROM up)";

    let items = dedup_by_id(&order.line_items, |l| l.id);
    let ids: Vec<i64> = items.iter().map(|l| l.id).collect();
    let product_ids: Vec<Option<i64>> = items.iter().map(|l| l.product_id).collect();
    let variant_ids: Vec<Option<i64>> = items.iter().map(|l| l.variant_id).collect();
    let skus: Vec<Option<&str>> = items.iter().map(|l| l.sku.as_deref()).collect();
    let titles: Vec<Option<&str>> = items.iter().map(|l| l.title.as_deref()).collect();
    let variant_titles: Vec<Option<&str>> =
        items.iter().map(|l| l.variant_title.as_deref()).collect();
    let vendors: Vec<Option<&str>> = items.iter().map(|l| l.vendor.as_deref()).collect();
    let quantities: Vec<i32> = items.iter().map(|l| l.quantity).collect();
    let prices: Vec<Option<Decimal>> = items.iter().map(|l| l.price).collect();
    let discounts: Vec<Option<Decimal>> = items.iter().map(|l| l.total_discount).collect();
    let currencies: Vec<Option<&str>> = items.iter().map(|l| l.currency.as_deref()).collect();

    let stmt = tx.prepare_cached(SQL).await?;
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
                &ids,
                &product_ids,
                &variant_ids,
                &skus,
                &titles,
                &variant_titles,
                &vendors,
                &quantities,
                &prices,
                &discounts,
                &currencies,
            ],
        )
        .await?;
    let outcome = applied(&rows);
    if outcome == Outcome::Applied && !order.refunds.is_empty() {
        upsert_refunds(tx, &env.shop_domain, &order.refunds).await?;
    }
    Ok(outcome)
}

/// Upserts refunds (from `refunds/create` or inside an order) and recomputes
/// `orders.total_refunded` for the orders whose refunds changed (rewriting the order row only
/// when the sum differs: usually the order's own payload already carried it).
pub(super) async fn upsert_refunds(
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

/// Upserts a customer. Redacted customers are never written again.
pub(super) async fn upsert_customer(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    c: &CustomerRow,
    raw: &str,
) -> Result<Outcome, Error> {
    const SQL: &str = "
        WITH shop AS (
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
            RETURNING 1
        ), receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $19
        )
        SELECT EXISTS (SELECT 1 FROM up)";
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
            ],
        )
        .await?;
    Ok(applied(&rows))
}

/// Upserts a product and, when applied, replaces its variants. A variant without a stated
/// currency takes the shop's.
pub(super) async fn upsert_product(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    p: &ProductRow,
    raw: &str,
    replace_variants: bool,
) -> Result<Outcome, Error> {
    const SQL: &str = "
        WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        ), up AS (
            INSERT INTO products AS t (shop_domain, id, title, handle, vendor, product_type,
                status, tags, created_at, published_at, updated_at, raw, ingested_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text::jsonb, now())
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                title = EXCLUDED.title, handle = EXCLUDED.handle, vendor = EXCLUDED.vendor,
                product_type = EXCLUDED.product_type, status = EXCLUDED.status,
                tags = EXCLUDED.tags, created_at = EXCLUDED.created_at,
                published_at = EXCLUDED.published_at, updated_at = EXCLUDED.updated_at,
                raw = EXCLUDED.raw, ingested_at = now()
            WHERE t.updated_at <= EXCLUDED.updated_at AND t.deleted_at IS NULL
            RETURNING 1
        ), gone AS (
            DELETE FROM product_variants v
            WHERE $14 AND v.shop_domain = $1 AND v.product_id = $2 AND v.id <> ALL($15::int8[])
              AND EXISTS (SELECT 1 FROM up)
        ), variants AS (
            INSERT INTO product_variants AS t (shop_domain, id, product_id, title, sku, price,
                compare_at_price, currency, position, inventory_quantity, created_at, updated_at)
            SELECT $1, u.id, $2, u.title, u.sku, u.price, u.compare_at_price,
                   COALESCE(u.currency, (SELECT currency FROM shops WHERE shop_domain = $1)),
                   u.position, u.inventory_quantity, u.created_at, u.updated_at
            FROM unnest($15::int8[], $16::text[], $17::text[], $18::numeric[], $19::numeric[],
                        $20::text[], $21::int4[], $22::int4[], $23::timestamptz[],
                        $24::timestamptz[])
                 AS u(id, title, sku, price, compare_at_price, currency, position,
                      inventory_quantity, created_at, updated_at)
            WHERE EXISTS (SELECT 1 FROM up)
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                product_id = EXCLUDED.product_id, title = EXCLUDED.title, sku = EXCLUDED.sku,
                price = EXCLUDED.price, compare_at_price = EXCLUDED.compare_at_price,
                currency = EXCLUDED.currency, position = EXCLUDED.position,
                inventory_quantity = EXCLUDED.inventory_quantity,
                created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
        ), receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $13
        )
        SELECT EXISTS (SELECT 1 FROM up)";

    let variants = dedup_by_id(&p.variants, |v| v.id);
    let ids: Vec<i64> = variants.iter().map(|v| v.id).collect();
    let titles: Vec<Option<&str>> = variants.iter().map(|v| v.title.as_deref()).collect();
    let skus: Vec<Option<&str>> = variants.iter().map(|v| v.sku.as_deref()).collect();
    let prices: Vec<Option<Decimal>> = variants.iter().map(|v| v.price).collect();
    let compare: Vec<Option<Decimal>> = variants.iter().map(|v| v.compare_at_price).collect();
    let currencies: Vec<Option<&str>> = variants.iter().map(|v| v.currency.as_deref()).collect();
    let positions: Vec<Option<i32>> = variants.iter().map(|v| v.position).collect();
    let inventory: Vec<Option<i32>> = variants.iter().map(|v| v.inventory_quantity).collect();
    let created: Vec<Option<DateTime<Utc>>> = variants.iter().map(|v| v.created_at).collect();
    let updated: Vec<Option<DateTime<Utc>>> = variants.iter().map(|v| v.updated_at).collect();

    let stmt = tx.prepare_cached(SQL).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &env.shop_domain,
                &p.id,
                &p.title,
                &p.handle,
                &p.vendor,
                &p.product_type,
                &p.status,
                &p.tags,
                &p.created_at,
                &p.published_at,
                &p.updated_at,
                &raw,
                &webhook_id,
                &replace_variants,
                &ids,
                &titles,
                &skus,
                &prices,
                &compare,
                &currencies,
                &positions,
                &inventory,
                &created,
                &updated,
            ],
        )
        .await?;
    Ok(applied(&rows))
}

/// The tables a delete topic tombstones.
#[derive(Debug, Clone, Copy)]
pub(super) enum Tombstone {
    Orders,
    Customers,
    Products,
}

/// Sets `deleted_at` (the webhook's triggered time, else now). When the row does not exist
/// yet, a tombstone row is inserted so a late create or update cannot resurrect it.
pub(super) async fn tombstone(
    tx: &Transaction<'_>,
    env: &Envelope,
    table: Tombstone,
    id: i64,
) -> Result<(), Error> {
    macro_rules! sql {
        ($table:literal) => {
            concat!(
                "WITH shop AS (INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING)
                 INSERT INTO ", $table, " AS t (shop_domain, id, updated_at, deleted_at)
                 VALUES ($1, $2, COALESCE($3, now()), COALESCE($3, now()))
                 ON CONFLICT (shop_domain, id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at
                 WHERE t.deleted_at IS NULL"
            )
        };
    }
    let sql = match table {
        Tombstone::Orders => sql!("orders"),
        Tombstone::Customers => sql!("customers"),
        Tombstone::Products => sql!("products"),
    };
    let stmt = tx.prepare_cached(sql).await?;
    tx.execute(&stmt, &[&env.shop_domain, &id, &env.triggered_at])
        .await?;
    Ok(())
}

/// `app/uninstalled`: marks the shop, keeping what the body (the shop resource) says about
/// its id, currency and time zone. Wrongly typed fields in that body are ignored: the
/// uninstall itself is the fact that matters.
pub(super) async fn uninstall(
    tx: &Transaction<'_>,
    env: &Envelope,
    body: &Value,
) -> Result<(), Error> {
    const SQL: &str = "
        INSERT INTO shops AS s (shop_domain, shopify_shop_id, currency, iana_timezone,
                                installed, uninstalled_at)
        VALUES ($1, $2, $3, $4, false, COALESCE($5, now()))
        ON CONFLICT (shop_domain) DO UPDATE SET
            installed = false,
            uninstalled_at = EXCLUDED.uninstalled_at,
            shopify_shop_id = COALESCE(EXCLUDED.shopify_shop_id, s.shopify_shop_id),
            currency = COALESCE(EXCLUDED.currency, s.currency),
            iana_timezone = COALESCE(EXCLUDED.iana_timezone, s.iana_timezone)";
    let shop_id = body.get("id").and_then(Value::as_i64);
    let currency = body.get("currency").and_then(Value::as_str);
    let timezone = body.get("iana_timezone").and_then(Value::as_str);
    let stmt = tx.prepare_cached(SQL).await?;
    tx.execute(
        &stmt,
        &[
            &env.shop_domain,
            &shop_id,
            &currency,
            &timezone,
            &env.triggered_at,
        ],
    )
    .await?;
    Ok(())
}
