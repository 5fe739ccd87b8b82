//! The operations probe: every [`PROBE_EVERY`] it asks PostgreSQL and NATS what the alert
//! rules (`ops/prometheus/alerts.yml`) need and no actor knows by itself, and sets the gauges
//! of `engine/src/metrics.rs`:
//!
//! 1. PostgreSQL: a connection and the count of open dead letters (`store/dead_letters.rs`) →
//!    `dependency_up{dependency="postgres"}`, `dead_letters_open`;
//! 2. NATS: the stream's info → `dependency_up{dependency="nats"}` and its state and limits
//!    → `stream_*`; the writers' consumer → `consumer_pending`, `consumer_ack_pending`.
//!
//! Failure policy: each question has [`PROBE_TIMEOUT`]; a dependency that does not answer in
//! time or answers with an error gets 0 and its other gauges keep their last value (a stale
//! count is better than a false zero). A missing stream (the bridge creates it,
//! `bus/bridge.rs`) leaves NATS up. The probe never panics and never stops the engine; it
//! is a task `engine.rs` spawns beside the doctor's monitor and aborts on shutdown.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use async_nats::jetstream::context::GetStreamErrorKind;
use deadpool_postgres::Pool;

use crate::bus::names::Names;
use crate::metrics::{Dependency, Metrics};
use crate::store::dead_letters;

/// How often the probe runs: well inside a typical 15–30 s scrape interval, cheap for both
/// services (three small requests).
pub const PROBE_EVERY: Duration = Duration::from_secs(5);

/// Longest wait for one answer; a dependency slower than this is as good as down.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the probe asks.
pub struct ProbeTargets {
    pub pool: Pool,
    pub js: jetstream::Context,
    pub names: Names,
    pub metrics: Arc<Metrics>,
}

/// Probes now and then every [`PROBE_EVERY`] until the task is aborted.
pub fn spawn(targets: ProbeTargets) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            probe_once(&targets).await;
            tokio::time::sleep(PROBE_EVERY).await;
        }
    })
}

/// One round: both dependencies, side by side.
pub async fn probe_once(t: &ProbeTargets) {
    let (postgres, nats) = tokio::join!(probe_postgres(t), probe_nats(t));
    t.metrics.dependency(Dependency::Postgres, postgres);
    t.metrics.dependency(Dependency::Nats, nats);
}

/// Whether PostgreSQL answered; sets `dead_letters_open` when it did.
async fn probe_postgres(t: &ProbeTargets) -> bool {
    let count = async {
        let client = t.pool.get().await.map_err(|e| e.to_string())?;
        dead_letters::count_all_open(&**client)
            .await
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(PROBE_TIMEOUT, count).await {
        Ok(Ok(open)) => {
            t.metrics.dead_letters_open.set(open);
            true
        }
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "operations probe: PostgreSQL did not answer");
            false
        }
        Err(_) => {
            tracing::debug!("operations probe: PostgreSQL timed out");
            false
        }
    }
}

