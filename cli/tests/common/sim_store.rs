//! A simulated shop for the harness, and the comparison of its store (`/_sim/export`) with
//! what the engine wrote to PostgreSQL: the yardstick of every sync and reconciliation test.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::Value;
use xeno_engine::config::Config;
use xeno_engine::engine::Engine;
use xeno_engine::testkit;
use xeno_sim::{BulkTiming, SimConfig, SimHandle};

use super::{Harness, SECRET, SHOP};

pub const ACCESS_TOKEN: &str = "shpat_test";

/// A simulated `acme.myshopify.com` that accepts the harness's token and signs with its secret.
/// Its bulk operations run faster than Shopify's (a third of a second at least, 50 000
/// objects a second) but still for long enough that the engine must poll them.
pub fn sim_config(customers: usize, products: usize, orders: usize) -> SimConfig {
    SimConfig {
        shop: SHOP.to_string(),
        webhook_secret: SECRET.to_string(),
        access_token: ACCESS_TOKEN.to_string(),
        seed: 7,
        customers,
        products,
        orders,
        retry_scale: 0.0001,
        bulk: BulkTiming {
            min_duration: Duration::from_millis(300),
            objects_per_second: 50_000.0,
            ..BulkTiming::default()
        },
        ..SimConfig::default()
    }
}

/// The harness's config with the shop's Admin API pointed at `sim`; `public_url` set when
/// the engine should own webhook subscriptions.
pub fn config_for(
    h: &Harness,
    sim: &SimHandle,
    listen: &str,
    public_url: Option<&str>,
    extra: &str,
) -> Config {
    let text = config_text_for(h, sim, listen, public_url, extra);
    Config::from_toml(&text, "test", &Harness::env).expect("test config")
}

/// [`config_for`] as TOML text, for engines run as child processes.
pub fn config_text_for(
    h: &Harness,
    sim: &SimHandle,
    listen: &str,
    public_url: Option<&str>,
    extra: &str,
) -> String {
    let mut text = h.config_text(&testkit::nats_url(), listen, extra);
    text = text.replace(
        "admin_url = \"http://127.0.0.1:9\"",
        &format!("admin_url = \"{}\"", sim.base_url()),
    );
    if let Some(url) = public_url {
        text = text.replacen(
            "[server]\n",
            &format!("[server]\npublic_url = \"{url}\"\n"),
            1,
        );
    }
    text
}

pub async fn start_engine(h: &Harness, config: Config) -> Engine {
    // `RUST_LOG=xeno_engine::sync=debug cargo test --test sync` shows the sync's log.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let engine = Engine::start(config).await.expect("engine starts");
    h.wait_ready(engine.addr()).await;
    engine
}

