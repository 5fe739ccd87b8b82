//! Webhook load for the crash, scale-out and cluster tests: numbered `orders/create`
//! deliveries sent like Shopify sends them (concurrently, retried when not answered 200), a
//! record of which were acknowledged, and the check that PostgreSQL holds each exactly once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{uid, webhook_headers, Harness, SECRET};

/// Order ids of [`Webhook::order`] start here, far below the simulator's ids.
pub const FIRST_ORDER_ID: i64 = 5_000_000;

/// One `orders/create` delivery: its `X-Shopify-Webhook-Id` and body.
#[derive(Clone, Debug)]
pub struct Webhook {
    pub id: String,
    pub body: Vec<u8>,
}

impl Webhook {
    /// Order number `i` (id `FIRST_ORDER_ID + i`, one line item) under a fresh webhook id.
    pub fn order(i: usize) -> Webhook {
        let body = json!({
            "id": FIRST_ORDER_ID + i as i64,
            "name": format!("#{}", 1000 + i),
            "email": format!("buyer{i}@example.com"),
            "currency": "USD",
            "total_price": "19.99",
            "subtotal_price": "19.99",
            "total_tax": "0.00",
            "created_at": "2025-01-01T00:00:00Z",
            "updated_at": "2025-01-01T00:00:00Z",
            "line_items": [{"id": 9_000_000 + i as i64, "product_id": 1, "variant_id": 2,
                            "sku": "SKU", "title": "Thing", "quantity": 1, "price": "19.99"}]
        });
        Webhook {
            id: uid(),
            body: serde_json::to_vec(&body).unwrap(),
        }
    }
}

/// Posts `webhook` to `addr`; true when answered 200 (a connection error is false: the
/// engine may be dead on purpose).
pub async fn deliver(http: &reqwest::Client, addr: SocketAddr, webhook: &Webhook) -> bool {
    let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), &webhook.body);
    let mut req = http
        .post(format!("http://{addr}/api/webhooks"))
        .body(webhook.body.clone());
    for (k, v) in webhook_headers("orders/create", &webhook.id, &sig) {
        req = req.header(k, v);
    }
    matches!(req.send().await, Ok(r) if r.status() == 200)
}

/// Which deliveries got a 200 and which did not.
#[derive(Debug, Default)]
pub struct Outcome {
    pub accepted: Vec<Webhook>,
    pub refused: Vec<Webhook>,
}

/// Sends `webhooks` with `concurrency` in flight, to `addrs` in turn.
pub async fn deliver_all(
    http: &reqwest::Client,
    addrs: &[SocketAddr],
    webhooks: Vec<Webhook>,
    concurrency: usize,
) -> Outcome {
    let load = Load::start(http, addrs, concurrency, Duration::ZERO, Some(webhooks));
    load.finished().await
}

/// Deliveries in the background until stopped: numbered orders (or a given list), to `addrs`
/// in turn, at most `concurrency` in flight, each start at least `gap` after the previous one.
pub struct Load {
    stop: Arc<AtomicBool>,
    started: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<Outcome>,
}

impl Load {
    pub fn start(
        http: &reqwest::Client,
        addrs: &[SocketAddr],
        concurrency: usize,
        gap: Duration,
        list: Option<Vec<Webhook>>,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicUsize::new(0));
        let (http, addrs) = (http.clone(), addrs.to_vec());
        let (stop_flag, counter) = (stop.clone(), started.clone());
        let task = tokio::spawn(async move {
            let outcome = Arc::new(Mutex::new(Outcome::default()));
            let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
            let mut list = list.map(Vec::into_iter);
            let mut tasks = Vec::new();
            for i in 0.. {
                if stop_flag.load(Ordering::Relaxed) {
                    break;
                }
                let webhook = match list.as_mut() {
                    Some(it) => match it.next() {
                        Some(w) => w,
                        None => break,
                    },
                    None => Webhook::order(i),
                };
                let permit = permits.clone().acquire_owned().await.unwrap();
                let (http, addr, outcome) = (http.clone(), addrs[i % addrs.len()], outcome.clone());
                counter.fetch_add(1, Ordering::Relaxed);
                tasks.push(tokio::spawn(async move {
                    let ok = deliver(&http, addr, &webhook).await;
                    let mut o = outcome.lock().unwrap();
                    if ok {
                        o.accepted.push(webhook);
                    } else {
                        o.refused.push(webhook);
                    }
                    drop(permit);
                }));
                if !gap.is_zero() {
                    tokio::time::sleep(gap).await;
                }
            }
            for t in tasks {
                t.await.unwrap();
            }
            let mut o = outcome.lock().unwrap();
            std::mem::take(&mut *o)
        });
        Load {
            stop,
            started,
            task,
        }
    }

    /// Deliveries started so far.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Stops starting deliveries and waits for the ones in flight.
    pub async fn stop(self) -> Outcome {
        self.stop.store(true, Ordering::Relaxed);
        self.finished().await
    }

    /// Waits until every delivery of the list was tried.
    pub async fn finished(self) -> Outcome {
        self.task.await.unwrap()
    }
}

/// Shopify's retries: re-sends `webhooks` (same webhook ids) to `addr` until each was
/// answered 200, or fails after `secs`.
pub async fn redeliver(http: &reqwest::Client, addr: SocketAddr, webhooks: &[Webhook], secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut pending = webhooks.to_vec();
    while !pending.is_empty() {
        assert!(
            Instant::now() < deadline,
            "{} webhooks never answered 200",
            pending.len()
        );
        pending = deliver_all(http, &[addr], pending, 16).await.refused;
        if !pending.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Waits until `webhook_receipts` holds exactly the ids of `webhooks`, each once, and every
/// order of [`Webhook::order`] is stored once with its line item.
pub async fn assert_stored_once(h: &Harness, webhooks: &[Webhook], secs: u64) {
    let n = webhooks.len() as i64;
    h.wait_count("SELECT count(*) FROM webhook_receipts", n, secs)
        .await;
    let c = h.db.pool.get().await.unwrap();
    let mut got: Vec<String> = c
        .query("SELECT webhook_id FROM webhook_receipts", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    got.sort();
    let mut want: Vec<String> = webhooks.iter().map(|w| w.id.clone()).collect();
    want.sort();
    assert_eq!(got, want, "exactly the acknowledged webhooks, each once");
    let range = format!("BETWEEN {FIRST_ORDER_ID} AND {}", FIRST_ORDER_ID + 999_999);
    assert_eq!(
        h.query_i64(&format!("SELECT count(*) FROM orders WHERE id {range}"))
            .await,
        n,
        "every order once"
    );
    assert_eq!(
        h.query_i64(&format!(
            "SELECT count(*) FROM order_line_items WHERE order_id {range}"
        ))
        .await,
        n,
        "every order's line item once"
    );
}

/// Waits until `more` webhooks beyond those in `webhook_receipts` now are written: the
/// engines publish and write again after a failure.
pub async fn wait_written(h: &Harness, more: i64, secs: u64) {
    let sql = "SELECT count(*) FROM webhook_receipts";
    let target = h.query_i64(sql).await + more;
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let got = h.query_i64(sql).await;
        if got >= target {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{got} webhooks written, expected {target}: the engines did not recover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
