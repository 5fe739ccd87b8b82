//! The operations probe: every [`PROBE_EVERY`] it asks PostgreSQL and NATS what the alert
//! rules (`ops/prometheus/alerts.yml`) need and no actor knows by itself, and sets the gauges
//! of `engine/src/metrics.rs`:
//!
//! 1. PostgreSQL: a connection and the count of open dead letters (`store/dead_letters.rs`) →
//!    `dependency_up{dependency="postgres"}`, `dead_letters_open`;
//! 2. NATS: JetStream's account info → `dependency_up{dependency="nats"}`; then the stream's
//!    state and limits → `stream_*`, and the writers' consumer → `consumer_pending`,
//!    `consumer_ack_pending`.
//!
//! Failure policy: each question has [`PROBE_TIMEOUT`]; a dependency that does not answer in
//! time or answers with an error gets 0 and its other gauges keep their last value (a stale
//! count is better than a false zero). A missing stream (the bridge creates it,
//! `bus/bridge.rs`) leaves NATS up. The probe never panics and never stops the engine; it
//! is a task `engine.rs` spawns beside the doctor's monitor and aborts on shutdown.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
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
async fn probe_nats(t: &ProbeTargets) -> bool {
    let account = tokio::time::timeout(PROBE_TIMEOUT, t.js.query_account()).await;
    match account {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "operations probe: JetStream did not answer");
            return false;
        }
        Err(_) => {
            tracing::debug!("operations probe: JetStream timed out");
            return false;
        }
    }
    let stream = async {
        let stream = t.js.get_stream(&t.names.stream).await.ok()?;
        let info = stream.get_info().await.ok()?;
        let consumer = stream.consumer_info(t.names.writer_consumer()).await.ok();
        Some((info, consumer))
    };
    if let Ok(Some((info, consumer))) = tokio::time::timeout(PROBE_TIMEOUT, stream).await {
        let m = &t.metrics;
        m.stream_messages.set(saturating_i64(info.state.messages));
        m.stream_bytes.set(saturating_i64(info.state.bytes));
        m.stream_max_messages.set(info.config.max_messages);
        m.stream_max_bytes.set(info.config.max_bytes);
        if let Some(c) = consumer {
            m.consumer_pending.set(saturating_i64(c.num_pending));
            m.consumer_ack_pending
                .set(saturating_i64(c.num_ack_pending as u64));
        }
    }
    true
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
