//! The mandatory compliance webhooks, carried out on the stored data. Each records a
//! `compliance_requests` row and returns a [`ComplianceSummary`] (row counts) for the log.
//!
//! - `customers/redact`: the customer's row loses every personal column and its `raw`
//!   becomes `{"id":…,"redacted":true}` (a placeholder row is inserted when the customer is
//!   not stored, so a late `customers/create` cannot bring the data back); the customer's
//!   orders (by customer id, `orders_to_redact` and email) lose `email`, `note`,
//!   `note_attributes` and the personal parts of `raw`, and their transactions the payment details of `raw`; earlier
//!   data-request exports of the customer are erased. Then a sweep
//!   visits every `text`, `jsonb` and `bytea` column of every table that has a `shop_domain`
//!   (rows of this shop, or of no shop), and wherever the customer's email or phone still
//!   appears: JSON strings holding it become `"[redacted]"`, text values become
//!   `[redacted]`, byte payloads (dead letters) are replaced by a redaction marker.
//! - `shop/redact`: every row of the shop in every table is deleted (the shop row keeps only
//!   its domain and `redacted_at`; this delivery's own receipt stays, for dedupe). Orders and
//!   refunds go first so the analytics triggers settle before their rollups are deleted.
//! - `customers/data_request`: the customer's row and orders (with line items) are copied
//!   into `compliance_requests.export`, ready to hand to the merchant.

use deadpool_postgres::Transaction;
use serde_json::Value;
use tokio_postgres::Error;
use xeno_shopify::notices::CustomerRequest;

use crate::envelope::{Envelope, Source};
use crate::store::outcome::ComplianceSummary;
use crate::store::resources::{customers, orders, transactions};

/// Replaces every occurrence of personal data in free text and JSON.
const REDACTED: &str = "[redacted]";

/// Top-level keys of an order's REST or GraphQL JSON that hold personal data.
const ORDER_PERSONAL_KEYS: &[&str] = &[
    "customer",
    "email",
    "contact_email",
    "phone",
    "billing_address",
    "shipping_address",
    "client_details",
    "browser_ip",
    "note",
    "note_attributes",
    "billingAddress",
    "shippingAddress",
    "clientIp",
    "displayAddress",
    "customAttributes",
];

fn webhook_id(env: &Envelope) -> Option<&str> {
    (env.source == Source::Webhook).then_some(env.webhook_id.as_str())
}

/// Replaces JSON strings (and drops object keys) containing any needle; true if changed.
fn scrub_json(v: &mut Value, needles: &[String]) -> bool {
    let hit = |s: &str| {
        let lower = s.to_lowercase();
        needles.iter().any(|n| lower.contains(n.as_str()))
    };
    match v {
        Value::String(s) if hit(s) => {
            *s = REDACTED.to_string();
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| scrub_json(item, needles) | changed),
        Value::Object(map) => {
            let before = map.len();
            map.retain(|k, _| !hit(k));
            let mut changed = map.len() != before;
            for item in map.values_mut() {
                changed |= scrub_json(item, needles);
            }
            changed
        }
        _ => false,
    }
}

/// `customers/redact`.
pub(super) async fn redact_customer(
    tx: &Transaction<'_>,
    env: &Envelope,
    req: &CustomerRequest,
) -> Result<ComplianceSummary, Error> {
    let shop = env.shop_domain.as_str();
    let email = req
        .email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    let mut needles: Vec<String> = email.iter().cloned().collect();
    if let Some(phone) = req.phone.as_deref().map(str::trim) {
        // Short values would match unrelated text.
        if phone.len() >= 6 {
            needles.push(phone.to_lowercase());
        }
    }
    let mut summary = ComplianceSummary::new("customers/redact", req.customer_id);

    // 1. The customer's own rows.
    if let Some(n) = customers::redact(tx, shop, req.customer_id, email.as_deref()).await? {
        summary.add("customers", n);
    }

    // 2. The customer's orders: email and the personal parts of raw.
    let mut orders =
        orders::of_customer(tx, shop, req.customer_id, &req.order_ids, email.as_deref()).await?;
    for (_, raw) in &mut orders {
        if let Value::Object(map) = raw {
            for key in ORDER_PERSONAL_KEYS {
                map.remove(*key);
            }
        }
        scrub_json(raw, &needles);
    }
    if !orders.is_empty() {
        let ids: Vec<i64> = orders.iter().map(|(id, _)| *id).collect();
        summary.add("orders", orders::write_redacted(tx, shop, orders).await?);
        summary.add(
            "order_transactions",
            transactions::redact(tx, shop, &ids).await?,
        );
    }

    // 3. Earlier exports of this customer.
    let n = tx
        .execute(
            "UPDATE compliance_requests SET export = NULL,
                    summary = summary || jsonb_build_object('export_erased_at', now())
             WHERE shop_domain = $1 AND export IS NOT NULL
               AND (customer_id = $2 OR ($3::text IS NOT NULL AND strpos(lower(export::text), $3) > 0))",
            &[&shop, &req.customer_id, &email],
        )
        .await?;
    summary.add("compliance_exports", n);

    // 4. Anything else that still mentions the email or phone.
    if !needles.is_empty() {
        sweep(tx, shop, &needles, &mut summary).await?;
    }

    record(tx, env, &summary).await?;
    Ok(summary)
}

