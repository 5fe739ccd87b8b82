//! Figure 3, the writer: order upserts per second through the real engine path (envelopes
//! published into the engine's stream while no engine runs, then an engine started and
//! timed until its writers have drained and acknowledged everything), next to PostgreSQL's
//! own ceiling for the same rows (binary COPY of the orders and their line items into the
//! same tables of a freshly migrated database). Run once with unique orders and once with
//! 30% duplicates and out-of-order (older) updates mixed in.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use xeno_engine::bus::codec;
use xeno_engine::bus::names::Names;
use xeno_engine::envelope::{Envelope, Format, Source};
use xeno_engine::testkit::TestDb;
use xeno_shopify::OrderRow;
use xeno_sim::load::{sample_bodies, with_order_id, UNIQUE_ORDER_BASE};

use crate::jetstream::ensure_engine_stream;
use crate::procs::{engine_config, EngineProc, Env, Run, SHOP};
use crate::stats::ratio;

/// One timed drain of the engine's stream.
#[derive(Debug, Clone, Serialize)]
pub struct Drain {
    /// Envelopes the writers applied (including duplicates and stale updates).
    pub messages: u64,
    /// Distinct orders among them (rows in `orders` afterwards).
    pub orders: u64,
    pub line_items: u64,
    pub secs: f64,
    pub upserts_per_sec: f64,
    pub engine_peak_rss_mb: f64,
}