/// Whether JetStream answered; sets the stream and consumer gauges when the stream exists.
/// The stream's info is the question: an answer, even "no such stream", means NATS and
/// JetStream are up.
async fn probe_nats(t: &ProbeTargets) -> bool {
    let stream = match tokio::time::timeout(PROBE_TIMEOUT, t.js.get_stream(&t.names.stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) if matches!(e.kind(), GetStreamErrorKind::JetStream(_)) => return true,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "operations probe: JetStream did not answer");
            return false;
        }
        Err(_) => {
            tracing::debug!("operations probe: JetStream timed out");
            return false;
        }
    };
    let m = &t.metrics;
    let info = stream.cached_info();
    m.stream_messages.set(saturating_i64(info.state.messages));
    m.stream_bytes.set(saturating_i64(info.state.bytes));
    m.stream_max_messages.set(info.config.max_messages);
    m.stream_max_bytes.set(info.config.max_bytes);
    let consumer = stream.consumer_info(t.names.writer_consumer());
    if let Ok(Ok(c)) = tokio::time::timeout(PROBE_TIMEOUT, consumer).await {
        m.consumer_pending.set(saturating_i64(c.num_pending));
        m.consumer_ack_pending
            .set(saturating_i64(c.num_ack_pending as u64));
    }
    true
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use async_nats::jetstream::stream;

    use super::*;
    use crate::store::dead_letters::DeadLetter;
    use crate::testkit::{self, TestDb};

    fn dead_letter(msg_id: &str) -> DeadLetter {
        DeadLetter {
            shop_domain: Some("acme.myshopify.com".into()),
            msg_id: Some(msg_id.into()),
            subject: "XENO.webhook.acme_myshopify_com".into(),
            topic: Some("orders/create".into()),
            headers: serde_json::json!({}),
            payload: b"{}".to_vec(),
            reason: "test".into(),
            deliveries: 1,
        }
    }

    fn dependency(m: &Metrics, d: Dependency) -> i64 {
        m.dependency_up
            .get_or_create(&crate::metrics::DependencyLabels {
                dependency: d.label().into(),
            })
            .get()
    }

    #[tokio::test]
    async fn reports_open_dead_letters_the_stream_and_both_dependencies_up() {
        let db = TestDb::new().await;
        let names = Names::new(&testkit::unique_stream());
        let client = async_nats::connect(testkit::nats_url()).await.unwrap();
        let js = jetstream::new(client);
        let t = ProbeTargets {
            pool: db.pool.clone(),
            js: js.clone(),
            names: names.clone(),
            metrics: Arc::new(Metrics::new()),
        };

        // No stream yet: JetStream answered "not found", so NATS is up.
        probe_once(&t).await;
        assert_eq!(dependency(&t.metrics, Dependency::Nats), 1);
        assert_eq!(dependency(&t.metrics, Dependency::Postgres), 1);
        assert_eq!(t.metrics.dead_letters_open.get(), 0);

        let c = db.pool.get().await.unwrap();
        let replayed = dead_letters::insert(&**c, &dead_letter("a")).await.unwrap();
        dead_letters::insert(&**c, &dead_letter("b")).await.unwrap();
        dead_letters::insert(&**c, &dead_letter("c")).await.unwrap();
        dead_letters::mark_replayed(&**c, replayed).await.unwrap();
        js.create_stream(stream::Config {
            name: names.stream.clone(),
            subjects: vec![names.stream_subjects()],
            max_messages: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
        for i in 0..3 {
            js.publish(
                format!("{}.webhook.acme", names.stream),
                format!("{i}").into(),
            )
            .await
            .unwrap()
            .await
            .unwrap();
        }

        probe_once(&t).await;
        let m = &t.metrics;
        assert_eq!(m.dead_letters_open.get(), 2, "the replayed one is not open");
        assert_eq!(m.stream_messages.get(), 3);
        assert!(m.stream_bytes.get() > 0);
        assert_eq!(m.stream_max_messages.get(), 1000);
        assert_eq!(m.stream_max_bytes.get(), -1, "no limit stays -1");
        assert_eq!(dependency(m, Dependency::Nats), 1);
        let _ = js.delete_stream(&names.stream).await;
    }

    #[tokio::test]
    async fn a_dependency_that_does_not_answer_is_down_and_the_last_count_stays() {
        // Nothing listens on port 1: PostgreSQL refuses, NATS never connects.
        let pool = crate::db::pool("postgres://postgres@127.0.0.1:1/none", 1).unwrap();
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connect("nats://127.0.0.1:1")
            .await
            .unwrap();
        let t = ProbeTargets {
            pool,
            js: jetstream::new(client),
            names: Names::new(&testkit::unique_stream()),
            metrics: Arc::new(Metrics::new()),
        };
        t.metrics.dependency(Dependency::Postgres, true);
        t.metrics.dependency(Dependency::Nats, true);
        t.metrics.dead_letters_open.set(7);

        let started = Instant::now();
        probe_once(&t).await;
        assert!(started.elapsed() < PROBE_TIMEOUT + Duration::from_secs(1));
        assert_eq!(dependency(&t.metrics, Dependency::Postgres), 0);
        assert_eq!(dependency(&t.metrics, Dependency::Nats), 0);
        assert_eq!(
            t.metrics.dead_letters_open.get(),
            7,
            "a stale count, not a false 0"
        );
    }
}