/// Every `text`, `jsonb` and `bytea` column of every table with a `shop_domain`.
async fn personal_columns(tx: &Transaction<'_>) -> Result<Vec<(String, String, String)>, Error> {
    let rows = tx
        .query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('text', 'jsonb', 'bytea')
               AND c.column_name <> 'shop_domain'
               AND EXISTS (SELECT 1 FROM information_schema.columns s
                           WHERE s.table_schema = c.table_schema
                             AND s.table_name = c.table_name
                             AND s.column_name = 'shop_domain')
             ORDER BY c.table_name, c.ordinal_position",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Redacts every remaining mention of `needles` in the shop's rows (and rows of no shop).
async fn sweep(
    tx: &Transaction<'_>,
    shop: &str,
    needles: &[String],
    summary: &mut ComplianceSummary,
) -> Result<(), Error> {
    for (table, column, data_type) in personal_columns(tx).await? {
        let (t, c) = (ident(&table), ident(&column));
        let scope = format!(
            "(shop_domain = $1 OR shop_domain IS NULL)
             AND EXISTS (SELECT 1 FROM unnest($2::text[]) n WHERE strpos(lower({}), n) > 0)",
            match data_type.as_str() {
                "bytea" => format!("encode({c}, 'escape')"),
                _ => format!("{c}::text"),
            }
        );
        let n = match data_type.as_str() {
            "text" => {
                let sql = format!("UPDATE {t} SET {c} = '{REDACTED}' WHERE {scope}");
                tx.execute(&sql, &[&shop, &needles]).await?
            }
            "bytea" => {
                let sql = format!(
                    "UPDATE {t} SET {c} = convert_to('{{\"redacted\":true,\"by\":\"customers/redact\"}}', 'UTF8')
                     WHERE {scope}"
                );
                tx.execute(&sql, &[&shop, &needles]).await?
            }
            _ => {
                let select = format!("SELECT ctid::text, {c} FROM {t} WHERE {scope}");
                let rows = tx.query(&select, &[&shop, &needles]).await?;
                let update = format!("UPDATE {t} SET {c} = $2 WHERE ctid = $1::text::tid");
                let mut n = 0;
                for row in rows {
                    let ctid: String = row.get(0);
                    let mut value: Value = row.get(1);
                    if scrub_json(&mut value, needles) {
                        n += tx.execute(&update, &[&ctid, &value]).await?;
                    }
                }
                n
            }
        };
        if n > 0 {
            summary.add(format!("{table}.{column}"), n);
        }
    }
    Ok(())
}

/// `shop/redact`: deletes the shop's rows everywhere.
pub(super) async fn redact_shop(
    tx: &Transaction<'_>,
    env: &Envelope,
) -> Result<ComplianceSummary, Error> {
    let shop = env.shop_domain.as_str();
    let own_receipt = webhook_id(env);
    let mut summary = ComplianceSummary::new("shop/redact", None);
    let tables = tx
        .query(
            "SELECT c.table_name::text FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               AND c.column_name = 'shop_domain'
             ORDER BY c.table_name = 'orders' DESC, c.table_name = 'order_refunds' DESC,
                      c.table_name = 'shops' DESC, c.table_name",
            &[],
        )
        .await?;
    for row in tables {
        let table: String = row.get(0);
        let n = match table.as_str() {
            "shops" => {
                tx.execute(
                    "UPDATE shops SET shopify_shop_id = NULL, currency = NULL,
                            iana_timezone = NULL, installed = false, redacted_at = now()
                     WHERE shop_domain = $1",
                    &[&shop],
                )
                .await?;
                continue;
            }
            "webhook_receipts" => {
                tx.execute(
                    "DELETE FROM webhook_receipts
                     WHERE shop_domain = $1 AND webhook_id IS DISTINCT FROM $2",
                    &[&shop, &own_receipt],
                )
                .await?
            }
            _ => {
                let sql = format!("DELETE FROM {} WHERE shop_domain = $1", ident(&table));
                tx.execute(&sql, &[&shop]).await?
            }
        };
        summary.add(table, n);
    }
    record(tx, env, &summary).await?;
    Ok(summary)
}

/// `customers/data_request`: stores an export of the customer's data.
pub(super) async fn data_request(
    tx: &Transaction<'_>,
    env: &Envelope,
    req: &CustomerRequest,
) -> Result<ComplianceSummary, Error> {
    const SQL: &str = "
        WITH c AS (
            SELECT * FROM customers
            WHERE shop_domain = $1
              AND (id = $2 OR ($3::text IS NOT NULL AND lower(email) = lower($3)))
        ), o AS (
            SELECT o.*,
                   (SELECT COALESCE(jsonb_agg(to_jsonb(li) - 'shop_domain' ORDER BY li.id), '[]')
                    FROM order_line_items li
                    WHERE li.shop_domain = $1 AND li.order_id = o.id) AS line_items
            FROM orders o
            WHERE o.shop_domain = $1
              AND (o.customer_id = $2 OR o.id = ANY($4::int8[])
                   OR ($3::text IS NOT NULL AND lower(o.email) = lower($3)))
        )
        INSERT INTO compliance_requests (shop_domain, kind, webhook_id, customer_id,
                                         data_request_id, completed_at, summary, export)
        SELECT $1, 'customers/data_request', $5, $2, $6, now(),
               jsonb_build_object('customers', (SELECT count(*) FROM c),
                                  'orders', (SELECT count(*) FROM o)),
               jsonb_build_object(
                   'customers', (SELECT COALESCE(jsonb_agg(to_jsonb(c) - 'shop_domain' ORDER BY c.id), '[]') FROM c),
                   'orders', (SELECT COALESCE(jsonb_agg(to_jsonb(o) - 'shop_domain' ORDER BY o.id), '[]') FROM o))
        RETURNING (summary->>'customers')::int8, (summary->>'orders')::int8";
    let row = tx
        .query_one(
            SQL,
            &[
                &env.shop_domain,
                &req.customer_id,
                &req.email,
                &req.order_ids,
                &webhook_id(env),
                &req.data_request_id,
            ],
        )
        .await?;
    let mut summary = ComplianceSummary::new("customers/data_request", req.customer_id);
    summary.add("customers", row.get::<_, i64>(0) as u64);
    summary.add("orders", row.get::<_, i64>(1) as u64);
    Ok(summary)
}

/// Records a redaction in `compliance_requests`.
async fn record(
    tx: &Transaction<'_>,
    env: &Envelope,
    summary: &ComplianceSummary,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO compliance_requests (shop_domain, kind, webhook_id, customer_id,
                                          completed_at, summary)
         VALUES ($1, $2, $3, $4, now(), $5)",
        &[
            &env.shop_domain,
            &summary.kind,
            &webhook_id(env),
            &summary.customer_id,
            &summary.to_json(),
        ],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod unit {
    use super::*;
    use serde_json::json;

    #[test]
    fn scrub_replaces_strings_and_keys_case_insensitively() {
        let mut v = json!({"a": "Bob@Example.com", "b": ["x", {"c": "mail bob@example.com now"}],
                           "bob@example.com": 1, "n": 5});
        assert!(scrub_json(&mut v, &["bob@example.com".to_string()]));
        assert_eq!(
            v,
            json!({"a": "[redacted]", "b": ["x", {"c": "[redacted]"}], "n": 5})
        );
        assert!(!scrub_json(&mut v, &["bob@example.com".to_string()]));
    }
}
