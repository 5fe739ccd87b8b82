//! `processes` (`sql/V13__processes.sql`): the process registry's rows. Each engine process
//! upserts its own row every heartbeat (`engine/src/process_registry.rs`); `/api/health`
//! lists the rows seen lately.

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;
use xeno_api_types::health::ProcessInfo;

use super::error::StoreError;

/// What a process says about itself.
#[derive(Debug, Clone)]
pub struct ProcessRow {
    pub id: String,
    pub host: String,
    pub pid: i64,
    pub roles: Vec<String>,
    pub started_at: DateTime<Utc>,
}

/// Inserts or refreshes `p`'s row with `last_seen = now()`.
pub async fn heartbeat<C: GenericClient + Sync>(
    client: &C,
    p: &ProcessRow,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO processes (id, host, pid, roles, started_at, last_seen)
             VALUES ($1, $2, $3, $4, $5, now())
             ON CONFLICT (id) DO UPDATE SET last_seen = now(), roles = EXCLUDED.roles",
            &[&p.id, &p.host, &p.pid, &p.roles, &p.started_at],
        )
        .await?;
    Ok(())
}

/// The processes seen within the last `alive_secs` seconds, oldest start first.
pub async fn alive<C: GenericClient + Sync>(
    client: &C,
    alive_secs: f64,
) -> Result<Vec<ProcessInfo>, StoreError> {
    let rows = client
        .query(
            "SELECT id, host, pid, roles, started_at, last_seen FROM processes
             WHERE last_seen > now() - make_interval(secs => $1)
             ORDER BY started_at, id",
            &[&alive_secs],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ProcessInfo {
            id: r.get(0),
            host: r.get(1),
            pid: r.get(2),
            roles: r.get(3),
            started_at: r.get(4),
            last_seen: r.get(5),
        })
        .collect())
}

/// Removes `id`'s row (a clean stop) and rows of processes not seen for a day.
pub async fn remove<C: GenericClient + Sync>(client: &C, id: &str) -> Result<(), StoreError> {
    client
        .execute(
            "DELETE FROM processes WHERE id = $1 OR last_seen < now() - interval '1 day'",
            &[&id],
        )
        .await?;
    Ok(())
}
