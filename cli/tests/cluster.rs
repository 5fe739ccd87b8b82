//! The queue replicated over a three-node NATS cluster (`[nats] replicas = 3`, `nats.url`
//! listing every node): webhooks keep flowing while JetStream loses its stream leader, and
//! every webhook answered 200 ends in PostgreSQL exactly once.

mod common;

use std::time::Duration;

use common::deliveries::{assert_stored_once, redeliver, wait_written, Load};
use common::nats_cluster::NatsCluster;
use common::sim_store::start_engine;
use common::*;
use xeno_engine::config::Config;

/// The fault suite kills "one NATS node under load and then its successor leader". Killing two
/// of three nodes for good would lose the RAFT quorum, and then JetStream rightly refuses every
/// write, so the test keeps a quorum: it kills the stream leader, waits for a new leader,
/// restarts the killed node and waits until it has caught up, then kills the new leader. The
/// load never stops; webhooks answered 503 while a leader is elected are re-sent afterwards,
/// as Shopify would, and must then be stored once as well.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicated_queue_loses_its_leader_twice_and_nothing_acknowledged() {
    let h = Harness::new().await;
    let mut cluster = NatsCluster::start(3).await;
    let text = h.config_text(
        &cluster.urls(),
        "127.0.0.1:0",
        "[nats]\nreplicas = 3\n[writer]\nack_wait = \"5s\"\n",
    );
    let config = Config::from_toml(&text, "test", &Harness::env).expect("test config");
    let engine = start_engine(&h, config).await;
    let stream = h.stream.clone();
    let replicas = cluster.stream_cluster(&stream).await.expect("stream info");
    assert_eq!(
        replicas.replicas.len(),
        2,
        "the stream has a leader and two replicas: {replicas:?}"
    );

    let load = Load::start(&h.http, &[engine.addr()], 8, Duration::from_millis(2), None);
    wait_written(&h, 200, 60).await;

    let first = cluster.wait_stream_leader(&stream, None, 30).await;
    cluster.node(&first).kill();
    let second = cluster.wait_stream_leader(&stream, Some(&first), 60).await;
    eprintln!("killed stream leader {first}; {second} took over");
    wait_written(&h, 200, 90).await;

    cluster.restart(&first);
    cluster.wait_caught_up(&stream, &first, 120).await;
    eprintln!("{first} restarted and caught up");
    wait_written(&h, 100, 60).await;

    cluster.node(&second).kill();
    let third = cluster.wait_stream_leader(&stream, Some(&second), 60).await;
    eprintln!("killed stream leader {second}; {third} took over");
    wait_written(&h, 200, 90).await;

    let outcome = load.stop().await;
    eprintln!(
        "{} webhooks answered 200, {} refused during elections",
        outcome.accepted.len(),
        outcome.refused.len()
    );
    redeliver(&h.http, engine.addr(), &outcome.refused, 120).await;
    let mut all = outcome.accepted;
    all.extend(outcome.refused);
    assert_stored_once(&h, &all, 180).await;
    engine.shutdown().await;
}
