//! Products, with their variants: the upsert and the tombstone, dispatched from
//! `resources/mod.rs`; the parsers are `xeno_shopify::resource::products`
//! (shopify/src/resource/products.rs).
//!
//! One statement ensures the shop row, writes the product when `updated_at` is not older than
//! the stored one and the row is not tombstoned, replaces its variants only if it was (and only
//! when the payload carries the list), and writes the webhook receipt's outcome.

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio_postgres::Error;
use xeno_shopify::resource::products::{product_from_graphql, product_from_rest};
use xeno_shopify::{ProductRow, VariantRow};

use super::rows::{applied, dedup_by_id, has_any, tombstone_sql};
use crate::envelope::{Envelope, Format};
use crate::store::changes::change_cte;
use crate::store::error::StoreError;
use crate::store::outcome::Outcome;

/// Tombstones a product (`products/delete`).
pub(super) const TOMBSTONE: &str = tombstone_sql!("products");

/// Applies a `products/*` record (the receipt's outcome is written in the same statement).
pub(super) async fn apply(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    value: &Value,
    raw: &str,
) -> Result<Outcome, StoreError> {
    let product = if env.format == Format::Graphql {
        product_from_graphql(value)?
    } else {
        product_from_rest(value)?
    };
    let replace_variants = has_any(value, &["variants"]);
    Ok(upsert_product(tx, env, webhook_id, &product, raw, replace_variants).await?)
}

/// Upserts a product and, when applied, replaces its variants. A variant without a stated
/// The product, its variants and the receipt's outcome in one statement (see the module docs).
const UPSERT_PRODUCT: &str = concat!(
    "WITH shop AS (
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
            RETURNING t.*
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
            RETURNING t.*
        )",
    change_cte!(
        "products",
        "$25",
        "$13",
        "|| CASE WHEN $14 THEN jsonb_build_object('variants', COALESCE(
               (SELECT jsonb_agg(to_jsonb(v) - 'shop_domain' ORDER BY v.position, v.id)
                FROM variants v), '[]'::jsonb)) ELSE '{}'::jsonb END"
    ),
    ", receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $13
        )
        SELECT EXISTS (SELECT 1 FROM up)"
);

/// The variants of a product as the parallel arrays `UPSERT_PRODUCT` unnests ($15 to $24),
/// deduplicated by id.
struct VariantColumns<'a> {
    ids: Vec<i64>,
    titles: Vec<Option<&'a str>>,
    skus: Vec<Option<&'a str>>,
    prices: Vec<Option<Decimal>>,
    compare: Vec<Option<Decimal>>,
    currencies: Vec<Option<&'a str>>,
    positions: Vec<Option<i32>>,
    inventory: Vec<Option<i32>>,
    created: Vec<Option<DateTime<Utc>>>,
    updated: Vec<Option<DateTime<Utc>>>,
}

impl<'a> VariantColumns<'a> {
    fn new(variants: &'a [VariantRow]) -> Self {
        let variants = dedup_by_id(variants, |v| v.id);
        VariantColumns {
            ids: variants.iter().map(|v| v.id).collect(),
            titles: variants.iter().map(|v| v.title.as_deref()).collect(),
            skus: variants.iter().map(|v| v.sku.as_deref()).collect(),
            prices: variants.iter().map(|v| v.price).collect(),
            compare: variants.iter().map(|v| v.compare_at_price).collect(),
            currencies: variants.iter().map(|v| v.currency.as_deref()).collect(),
            positions: variants.iter().map(|v| v.position).collect(),
            inventory: variants.iter().map(|v| v.inventory_quantity).collect(),
            created: variants.iter().map(|v| v.created_at).collect(),
            updated: variants.iter().map(|v| v.updated_at).collect(),
        }
    }
}

/// currency takes the shop's.
async fn upsert_product(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    p: &ProductRow,
    raw: &str,
    replace_variants: bool,
) -> Result<Outcome, Error> {
    let v = VariantColumns::new(&p.variants);
    let stmt = tx.prepare_cached(UPSERT_PRODUCT).await?;
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
                &v.ids,
                &v.titles,
                &v.skus,
                &v.prices,
                &v.compare,
                &v.currencies,
                &v.positions,
                &v.inventory,
                &v.created,
                &v.updated,
                &env.source.as_str(),
            ],
        )
        .await?;
    Ok(applied(&rows))
}
