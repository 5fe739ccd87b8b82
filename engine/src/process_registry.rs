//! The process registry: every [`HEARTBEAT_EVERY`] this process upserts its row in
//! PostgreSQL's `processes` (`engine/src/store/processes.rs`: id, host, pid, roles,
//! started_at, last_seen), then counts the processes seen within [`ALIVE_WITHIN`] per role
//! into `xeno_roles_seen{role}` (`engine/src/metrics.rs`), which the `XenoRoleMissing` alert
//! reads (`ops/prometheus/alerts.yml`, `engine/src/alerts/rules.rs`). `/api/health` lists the
//! same live rows (`engine/src/api/health.rs`).
//!
//! PostgreSQL, not NATS KV, holds it because every role already needs PostgreSQL (the edge
//! only for its start-up migrations and this) and the dashboard reads it with its other data.
//! A failed heartbeat is logged and retried on the next tick; the registry never stops the
//! engine. It is a task `engine.rs` spawns beside the operations probe; on a clean stop the
//! engine removes its row ([`remove`]), so a stopped process disappears at once, and a
//! killed one after [`ALIVE_WITHIN`].

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;

use crate::config::{Role, Roles};
use crate::metrics::Metrics;
use crate::store::processes::{self, ProcessRow};

/// How often a process refreshes its row.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(2);

/// A process whose row is older than this is counted dead: several missed heartbeats, so a
/// slow PostgreSQL round trip does not make a live process vanish.
pub const ALIVE_WITHIN: Duration = Duration::from_secs(15);

/// Who this process is.
#[derive(Debug, Clone)]
pub struct Identity {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub roles: Roles,
    pub started_at: DateTime<Utc>,
}

impl Identity {
    /// This process: a fresh id per start, the host's name, the OS pid.
    pub fn current(roles: Roles, started_at: DateTime<Utc>) -> Identity {
        Identity {
            id: uuid::Uuid::new_v4().to_string(),
            host: hostname(),
            pid: i64::from(std::process::id()),
            roles,
            started_at,
        }
    }

    fn row(&self) -> ProcessRow {
        ProcessRow {
            id: self.id.clone(),
            host: self.host.clone(),
            pid: self.pid,
            roles: self.roles.names(),
            started_at: self.started_at,
        }
    }
}

/// The kernel's host name (Linux), else `$HOSTNAME`, else `unknown`.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Heartbeats now and then every [`HEARTBEAT_EVERY`] until the task is aborted.
pub fn spawn(pool: Pool, me: Identity, metrics: Arc<Metrics>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = beat(&pool, &me, &metrics).await {
                tracing::warn!(error = %e, "process registry heartbeat failed");
            }
            tokio::time::sleep(HEARTBEAT_EVERY).await;
        }
    })
}

/// One heartbeat: refresh the row, then recount the live processes per role.
async fn beat(pool: &Pool, me: &Identity, metrics: &Metrics) -> anyhow::Result<()> {
    let client = pool.get().await?;
    processes::heartbeat(&**client, &me.row()).await?;
    let live = processes::alive(&**client, ALIVE_WITHIN.as_secs_f64()).await?;
    let counts: Vec<(Role, i64)> = Role::ALL
        .into_iter()
        .map(|role| {
            let n = live
                .iter()
                .filter(|p| p.roles.iter().any(|r| r == role.name()))
                .count();
            (role, n as i64)
        })
        .collect();
    metrics.roles_seen(&counts);
    Ok(())
}

/// Removes this process's row on a clean stop (best effort, bounded).
pub async fn remove(pool: &Pool, id: &str) {
    let attempt = async {
        let client = pool.get().await?;
        processes::remove(&**client, id).await?;
        Ok::<(), anyhow::Error>(())
    };
    match tokio::time::timeout(Duration::from_secs(2), attempt).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "could not remove this process's registry row"),
        Err(_) => tracing::warn!("removing this process's registry row timed out"),
    }
}

/// The live processes of the deployment, for `/api/health`.
pub async fn alive(pool: &Pool) -> anyhow::Result<Vec<xeno_api_types::health::ProcessInfo>> {
    let client = pool.get().await?;
    Ok(processes::alive(&**client, ALIVE_WITHIN.as_secs_f64()).await?)
}
