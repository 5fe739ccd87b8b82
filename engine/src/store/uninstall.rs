//! `app/uninstalled`: the shop row marked uninstalled.

use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::Error;

use crate::envelope::Envelope;

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