/// Waits until `sql` (one text column, or no row) returns `want`.
pub async fn wait_text(h: &Harness, sql: &str, want: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let c = h.db.pool.get().await.unwrap();
        let got: Option<String> = c.query_opt(sql, &[]).await.unwrap().map(|r| r.get(0));
        if got.as_deref() == Some(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "`{sql}` is {got:?}, expected {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the store says (from `/_sim/export`) or the database holds, in comparable form.
#[derive(Debug, Default, PartialEq)]
pub struct Copy {
    pub customers: BTreeMap<i64, Option<String>>,
    pub products: BTreeMap<i64, usize>,
    /// Order id → (total price, line items).
    pub orders: BTreeMap<i64, (Decimal, usize)>,
    /// Transaction id of a live order → (order, kind, status, amount).
    pub transactions: BTreeMap<i64, (i64, String, String, Decimal)>,
    /// Order id → its tax lines, shipping lines, note attributes and discount applications
    /// ([`details_key`]).
    pub order_details: BTreeMap<i64, String>,
    /// Location id (active or not) → its name, city, country code, flags and `updated_at`.
    pub locations: BTreeMap<i64, String>,
    pub deleted: BTreeSet<(String, i64)>,
}

pub async fn export(sim: &SimHandle) -> Copy {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let text = client
        .get(format!("{}/_sim/export", sim.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut copy = Copy::default();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let data = &v["data"];
        let id = data["id"].as_i64().unwrap();
        let kind = v["type"].as_str().unwrap();
        if v["deleted"] == Value::Bool(true) {
            copy.deleted.insert((kind.to_string(), id));
            continue;
        }
        match kind {
            "customer" => {
                copy.customers
                    .insert(id, data["email"].as_str().map(str::to_string));
            }
            "product" => {
                copy.products
                    .insert(id, data["variants"].as_array().map_or(0, Vec::len));
            }
            "order" => {
                let total: Decimal = data["total_price"].as_str().unwrap().parse().unwrap();
                let items = data["line_items"].as_array().map_or(0, Vec::len);
                copy.orders.insert(id, (total.normalize(), items));
                let list = |k: &str| data[k].clone();
                copy.order_details.insert(
                    id,
                    details_key(
                        &list("tax_lines"),
                        &list("shipping_lines"),
                        &list("note_attributes"),
                        &list("discount_applications"),
                    ),
                );
            }
            "transaction" => {
                let amount: Decimal = data["amount"].as_str().unwrap().parse().unwrap();
                let text = |k: &str| data[k].as_str().unwrap().to_string();
                copy.transactions.insert(
                    id,
                    (
                        data["order_id"].as_i64().unwrap(),
                        text("kind"),
                        text("status"),
                        amount.normalize(),
                    ),
                );
            }
            "location" => {
                let updated =
                    chrono::DateTime::parse_from_rfc3339(data["updated_at"].as_str().unwrap())
                        .unwrap()
                        .with_timezone(&chrono::Utc);
                let text = |k: &str| data[k].as_str().map(str::to_string);
                let flag = |k: &str| data[k].as_bool();
                copy.locations.insert(
                    id,
                    location_key(
                        text("name"),
                        text("city"),
                        text("country_code"),
                        flag("active"),
                        flag("legacy"),
                        updated,
                    ),
                );
            }
            other => panic!("unknown export type {other}"),
        }
    }
    copy
}

pub async fn stored(h: &Harness) -> Copy {
    let c = h.db.pool.get().await.unwrap();
    let mut copy = Copy::default();
    for r in c
        .query(
            "SELECT id, email FROM customers WHERE deleted_at IS NULL",
            &[],
        )
        .await
        .unwrap()
    {
        copy.customers.insert(r.get(0), r.get(1));
    }
    for r in c
        .query(
            "SELECT p.id, (SELECT count(*) FROM product_variants v
                           WHERE v.shop_domain = p.shop_domain AND v.product_id = p.id)
             FROM products p WHERE deleted_at IS NULL",
            &[],
        )
        .await
        .unwrap()
    {
        copy.products.insert(r.get(0), r.get::<_, i64>(1) as usize);
    }
    for r in c
        .query(
            "SELECT o.id, o.total_price, (SELECT count(*) FROM order_line_items li
                           WHERE li.shop_domain = o.shop_domain AND li.order_id = o.id),
                    o.tax_lines, o.shipping_lines, o.note_attributes, o.discount_applications
             FROM orders o WHERE deleted_at IS NULL",
            &[],
        )
        .await
        .unwrap()
    {
        let total: Decimal = r.get(1);
        copy.orders
            .insert(r.get(0), (total.normalize(), r.get::<_, i64>(2) as usize));
        let list = |i: usize| r.get::<_, Option<Value>>(i).unwrap_or(Value::Null);
        copy.order_details.insert(
            r.get(0),
            details_key(&list(3), &list(4), &list(5), &list(6)),
        );
    }
    for r in c
        .query(
            "SELECT t.id, t.order_id, t.kind, t.status, t.amount FROM order_transactions t
             JOIN orders o ON o.shop_domain = t.shop_domain AND o.id = t.order_id
             WHERE o.deleted_at IS NULL",
            &[],
        )
        .await
        .unwrap()
    {
        let amount: Decimal = r.get(4);
        copy.transactions
            .insert(r.get(0), (r.get(1), r.get(2), r.get(3), amount.normalize()));
    }
    for r in c
        .query(
            "SELECT id, name, city, country_code, active, legacy, updated_at FROM locations
             WHERE deleted_at IS NULL",
            &[],
        )
        .await
        .unwrap()
    {
        let key = location_key(r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6));
        copy.locations.insert(r.get(0), key);
    }
    copy
}

/// An order's tax lines, shipping lines, note attributes and discount applications in one
/// comparable string, from
/// either the REST order (`/_sim/export`) or the JSONB columns: both spell the keys compared
/// here the same (`sql/V8__order_detail_lists.sql`); amounts compared as decimals.
pub fn details_key(
    tax_lines: &Value,
    shipping_lines: &Value,
    note_attributes: &Value,
    discount_applications: &Value,
) -> String {
    let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_string(),
        other => other.to_string(),
    };
    let amount = |v: &Value| match text(v).parse::<Decimal>() {
        Ok(d) => d.normalize().to_string(),
        Err(_) => text(v),
    };
    let taxes: Vec<String> = items(tax_lines)
        .iter()
        .map(|t| {
            format!(
                "{}@{}={}",
                text(&t["title"]),
                amount(&t["rate"]),
                amount(&t["price"])
            )
        })
        .collect();
    let shipping: Vec<String> = items(shipping_lines)
        .iter()
        .map(|s| {
            format!(
                "{} {}={}/{} removed:{}",
                text(&s["id"]),
                text(&s["title"]),
                amount(&s["price"]),
                amount(&s["discounted_price"]),
                text(&s["is_removed"])
            )
        })
        .collect();
    let notes: Vec<String> = items(note_attributes)
        .iter()
        .map(|n| format!("{}={}", text(&n["name"]), text(&n["value"])))
        .collect();
    let discounts: Vec<String> = items(discount_applications)
        .iter()
        .map(|d| {
            let fields = ["type", "code", "title", "value_type", "allocation_method"];
            let words: Vec<String> = fields.iter().map(|k| text(&d[*k])).collect();
            let target = [text(&d["target_selection"]), text(&d["target_type"])];
            format!("{} ={} {target:?}", words.join(" "), amount(&d["value"]))
        })
        .collect();
    format!("tax {taxes:?} shipping {shipping:?} notes {notes:?} discounts {discounts:?}")
}

