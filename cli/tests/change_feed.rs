//! The change feed (`docs/change-feed.md`) across writer crashes: a consumer reads
//! `<stream>.changes.>` while webhooks create, update and delete the same customers many
//! times and the engine process is SIGKILLed twice, once in the middle of the load and once
//! after commits the relay had not published yet. After restarts the consumer has found
//! every change (every applied version, every tombstone), each entity's in order.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures::StreamExt;
use serde_json::{json, Value};

use common::process::{EngineProcess, ScratchDir};
use common::*;
use xeno_engine::store::changes::RELAY_LOCK;

/// Customers updated concurrently (each one's versions in order).
const ENTITIES: i64 = 30;
const FIRST_ID: i64 = 7_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_feed_has_every_change_in_order_across_crashes() {
    let started = Instant::now();
    let h = Harness::new().await;
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    // One small writer keeps the writers behind the receiver, so the first kill lands with
    // acknowledged webhooks still only in JetStream.
    let text = h.config_text(
        &xeno_engine::testkit::nats_url(),
        &addr.to_string(),
        "[writer]\nworkers = 1\nbatch_size = 8\nack_wait = \"3s\"\n",
    );
    let dir = ScratchDir::new("xeno-feed");
    let path = dir.write("engine.toml", &text);

    let mut engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;
    let feed = Feed::start(&h.stream).await;

    // 1. Versions 0..4 of every customer; killed the moment the last one is acknowledged.
    let first = send_versions(&h, addr, 0..4, false).await;
    engine.kill();
    let pending = h.query_i64("SELECT count(*) FROM change_outbox").await;
    eprintln!("first kill: {pending} changes committed and not yet published");
    let mut engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;

    // 2. Another process holds the relay's lock (as a second engine publishing would): the
    //    writers commit versions 4..8 and every third customer's delete, the relay cannot
    //    publish them, and the engine is killed with them in the outbox.
    let locker = h.db.pool.get().await.unwrap();
    locker
        .execute("SELECT pg_advisory_lock($1)", &[&RELAY_LOCK])
        .await
        .unwrap();
    let sent = send_versions(&h, addr, 4..8, true).await;
    h.wait_count(
        "SELECT count(*) FROM webhook_receipts WHERE outcome <> 'pending'",
        first + sent,
        120,
    )
    .await;
    let pending = h.query_i64("SELECT count(*) FROM change_outbox").await;
    assert!(
        pending > 0,
        "the second kill lands before the relay published"
    );
    eprintln!("second kill: {pending} changes committed and not yet published");
    engine.kill();
    locker
        .execute("SELECT pg_advisory_unlock($1)", &[&RELAY_LOCK])
        .await
        .unwrap();
    drop(locker);

    // 3. Restarted, the relay publishes the rest.
    let engine = EngineProcess::start(&path, addr);
    h.wait_ready(addr).await;
    h.wait_count("SELECT count(*) FROM change_outbox", 0, 60)
        .await;

    // Every applied version and every tombstone has a change, found by its webhook id.
    let client = h.db.pool.get().await.unwrap();
    let expected: HashSet<String> = client
        .query(
            "SELECT webhook_id FROM webhook_receipts WHERE outcome IN ('applied', 'deleted')",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let messages = feed.until_seen(&expected, Duration::from_secs(60)).await;
    let unique = check_order(&messages);
    let seen: HashSet<String> = unique
        .iter()
        .filter_map(|m| m["webhook_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(seen, expected, "the feed holds exactly the applied changes");
    let tombstones = unique.iter().filter(|m| m["deleted"] == true).count();
    assert_eq!(tombstones as i64, (ENTITIES + 2) / 3, "every delete");
    eprintln!(
        "{} changes ({} messages with redeliveries), {} applied of {} sent, in {:?}",
        unique.len(),
        messages.len(),
        expected.len(),
        ENTITIES * 8 + (ENTITIES + 2) / 3,
        started.elapsed()
    );
    drop(engine);
}

/// Posts versions `versions` of every customer (each customer's in order, customers
/// concurrently), then, with `delete`, a delete of every third customer; retries each until
/// answered 200 (the engine may be restarting). Returns how many webhooks were accepted.
async fn send_versions(
    h: &Harness,
    addr: SocketAddr,
    versions: std::ops::Range<i64>,
    delete: bool,
) -> i64 {
    let per_entity = (0..ENTITIES).map(|e| {
        let versions = versions.clone();
        async move {
            let id = FIRST_ID + e;
            let mut sent = 0;
            for v in versions {
                let body = json!({
                    "id": id,
                    "email": format!("c{e}v{v}@example.com"),
                    "first_name": format!("v{v}"),
                    "created_at": "2025-01-01T00:00:00Z",
                    "updated_at": format!("2025-01-01T00:{v:02}:00Z"),
                });
                post_until_accepted(h, addr, "customers/update", &body).await;
                sent += 1;
            }
            if delete && e % 3 == 0 {
                post_until_accepted(h, addr, "customers/delete", &json!({"id": id})).await;
                sent += 1;
            }
            sent
        }
    });
    futures::future::join_all(per_entity).await.iter().sum()
}

async fn post_until_accepted(h: &Harness, addr: SocketAddr, topic: &str, body: &Value) {
    let bytes = serde_json::to_vec(body).unwrap();
    let id = uid();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sig = xeno_shopify::signature::sign(SECRET.as_bytes(), &bytes);
        let mut req = h
            .http
            .post(format!("http://{addr}/api/webhooks"))
            .body(bytes.clone());
        for (k, v) in webhook_headers(topic, &id, &sig) {
            req = req.header(k, v);
        }
        if matches!(req.send().await, Ok(r) if r.status() == 200) {
            return;
        }
        assert!(Instant::now() < deadline, "{topic} never accepted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every message, deduplicated by `seq` (first delivery kept), with each entity's changes in
/// non-decreasing `updated_at` and `seq`, a tombstone last.
fn check_order(messages: &[Value]) -> Vec<Value> {
    let mut seqs = HashSet::new();
    let unique: Vec<Value> = messages
        .iter()
        .filter(|m| seqs.insert(m["seq"].as_i64().expect("seq")))
        .cloned()
        .collect();
    let mut by_entity: BTreeMap<(String, i64), Vec<&Value>> = BTreeMap::new();
    for m in &unique {
        let key = (
            m["resource"].as_str().unwrap().to_string(),
            m["id"].as_i64().unwrap(),
        );
        by_entity.entry(key).or_default().push(m);
    }
    for (entity, changes) in &by_entity {
        for pair in changes.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(
                a["seq"].as_i64() < b["seq"].as_i64()
                    && a["updated_at"].as_str() <= b["updated_at"].as_str()
                    && a["deleted"] == false,
                "{entity:?}: {a} before {b}"
            );
        }
    }
    unique
}

/// A consumer of the change feed, reading from the start of `<stream>_changes` in order.
struct Feed {
    messages: Arc<Mutex<Vec<Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Feed {
    async fn start(stream: &str) -> Feed {
        let client = async_nats::connect(xeno_engine::testkit::nats_url())
            .await
            .unwrap();
        let js = jetstream::new(client);
        let name = format!("{stream}_changes");
        let deadline = Instant::now() + Duration::from_secs(20);
        let changes = loop {
            match js.get_stream(&name).await {
                Ok(s) => break s,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("the relay never created {name}: {e}"),
            }
        };
        let consumer = changes
            .create_consumer(jetstream::consumer::pull::OrderedConfig {
                filter_subject: format!("{stream}.changes.>"),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut stream = consumer.messages().await.unwrap();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let sink = messages.clone();
        let task = tokio::spawn(async move {
            while let Some(Ok(m)) = stream.next().await {
                let body: Value = serde_json::from_slice(&m.payload).expect("change is JSON");
                let resource = body["resource"].as_str().unwrap_or_default().to_string();
                assert!(
                    m.subject.ends_with(&format!(".{resource}")),
                    "{}",
                    m.subject
                );
                sink.lock().unwrap().push(body);
            }
        });
        Feed { messages, task }
    }

    /// The messages read once every webhook id of `expected` has been seen (or the limit).
    async fn until_seen(self, expected: &HashSet<String>, limit: Duration) -> Vec<Value> {
        let deadline = Instant::now() + limit;
        loop {
            let messages = self.messages.lock().unwrap().clone();
            let ids: HashMap<&str, ()> = messages
                .iter()
                .filter_map(|m| m["webhook_id"].as_str().map(|w| (w, ())))
                .collect();
            if expected.iter().all(|w| ids.contains_key(w.as_str())) || Instant::now() > deadline {
                self.task.abort();
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A deployment from before the feed: its writers' stream captured `<stream>.>`. An engine
/// starting on it narrows the stream in place to webhooks and sync records, and the relay
/// then creates the feed's stream and publishes.
#[tokio::test]
async fn an_old_stream_is_narrowed_in_place_and_the_feed_starts() {
    let h = Harness::new().await;
    let client = async_nats::connect(xeno_engine::testkit::nats_url())
        .await
        .unwrap();
    let js = jetstream::new(client);
    js.create_stream(jetstream::stream::Config {
        name: h.stream.clone(),
        subjects: vec![format!("{}.>", h.stream)],
        retention: jetstream::stream::RetentionPolicy::WorkQueue,
        ..Default::default()
    })
    .await
    .unwrap();

    let engine = h.engine("").await;
    let body = json!({"id": FIRST_ID, "email": "old@example.com",
                      "updated_at": "2025-01-01T00:00:00Z"});
    post_until_accepted(&h, engine.addr(), "customers/update", &body).await;
    let feed = Feed::start(&h.stream).await;
    let expected: HashSet<String> = {
        h.wait_count("SELECT count(*) FROM webhook_receipts", 1, 20)
            .await;
        let client = h.db.pool.get().await.unwrap();
        let row = client
            .query_one("SELECT webhook_id FROM webhook_receipts", &[])
            .await
            .unwrap();
        HashSet::from([row.get(0)])
    };
    let messages = feed.until_seen(&expected, Duration::from_secs(20)).await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["row"]["email"], "old@example.com");
    let mut stream = js.get_stream(&h.stream).await.unwrap();
    let subjects = stream.info().await.unwrap().config.subjects.clone();
    assert_eq!(
        subjects,
        [
            format!("{}.webhook.>", h.stream),
            format!("{}.sync.>", h.stream)
        ]
    );
    engine.shutdown().await;
}
