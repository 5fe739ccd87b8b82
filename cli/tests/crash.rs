//! The engine as a real process, killed with SIGKILL while webhooks are still between
//! JetStream's PubAck and the PostgreSQL commit: after a restart every webhook that got a 200
//! is in the database exactly once.

mod common;

use std::time::{Duration, Instant};

use common::deliveries::{assert_stored_once, deliver_all, Webhook};
use common::process::{spawn_engine, ScratchDir};
use common::*;

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
    let dir = ScratchDir::new("xeno-crash");
    let path = dir.write("engine.toml", &text);

    let mut engine = spawn_engine(&path, std::process::Stdio::inherit());
    h.wait_ready(addr).await;

    const N: usize = 1500;
    let webhooks: Vec<Webhook> = (0..N).map(Webhook::order).collect();
    let outcome = deliver_all(&h.http, &[addr], webhooks, 32).await;
    // Every webhook was answered; kill at once, without any chance to drain.
    engine.kill().unwrap();
    engine.wait().unwrap();
    assert_eq!(
        outcome.accepted.len(),
        N,
        "all webhooks were acknowledged before the kill"
    );
    let written_before = h.query_i64("SELECT count(*) FROM webhook_receipts").await;
    eprintln!("{written_before} of {N} written when killed");

    let mut engine = spawn_engine(&path, std::process::Stdio::inherit());
    let started = Instant::now();
    assert_stored_once(&h, &outcome.accepted, 120).await;
    eprintln!("backlog drained {:?} after restart", started.elapsed());
    assert_eq!(h.query_i64("SELECT count(*) FROM orders").await, N as i64);
    engine.kill().unwrap();
    engine.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
}
