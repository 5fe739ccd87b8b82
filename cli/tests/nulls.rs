//! The nulls real shops have, black box: a simulated store with guest orders (some without an
//! email), customers without email or phone, custom line items (no product, variant, SKU or
//! vendor), products without vendor or type, digital orders without shipping and orders paid
//! in another currency (`sim/src/generate/`), fully synced and then changed by webhooks, ends
//! in PostgreSQL equal to the store, every null in its place and the analytics counting guest
//! orders in revenue but never as a customer.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::sim_store::*;
use common::*;
use rust_decimal::Decimal;
use serde_json::Value;
use xeno_sim::{Sim, SimHandle};

const SYNC: &str = "[sync]\nlease_ttl = \"3s\"\nreconcile_every = \"1h\"\n";

/// The null-bearing fields of a store (from `/_sim/export`) or of the database, comparable.
#[derive(Debug, Default, PartialEq)]
struct Nulls {
    /// Customer id → (email, phone).
    customers: BTreeMap<i64, (Option<String>, Option<String>)>,
    /// Order id → (email, customer id, total shipping, presentment currency, total there).
    orders: BTreeMap<i64, OrderNulls>,
    /// Line item id → (product id, variant id, sku, vendor, variant title).
    lines: BTreeMap<i64, LineNulls>,
    /// Product id → (vendor, product type).
    products: BTreeMap<i64, (Option<String>, Option<String>)>,
}