/// PostgreSQL's binary COPY of the same order rows.
#[derive(Debug, Clone, Serialize)]
pub struct Copy {
    pub orders: u64,
    pub line_items: u64,
    pub secs: f64,
    pub orders_per_sec: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WriterFigures {
    pub unique: Drain,
    pub mixed: Drain,
    /// Share of `mixed.messages` that were duplicates or out-of-order.
    pub mixed_share: f64,
    pub copy: Copy,
    pub unique_over_copy: f64,
    pub mixed_over_copy: f64,
}

/// The envelopes of one run: `orders` messages; with `mixed`, 30% of them (every message
/// whose index ends in 3, 6 or 9) repeat a random order already sent, half as exact
/// duplicates (a new delivery of the same update) and half as an older version of it (out of
/// order: the guard must drop it). Returns the envelopes and the number of distinct orders.
fn workload(orders: usize, mixed: bool) -> anyhow::Result<(Vec<Envelope>, u64)> {
    let templates: Vec<serde_json::Value> = sample_bodies(1)
        .iter()
        .map(|b| serde_json::from_slice(b))
        .collect::<Result<_, _>>()?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut sent: Vec<Bytes> = Vec::new();
    let mut out = Vec::with_capacity(orders);
    let envelope = |topic: &str, body: Bytes| Envelope {
        shop_domain: SHOP.to_string(),
        topic: topic.into(),
        webhook_id: uuid::Uuid::new_v4().to_string(),
        event_id: None,
        api_version: Some("2025-07".to_string()),
        triggered_at: Some(Utc::now()),
        source: Source::Webhook,
        format: Format::Rest,
        body,
    };
    for k in 0..orders {
        if mixed && !sent.is_empty() && matches!(k % 10, 3 | 6 | 9) {
            let original = &sent[rng.gen_range(0..sent.len())];
            let body = if rng.gen_bool(0.5) {
                original.clone()
            } else {
                older(original)?
            };
            out.push(envelope("orders/updated", body));
        } else {
            let id = UNIQUE_ORDER_BASE + sent.len() as i64;
            let body = with_order_id(&templates[sent.len() % templates.len()], id);
            sent.push(body.clone());
            out.push(envelope("orders/create", body));
        }
    }
    Ok((out, sent.len() as u64))
}

/// The same order as it was a day earlier (`updated_at` one day back).
fn older(body: &Bytes) -> anyhow::Result<Bytes> {
    let mut v: serde_json::Value = serde_json::from_slice(body)?;
    let Some(updated) = v["updated_at"].as_str() else {
        bail!("order without updated_at");
    };
    let t = DateTime::parse_from_rfc3339(updated)? - chrono::Duration::days(1);
    v["updated_at"] = t.to_rfc3339().into();
    Ok(Bytes::from(v.to_string()))
}

/// Publishes `envelopes` into a fresh engine stream, then times an engine draining it.
async fn drain(env: &Env<'_>, envelopes: Vec<Envelope>, orders: u64) -> anyhow::Result<Drain> {
    let run = Run::one_shop(env).await;
    let (db, stream, spec) = (&run.db, &run.stream, run.spec(env));
    let config = engine_config(&spec)?;
    let client = async_nats::connect(env.nats_url).await?;
    let js = xeno_engine::bus::bridge::context(&client, Duration::from_secs(10));
    ensure_engine_stream(&js, &config).await?;
    let subject = Names::new(&stream.name).subject(Source::Webhook, SHOP);
    let messages = envelopes.len() as u64;
    for chunk in envelopes.chunks(2000) {
        let mut acks = Vec::with_capacity(chunk.len());
        for e in chunk {
            acks.push(
                js.publish_with_headers(subject.clone(), codec::encode(e), e.body.clone())
                    .await?,
            );
        }
        for ack in acks {
            ack.await?;
        }
    }
    // Time from the first delivery to the writers' consumer until nothing is pending or
    // unacknowledged (a message is acked only after its transaction committed).
    let consumer = Names::new(&stream.name).writer_consumer();
    let s = js.get_stream(&stream.name).await?;
    let poller = tokio::spawn(async move {
        let mut first: Option<Instant> = None;
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            let info = s.consumer_info(&consumer).await?;
            if first.is_none() && info.delivered.stream_sequence > 0 {
                first = Some(Instant::now());
            }
            if let Some(t0) = first {
                if info.num_pending == 0 && info.num_ack_pending == 0 {
                    return Ok::<f64, anyhow::Error>(t0.elapsed().as_secs_f64());
                }
            }
            ensure!(
                Instant::now() < deadline,
                "writer did not drain within 600 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let engine = EngineProc::start(&spec).await?;
    let secs = poller.await??;
    let rss = engine.peak_rss_mb();
    engine.stop().await;
    let pg = db.pool.get().await?;
    let rows: i64 = pg
        .query_one("SELECT count(*) FROM orders", &[])
        .await?
        .get(0);
    let items: i64 = pg
        .query_one("SELECT count(*) FROM order_line_items", &[])
        .await?
        .get(0);
    ensure!(
        rows as u64 == orders,
        "{rows} orders in PostgreSQL, {orders} sent"
    );
    Ok(Drain {
        messages,
        orders,
        line_items: items as u64,
        secs,
        upserts_per_sec: messages as f64 / secs.max(1e-9),
        engine_peak_rss_mb: rss,
    })
}

const ORDER_COLUMNS: &str = "shop_domain, id, name, order_number, email, customer_id, currency, \
    total_price, subtotal_price, total_tax, total_discounts, total_shipping, total_refunded, \
    financial_status, fulfillment_status, cancel_reason, test, created_at, processed_at, \
    cancelled_at, closed_at, updated_at, raw, ingested_at";
const ORDER_TYPES: &[Type] = &[
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::BOOL,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::TIMESTAMPTZ,
    Type::JSONB,
    Type::TIMESTAMPTZ,
];
const ITEM_COLUMNS: &str = "shop_domain, id, order_id, product_id, variant_id, sku, title, \
    variant_title, vendor, quantity, price, total_discount, currency";
const ITEM_TYPES: &[Type] = &[
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
    Type::NUMERIC,
    Type::NUMERIC,
    Type::TEXT,
];

/// Binary COPY of the distinct orders of `envelopes` (rows parsed as the engine parses them),
/// one transaction, timed from BEGIN to COMMIT.
async fn copy_ceiling(envelopes: &[Envelope]) -> anyhow::Result<Copy> {
    let mut orders = Vec::new();
    for e in envelopes.iter().filter(|e| e.topic == "orders/create") {
        let raw: serde_json::Value = serde_json::from_slice(&e.body)?;
        let row = xeno_shopify::parse::order_from_rest(&raw)?;
        orders.push((row, raw));
    }
    let db = TestDb::new().await;
    let mut pg = db.pool.get().await?;
    pg.execute("INSERT INTO shops (shop_domain) VALUES ($1)", &[&SHOP])
        .await?;
    let shop = SHOP.to_string();
    let now = Utc::now();
    let t0 = Instant::now();
    let tx = pg.transaction().await?;
    copy_orders(&tx, &shop, &orders, now).await?;
    let items = copy_line_items(&tx, &shop, &orders).await?;
    tx.commit().await?;
    let secs = t0.elapsed().as_secs_f64();
    Ok(Copy {
        orders: orders.len() as u64,
        line_items: items,
        secs,
        orders_per_sec: orders.len() as f64 / secs.max(1e-9),
    })
}

/// The orders' rows, one binary COPY.
async fn copy_orders(
    tx: &tokio_postgres::Transaction<'_>,
    shop: &str,
    orders: &[(OrderRow, serde_json::Value)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let sink = tx
        .copy_in(&format!(
            "COPY orders ({ORDER_COLUMNS}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, ORDER_TYPES);
    futures::pin_mut!(writer);
    for (o, raw) in orders {
        let row: [&(dyn ToSql + Sync); 24] = [
            &shop,
            &o.id,
            &o.name,
            &o.order_number,
            &o.email,
            &o.customer_id,
            &o.currency,
            &o.total_price,
            &o.subtotal_price,
            &o.total_tax,
            &o.total_discounts,
            &o.total_shipping,
            &o.total_refunded,
            &o.financial_status,
            &o.fulfillment_status,
            &o.cancel_reason,
            &o.test,
            &o.created_at,
            &o.processed_at,
            &o.cancelled_at,
            &o.closed_at,
            &o.updated_at,
            raw,
            &now,
        ];
        writer.as_mut().write(&row).await?;
    }
    writer.finish().await?;
    Ok(())
}

/// The orders' distinct line items, one binary COPY; returns how many.
async fn copy_line_items(
    tx: &tokio_postgres::Transaction<'_>,
    shop: &str,
    orders: &[(OrderRow, serde_json::Value)],
) -> anyhow::Result<u64> {
    let sink = tx
        .copy_in(&format!(
            "COPY order_line_items ({ITEM_COLUMNS}) FROM STDIN (FORMAT binary)"
        ))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, ITEM_TYPES);
    futures::pin_mut!(writer);
    let mut items = 0u64;
    for (o, _) in orders {
        let mut seen = std::collections::HashSet::new();
        for l in o.line_items.iter().filter(|l| seen.insert(l.id)) {
            let row: [&(dyn ToSql + Sync); 13] = [
                &shop,
                &l.id,
                &o.id,
                &l.product_id,
                &l.variant_id,
                &l.sku,
                &l.title,
                &l.variant_title,
                &l.vendor,
                &l.quantity,
                &l.price,
                &l.total_discount,
                &l.currency,
            ];
            writer.as_mut().write(&row).await?;
            items += 1;
        }
    }
    writer.finish().await?;
    Ok(items)
}

pub async fn run(env: &Env<'_>, orders: usize) -> anyhow::Result<WriterFigures> {
    let (unique_envelopes, unique_orders) = workload(orders, false)?;
    eprintln!("  COPY ceiling ({unique_orders} orders)");
    let copy = copy_ceiling(&unique_envelopes).await?;
    eprintln!("    {:.0} orders/s", copy.orders_per_sec);
    eprintln!("  engine writer, unique orders");
    let unique = drain(env, unique_envelopes, unique_orders).await?;
    eprintln!("    {:.0} upserts/s", unique.upserts_per_sec);
    let (mixed_envelopes, mixed_orders) = workload(orders, true)?;
    let mixed_share = 1.0 - mixed_orders as f64 / mixed_envelopes.len().max(1) as f64;
    eprintln!(
        "  engine writer, {:.0}% duplicates and out-of-order",
        mixed_share * 100.0
    );
    let mixed = drain(env, mixed_envelopes, mixed_orders).await?;
    eprintln!("    {:.0} upserts/s", mixed.upserts_per_sec);
    Ok(WriterFigures {
        unique_over_copy: ratio(unique.upserts_per_sec, copy.orders_per_sec),
        mixed_over_copy: ratio(mixed.upserts_per_sec, copy.orders_per_sec),
        unique,
        mixed,
        mixed_share,
        copy,
    })
}
