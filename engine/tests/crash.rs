//! The engine as a real process, killed with SIGKILL while webhooks are still between
//! JetStream's PubAck and the PostgreSQL commit: after a restart every webhook that got a 200
//! is in the database exactly once.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

fn spawn_engine(config_path: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_xeno"))
        .args(["run", "--config"])
        .arg(config_path)
        .env("SECRET", SECRET)
        .env("TOKEN", "shpat_test")
        .env("API_TOKEN", API_TOKEN)
        .env("XENO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("xeno binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_between_puback_and_commit_loses_nothing() {
    let h = Harness::new().await;
    let port = free_port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    // Small batches and one writer keep the writers behind the receiver, so the kill lands
    // while acknowledged webhooks are still only in JetStream.
    let text = h.config_text(
        &xeno_engine::testkit::nats_url(),
        &addr.to_string(),
        "[writer]\nworkers = 1\nbatch_size = 8\nack_wait = \"3s\"\n",
    );
    let dir = std::env::temp_dir().join(format!("xeno-crash-{}", uid()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("engine.toml");
    std::fs::write(&path, text).unwrap();

    let mut engine = spawn_engine(&path);
    h.wait_ready(addr).await;

    const N: usize = 1500;
    let bodies: Vec<(String, Vec<u8>)> = (0..N)
        .map(|i| {
            let body = json!({
                "id": 5_000_000 + i as i64,
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
            (uid(), serde_json::to_vec(&body).unwrap())
        })
        .collect();

    let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::new();
    for (id, body) in bodies {
        let permit = sem.clone().acquire_owned().await.unwrap();
        let http = h.http.clone();
        let accepted = accepted.clone();
        tasks.push(tokio::spawn(async move {
            let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), &body);
            let mut req = http.post(format!("http://{addr}/api/webhooks")).body(body);
            for (k, v) in webhook_headers("orders/create", &id, &sig) {
                req = req.header(k, v);
            }
            if let Ok(r) = req.send().await {
                if r.status() == 200 {
                    accepted.lock().unwrap().push(id);
                }
            }
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Every webhook was answered; kill at once, without any chance to drain.
    engine.kill().unwrap();
    engine.wait().unwrap();
    let acked = accepted.lock().unwrap().clone();
    assert_eq!(
        acked.len(),
        N,
        "all webhooks were acknowledged before the kill"
    );
    let written_before = h.query_i64("SELECT count(*) FROM webhook_receipts").await;
    eprintln!("{written_before} of {N} written when killed");

    let mut engine = spawn_engine(&path);
    let started = Instant::now();
    h.wait_count("SELECT count(*) FROM webhook_receipts", N as i64, 120)
        .await;
    eprintln!("backlog drained {:?} after restart", started.elapsed());
    assert_eq!(h.query_i64("SELECT count(*) FROM orders").await, N as i64);
    assert_eq!(
        h.query_i64("SELECT count(*) FROM order_line_items").await,
        N as i64,
        "every order's line item once"
    );
    let c = h.db.pool.get().await.unwrap();
    let ids: Vec<String> = c
        .query("SELECT webhook_id FROM webhook_receipts", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut want = acked.clone();
    want.sort();
    let mut got = ids;
    got.sort();
    assert_eq!(got, want, "exactly the acknowledged webhooks, each once");
    engine.kill().unwrap();
    engine.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    tokio::time::sleep(Duration::from_millis(10)).await;
}