type OrderNulls = (
    Option<String>,
    Option<i64>,
    Option<Decimal>,
    Option<String>,
    Option<Decimal>,
);
type LineNulls = (
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn money(v: &Value) -> Option<Decimal> {
    v.as_str()
        .map(|s| s.parse::<Decimal>().unwrap().normalize())
}

async fn exported(sim: &SimHandle) -> Nulls {
    let body = reqwest::get(format!("{}/_sim/export", sim.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut out = Nulls::default();
    for line in body.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if v["deleted"] == Value::Bool(true) {
            continue;
        }
        let d = &v["data"];
        let id = d["id"].as_i64().unwrap();
        match v["type"].as_str().unwrap() {
            "customer" => {
                out.customers
                    .insert(id, (text(&d["email"]), text(&d["phone"])));
            }
            "product" => {
                out.products
                    .insert(id, (text(&d["vendor"]), text(&d["product_type"])));
            }
            "order" => {
                let presentment = &d["total_price_set"]["presentment_money"];
                out.orders.insert(
                    id,
                    (
                        text(&d["email"]),
                        d["customer"]["id"].as_i64(),
                        money(&d["total_shipping_price_set"]["shop_money"]["amount"]),
                        text(&d["presentment_currency"]),
                        money(&presentment["amount"]),
                    ),
                );
                for l in d["line_items"].as_array().unwrap() {
                    out.lines.insert(
                        l["id"].as_i64().unwrap(),
                        (
                            l["product_id"].as_i64(),
                            l["variant_id"].as_i64(),
                            text(&l["sku"]),
                            text(&l["vendor"]),
                            text(&l["variant_title"]),
                        ),
                    );
                }
            }
            // Nothing nullable to compare: a location's address parts are all strings in
            // Shopify's webhook schema, and the sync comparison checks its values.
            "transaction" | "location" => {}
            other => panic!("unknown export type {other}"),
        }
    }
    out
}

async fn stored_nulls(h: &Harness) -> Nulls {
    let c = h.db.pool.get().await.unwrap();
    let mut out = Nulls::default();
    let live = "deleted_at IS NULL";
    for r in c
        .query(
            &format!("SELECT id, email, phone FROM customers WHERE {live}"),
            &[],
        )
        .await
        .unwrap()
    {
        out.customers.insert(r.get(0), (r.get(1), r.get(2)));
    }
    for r in c
        .query(
            &format!("SELECT id, vendor, product_type FROM products WHERE {live}"),
            &[],
        )
        .await
        .unwrap()
    {
        out.products.insert(r.get(0), (r.get(1), r.get(2)));
    }
    for r in c
        .query(
            &format!(
                "SELECT id, email, customer_id, total_shipping, presentment_currency,
                        presentment_total_price FROM orders WHERE {live}"
            ),
            &[],
        )
        .await
        .unwrap()
    {
        let norm = |d: Option<Decimal>| d.map(|d| d.normalize());
        out.orders.insert(
            r.get(0),
            (r.get(1), r.get(2), norm(r.get(3)), r.get(4), norm(r.get(5))),
        );
    }
    for r in c
        .query(
            &format!(
                "SELECT li.id, li.product_id, li.variant_id, li.sku, li.vendor, li.variant_title
                 FROM order_line_items li JOIN orders o
                   ON o.shop_domain = li.shop_domain AND o.id = li.order_id
                 WHERE o.{live}"
            ),
            &[],
        )
        .await
        .unwrap()
    {
        out.lines
            .insert(r.get(0), (r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)));
    }
    out
}

/// What differs between the store's map and the database's, at most three of each side.
fn show<V: std::fmt::Debug>(what: &str, store: &BTreeMap<i64, V>, db: &BTreeMap<i64, V>) -> String {
    let lines = |m: &BTreeMap<i64, V>| -> BTreeSet<String> {
        m.iter().map(|(k, v)| format!("{k}:{v:?}")).collect()
    };
    let (store, db) = (lines(store), lines(db));
    let missing: Vec<_> = store.difference(&db).take(3).collect();
    let extra: Vec<_> = db.difference(&store).take(3).collect();
    format!("{what}: only in the store {missing:?}, only in the database {extra:?}")
}

/// Waits until the database's nulls equal the store's; returns the store's.
async fn wait_nulls_equal(h: &Harness, sim: &SimHandle, secs: u64) -> Nulls {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let (want, got) = (exported(sim).await, stored_nulls(h).await);
        if want == got {
            return want;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the database's nulls differ from the store's:\n{}\n{}\n{}\n{}",
            show("customers", &want.customers, &got.customers),
            show("orders", &want.orders, &got.orders),
            show("lines", &want.lines, &got.lines),
            show("products", &want.products, &got.products),
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// How many of each null the copy holds.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
struct Counts {
    guests: usize,
    guests_without_email: usize,
    customers_without_email: usize,
    customers_without_phone: usize,
    customers_without_either: usize,
    custom_lines: usize,
    orders_without_shipping_charge: usize,
    other_currency: usize,
    products_without_vendor: usize,
    products_without_type: usize,
}

fn counts(n: &Nulls) -> Counts {
    let orders = n.orders.values();
    Counts {
        guests: orders.clone().filter(|o| o.1.is_none()).count(),
        guests_without_email: orders
            .clone()
            .filter(|o| o.1.is_none() && o.0.is_none())
            .count(),
        customers_without_email: n.customers.values().filter(|c| c.0.is_none()).count(),
        customers_without_phone: n.customers.values().filter(|c| c.1.is_none()).count(),
        customers_without_either: n
            .customers
            .values()
            .filter(|c| c.0.is_none() && c.1.is_none())
            .count(),
        custom_lines: n
            .lines
            .values()
            .filter(|l| {
                l.0.is_none() && l.1.is_none() && l.2.is_none() && l.3.is_none() && l.4.is_none()
            })
            .count(),
        orders_without_shipping_charge: orders
            .clone()
            .filter(|o| o.2 == Some(Decimal::ZERO))
            .count(),
        other_currency: orders.filter(|o| o.3.as_deref() != Some("USD")).count(),
        products_without_vendor: n
            .products
            .values()
            .filter(|p| p.0.as_deref() == Some(""))
            .count(),
        products_without_type: n
            .products
            .values()
            .filter(|p| p.1.as_deref() == Some(""))
            .count(),
    }
}

/// Revenue counts guest orders; the customer rollups (behind top customers) never hold one.
async fn assert_analytics_count_guests(h: &Harness) {
    let c = h.db.pool.get().await.unwrap();
    let counted = "deleted_at IS NULL AND cancelled_at IS NULL AND NOT test";
    let one = |sql: String| {
        let c = &c;
        async move {
            c.query_one(&sql, &[])
                .await
                .unwrap()
                .get::<_, Option<Decimal>>(0)
                .unwrap_or_default()
        }
    };
    let all = one(format!(
        "SELECT sum(total_price) FROM orders WHERE {counted}"
    ))
    .await;
    let guests = one(format!(
        "SELECT sum(total_price) FROM orders WHERE {counted} AND customer_id IS NULL"
    ))
    .await;
    let revenue = one("SELECT sum(gross) FROM analytics_hourly_live".into()).await;
    let customers = one("SELECT sum(gross) FROM analytics_customers_live".into()).await;
    assert!(guests > Decimal::ZERO, "no counted guest order");
    assert_eq!(revenue, all, "revenue counts every order, guests included");
    assert_eq!(
        customers,
        all - guests,
        "customer rollups leave guest orders out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_store_with_every_null_syncs_and_takes_webhooks_exactly() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(400, 60, 1_200)).await.unwrap();
    let engine = start_engine(&h, config_for(&h, &sim, "127.0.0.1:0", None, SYNC)).await;
    wait_run_completed(&h, "full", 180).await;
    wait_equal(&h, &sim, 120).await;
    let synced = wait_nulls_equal(&h, &sim, 60).await;
    let after_sync = counts(&synced);
    eprintln!("after the full sync: {after_sync:?}");
    for (what, n) in [
        ("guest orders", after_sync.guests),
        (
            "guest orders without email",
            after_sync.guests_without_email,
        ),
        (
            "customers without email",
            after_sync.customers_without_email,
        ),
        (
            "customers without phone",
            after_sync.customers_without_phone,
        ),
        (
            "customers without either",
            after_sync.customers_without_either,
        ),
        ("custom line items", after_sync.custom_lines),
        (
            "orders without a shipping charge (digital or free shipping)",
            after_sync.orders_without_shipping_charge,
        ),
        ("orders in another currency", after_sync.other_currency),
        (
            "products without vendor",
            after_sync.products_without_vendor,
        ),
        ("products without type", after_sync.products_without_type),
    ] {
        assert!(n > 0, "no {what} in PostgreSQL after the sync");
    }
    assert_analytics_count_guests(&h).await;

    // Webhooks: the live activity creates orders and customers with their own nulls and
    // changes the synced ones.
    sim.set_webhook_url(Some(format!("http://{}/api/webhooks", engine.addr())));
    for _ in 0..10 {
        sim.trigger(60);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sim.webhooks_idle(Duration::from_secs(60)).await);
    wait_equal(&h, &sim, 120).await;
    let changed = wait_nulls_equal(&h, &sim, 60).await;
    let new_orders: Vec<_> = changed
        .orders
        .iter()
        .filter(|(id, _)| !synced.orders.contains_key(id))
        .collect();
    let new_guests = new_orders.iter().filter(|(_, o)| o.1.is_none()).count();
    let new_customers_without_email = changed
        .customers
        .iter()
        .filter(|(id, c)| !synced.customers.contains_key(id) && c.0.is_none())
        .count();
    let new_custom_lines = changed
        .lines
        .iter()
        .filter(|(id, l)| !synced.lines.contains_key(id) && l.0.is_none())
        .count();
    eprintln!(
        "by webhook: {} new orders, {new_guests} guests, {new_custom_lines} custom lines, \
         {new_customers_without_email} customers without email; now {:?}",
        new_orders.len(),
        counts(&changed)
    );
    assert!(new_guests > 0, "no guest order arrived by webhook");
    assert!(
        new_custom_lines > 0,
        "no custom line item arrived by webhook"
    );
    assert!(
        new_customers_without_email > 0,
        "no customer without email arrived by webhook"
    );
    assert_analytics_count_guests(&h).await;
    assert_eq!(
        h.query_i64("SELECT count(*) FROM dead_letters").await,
        0,
        "no message was refused"
    );
    engine.shutdown().await;
    sim.shutdown().await;
}