/// What is compared of a location.
fn location_key(
    name: Option<String>,
    city: Option<String>,
    country_code: Option<String>,
    active: Option<bool>,
    legacy: Option<bool>,
    updated_at: chrono::DateTime<chrono::Utc>,
) -> String {
    format!(
        "{name:?} {city:?} {country_code:?} active={active:?} legacy={legacy:?} {}",
        updated_at.to_rfc3339()
    )
}

/// Live copies equal, and every object deleted in the store is absent or tombstoned here.
pub async fn differences(h: &Harness, sim: &SimHandle) -> Vec<String> {
    diff(&export(sim).await, &stored(h).await)
}

/// What differs between the store's copy `want` and the database's `got`.
pub fn diff(want: &Copy, got: &Copy) -> Vec<String> {
    let mut diffs: Vec<String> = [
        compare(
            "customers",
            want.customers
                .iter()
                .map(|(k, v)| format!("{k}:{v:?}"))
                .collect(),
            got.customers
                .iter()
                .map(|(k, v)| format!("{k}:{v:?}"))
                .collect(),
        ),
        compare(
            "products",
            want.products
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
            got.products
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
        ),
        compare(
            "orders",
            want.orders
                .iter()
                .map(|(k, v)| format!("{k}:{}:{}", v.0, v.1))
                .collect(),
            got.orders
                .iter()
                .map(|(k, v)| format!("{k}:{}:{}", v.0, v.1))
                .collect(),
        ),
        compare(
            "order details",
            want.order_details
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
            got.order_details
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
        ),
        compare(
            "transactions",
            want.transactions
                .iter()
                .map(|(k, v)| format!("{k}:{v:?}"))
                .collect(),
            got.transactions
                .iter()
                .map(|(k, v)| format!("{k}:{v:?}"))
                .collect(),
        ),
        compare(
            "locations",
            want.locations
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
            got.locations
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect(),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (kind, id) in &want.deleted {
        let live = match kind.as_str() {
            "customer" => got.customers.contains_key(id),
            "product" => got.products.contains_key(id),
            "location" => got.locations.contains_key(id),
            _ => got.orders.contains_key(id),
        };
        if live {
            diffs.push(format!(
                "{kind} {id} is deleted in the store but live in the db"
            ));
        }
    }
    diffs
}

pub async fn wait_equal(h: &Harness, sim: &SimHandle, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let diffs = differences(h, sim).await;
        if diffs.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "database differs from the store:\n{}",
            diffs.join("\n")
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

pub fn compare(what: &str, store: BTreeSet<String>, db: BTreeSet<String>) -> Option<String> {
    if store == db {
        return None;
    }
    let missing: Vec<_> = store.difference(&db).take(3).collect();
    let extra: Vec<_> = db.difference(&store).take(3).collect();
    Some(format!(
        "{what}: store {} vs db {} (missing {missing:?}, extra {extra:?})",
        store.len(),
        db.len()
    ))
}

/// Waits until the newest run of `mode` is completed; returns its id.
pub async fn wait_run_completed(h: &Harness, mode: &str, secs: u64) -> uuid::Uuid {
    wait_text(
        h,
        &format!(
            "SELECT state FROM sync_runs WHERE mode = '{mode}' ORDER BY queued_at DESC LIMIT 1"
        ),
        "completed",
        secs,
    )
    .await;
    let c = h.db.pool.get().await.unwrap();
    c.query_one(
        &format!("SELECT id FROM sync_runs WHERE mode = '{mode}' ORDER BY queued_at DESC LIMIT 1"),
        &[],
    )
    .await
    .unwrap()
    .get(0)
}

/// One reconciliation as the API starts it (`POST /api/sync`, incremental), waited for until
/// completed; returns how many objects it fixed or deleted.
pub async fn reconcile(h: &Harness, engine: std::net::SocketAddr) -> i64 {
    let r = h
        .http
        .post(format!("http://{engine}/api/sync"))
        .bearer_auth(super::API_TOKEN)
        .json(&serde_json::json!({"shop": SHOP, "mode": "incremental"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let body: Value = r.json().await.unwrap();
    let id: uuid::Uuid = body["sync_id"].as_str().unwrap().parse().unwrap();
    wait_text(
        h,
        &format!("SELECT state FROM sync_runs WHERE id = '{id}'"),
        "completed",
        120,
    )
    .await;
    h.query_i64(&format!(
        "SELECT objects_fixed + objects_deleted FROM sync_runs WHERE id = '{id}'"
    ))
    .await
}
