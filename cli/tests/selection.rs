//! Choosing what to keep, black box: a shop's `resources` list and `backfill_since` against
//! the simulator, a real engine, PostgreSQL and NATS. The first run keeps only the listed
//! resources and only what changed since `backfill_since`, with completeness compared under
//! the same filter; a resource added to the list later is backfilled on its own while the
//! others are only reconciled.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use common::sim_store::*;
use common::*;
use serde_json::Value;
use xeno_sim::{Sim, SimHandle};

const SYNC: &str = "[sync]\nlease_ttl = \"3s\"\nreconcile_every = \"1h\"\n";

/// Every live object of the store by export type (`order`, `customer`, …): id → `updated_at`.
async fn updated_times(sim: &SimHandle) -> BTreeMap<String, BTreeMap<i64, DateTime<Utc>>> {
    let text = reqwest::get(format!("{}/_sim/export", sim.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut out: BTreeMap<String, BTreeMap<i64, DateTime<Utc>>> = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let (Some(kind), Some(updated)) = (v["type"].as_str(), v["data"]["updated_at"].as_str())
        else {
            continue;
        };
        if v["deleted"] == Value::Bool(true) {
            continue;
        }
        let updated = DateTime::parse_from_rfc3339(updated).unwrap().to_utc();
        out.entry(kind.to_string())
            .or_default()
            .insert(v["data"]["id"].as_i64().unwrap(), updated);
    }
    out
}

/// The ids of `kind` updated at or after `since`.
fn since_ids(
    times: &BTreeMap<String, BTreeMap<i64, DateTime<Utc>>>,
    kind: &str,
    since: DateTime<Utc>,
) -> BTreeSet<i64> {
    times[kind]
        .iter()
        .filter(|(_, t)| **t >= since)
        .map(|(id, _)| *id)
        .collect()
}

async fn stored_ids(h: &Harness, table: &str) -> BTreeSet<i64> {
    let c = h.db.pool.get().await.unwrap();
    c.query(
        &format!("SELECT id FROM {table} WHERE deleted_at IS NULL"),
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Waits until `table` holds as many live rows as `want`, then compares the ids.
async fn assert_ids(h: &Harness, table: &str, want: &BTreeSet<i64>, what: &str) {
    h.wait_count(
        &format!("SELECT count(*) FROM {table} WHERE deleted_at IS NULL"),
        want.len() as i64,
        60,
    )
    .await;
    assert_eq!(&stored_ids(h, table).await, want, "{what}");
}

/// The engine's config for `sim` with `shop_extra` lines in the shop's entry.
fn config(h: &Harness, sim: &SimHandle, shop_extra: &str) -> xeno_engine::config::Config {
    let text = config_text_for(h, sim, "127.0.0.1:0", None, SYNC).replacen(
        "access_token_env = \"TOKEN\"\n",
        &format!("access_token_env = \"TOKEN\"\n{shop_extra}\n"),
        1,
    );
    xeno_engine::config::Config::from_toml(&text, "test", &Harness::env).expect("test config")
}

async fn sync_modes(h: &Harness) -> BTreeMap<String, String> {
    let c = h.db.pool.get().await.unwrap();
    c.query("SELECT resource, mode FROM sync_state", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn listed_resources_since_a_date_then_one_turned_on_later() {
    let h = Harness::new().await;
    let sim = Sim::start(sim_config(120, 30, 400)).await.unwrap();
    let times = updated_times(&sim).await;
    let mut order_times: Vec<DateTime<Utc>> = times["order"].values().copied().collect();
    order_times.sort();
    // Whole seconds, as the config is written: about half of the orders changed since then.
    let since = DateTime::parse_from_rfc3339(
        &order_times[order_times.len() / 2].to_rfc3339_opts(SecondsFormat::Secs, true),
    )
    .unwrap()
    .to_utc();
    let since_text = since.to_rfc3339_opts(SecondsFormat::Secs, true);
    let orders = since_ids(&times, "order", since);
    assert!(
        orders.len() > 100 && orders.len() < 300,
        "{} orders",
        orders.len()
    );

    let first =
        format!("resources = [\"orders\", \"products\"]\nbackfill_since = \"{since_text}\"");
    let engine = start_engine(&h, config(&h, &sim, &first)).await;
    wait_run_completed(&h, "full", 120).await;
    let products = since_ids(&times, "product", since);
    assert_ids(&h, "orders", &orders, "orders since the date").await;
    assert_ids(&h, "products", &products, "products since the date").await;
    assert_eq!(
        h.query_i64("SELECT count(*) FROM customers").await,
        0,
        "customers are off"
    );
    assert_eq!(
        sync_modes(&h).await,
        BTreeMap::from([
            ("orders".to_string(), "full".to_string()),
            ("products".to_string(), "full".to_string())
        ])
    );
    // Completeness under the same filter: Shopify's count of what changed since the date.
    let counts = h.api_get(engine.addr(), "/api/completeness").await;
    let counts = counts["resources"].as_array().unwrap();
    assert_eq!(counts.len(), 2, "{counts:?}");
    for c in counts {
        assert_eq!(c["difference"], 0, "{c}");
        assert_eq!(c["filter"], format!("updated_at:>='{since_text}'"), "{c}");
    }
    engine.shutdown().await;

    // Customers added to the list: the next run reconciles orders and products and backfills
    // customers alone, from the same date.
    let second = format!(
        "resources = [\"orders\", \"products\", \"customers\"]\nbackfill_since = \"{since_text}\""
    );
    let engine = start_engine(&h, config(&h, &sim, &second)).await;
    wait_run_completed(&h, "incremental", 120).await;
    let customers = since_ids(&times, "customer", since);
    assert_ids(&h, "customers", &customers, "customers since the date").await;
    assert_eq!(
        sync_modes(&h).await,
        BTreeMap::from([
            ("customers".to_string(), "full".to_string()),
            ("orders".to_string(), "incremental".to_string()),
            ("products".to_string(), "incremental".to_string())
        ]),
        "only the new resource was backfilled"
    );
    assert_eq!(
        stored_ids(&h, "orders").await,
        orders,
        "nothing older came in"
    );
    engine.shutdown().await;
    sim.shutdown().await;
}
