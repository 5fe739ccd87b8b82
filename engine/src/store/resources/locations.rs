//! Locations: the upsert and the tombstone, dispatched from `resources/mod.rs`; the parsers
//! are `xeno_shopify::resource::locations` (shopify/src/resource/locations.rs).
//!
//! One statement ensures the shop row, writes the location when `updated_at` is not older
//! than the stored one and the row is not tombstoned, and writes the webhook receipt's
//! outcome. Locations hold no personal data: `shop/redact` deletes them with every other row
//! of the shop (`store/compliance.rs`), `customers/redact` leaves them.

use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::Error;
use xeno_shopify::resource::locations::{location_from_graphql, location_from_rest};
use xeno_shopify::LocationRow;

use super::rows::{applied, read, tombstone_sql};
use crate::envelope::Envelope;
use crate::store::changes::change_cte;
use crate::store::error::StoreError;
use crate::store::outcome::Outcome;

/// Tombstones a location (`locations/delete`).
pub(super) const TOMBSTONE: &str = tombstone_sql!("locations");

/// Applies a `locations/*` record (the receipt's outcome is written in the same statement).
pub(super) async fn apply(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    value: &Value,
    raw: &str,
) -> Result<Outcome, StoreError> {
    let location = read(env, value, location_from_rest, location_from_graphql)?;
    Ok(upsert_location(tx, env, webhook_id, &location, raw).await?)
}

async fn upsert_location(
    tx: &Transaction<'_>,
    env: &Envelope,
    webhook_id: Option<&str>,
    l: &LocationRow,
    raw: &str,
) -> Result<Outcome, Error> {
    const SQL: &str = concat!(
        "WITH shop AS (
            INSERT INTO shops (shop_domain) VALUES ($1) ON CONFLICT DO NOTHING
        ), up AS (
            INSERT INTO locations AS t (shop_domain, id, name, address1, address2, city,
                province, province_code, country, country_code, zip, phone, active, legacy,
                created_at, updated_at, raw, ingested_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17::text::jsonb, now())
            ON CONFLICT (shop_domain, id) DO UPDATE SET
                name = EXCLUDED.name, address1 = EXCLUDED.address1,
                address2 = EXCLUDED.address2, city = EXCLUDED.city,
                province = EXCLUDED.province, province_code = EXCLUDED.province_code,
                country = EXCLUDED.country, country_code = EXCLUDED.country_code,
                zip = EXCLUDED.zip, phone = EXCLUDED.phone, active = EXCLUDED.active,
                legacy = EXCLUDED.legacy, created_at = EXCLUDED.created_at,
                updated_at = EXCLUDED.updated_at, raw = EXCLUDED.raw, ingested_at = now()
            WHERE t.updated_at <= EXCLUDED.updated_at AND t.deleted_at IS NULL
            RETURNING t.*
        )",
        change_cte!("locations", "$19", "$18", ""),
        ", receipt AS (
            UPDATE webhook_receipts
               SET outcome = CASE WHEN EXISTS (SELECT 1 FROM up) THEN 'applied' ELSE 'stale' END
             WHERE shop_domain = $1 AND webhook_id = $18
        )
        SELECT EXISTS (SELECT 1 FROM up)"
    );
    let stmt = tx.prepare_cached(SQL).await?;
    let rows = tx
        .query(
            &stmt,
            &[
                &env.shop_domain,
                &l.id,
                &l.name,
                &l.address1,
                &l.address2,
                &l.city,
                &l.province,
                &l.province_code,
                &l.country,
                &l.country_code,
                &l.zip,
                &l.phone,
                &l.active,
                &l.legacy,
                &l.created_at,
                &l.updated_at,
                &raw,
                &webhook_id,
                &env.source.as_str(),
            ],
        )
        .await?;
    Ok(applied(&rows))
}
