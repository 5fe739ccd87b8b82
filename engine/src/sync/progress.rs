//! Sync runs and their live progress in `sync_runs`: created queued (API, CLI, start-up,
//! schedule), marked running, updated about once a second with objects done, rate, ETA,
//! throttled waits and errors, and closed as completed or failed. `GET /api/sync-status`,
//! the dashboard and `xeno sync`'s progress bar read the same numbers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::error::SyncError;
use super::graphql_client::GraphqlClient;
use super::mode::SyncMode;

/// Live counters of one run, shared by the run, the progress writer and the CLI.
#[derive(Debug)]
pub struct Progress {
    pub started: Instant,
    objects_done: AtomicU64,
    /// Expected objects when known (a bulk operation's count), 0 when not.
    objects_total: AtomicU64,
    objects_fixed: AtomicU64,
    objects_deleted: AtomicU64,
    resource: Mutex<String>,
    /// The client's counters when the run started; the run reports the difference.
    baseline: [u64; 6],
}

/// A point-in-time copy of a run's progress.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub resource: String,
    pub objects_done: u64,
    pub objects_total: Option<u64>,
    pub objects_fixed: u64,
    pub objects_deleted: u64,
    pub rate_per_second: f64,
    pub eta_seconds: Option<f64>,
    pub requests: u64,
    /// Rate-limit points the queries actually cost.
    pub points_used: f64,
    pub throttled_requests: u64,
    pub throttle_waits: u64,
    pub throttle_wait_seconds: f64,
    pub errors: u64,
    pub last_error: Option<String>,
    pub elapsed_seconds: f64,
}

fn client_counters(client: &GraphqlClient) -> [u64; 6] {
    let s = &client.stats;
    [
        s.requests.load(Ordering::Relaxed),
        s.throttled.load(Ordering::Relaxed),
        s.throttle_waits.load(Ordering::Relaxed),
        s.throttle_wait_micros.load(Ordering::Relaxed),
        s.errors.load(Ordering::Relaxed),
        s.points_milli.load(Ordering::Relaxed),
    ]
}

impl Progress {
    pub fn new(client: &GraphqlClient) -> Arc<Progress> {
        Arc::new(Progress {
            started: Instant::now(),
            objects_done: AtomicU64::new(0),
            objects_total: AtomicU64::new(0),
            objects_fixed: AtomicU64::new(0),
            objects_deleted: AtomicU64::new(0),
            resource: Mutex::new(String::new()),
            baseline: client_counters(client),
        })
    }

    pub fn set_resource(&self, resource: &str) {
        *self.resource.lock().expect("progress lock") = resource.to_string();
    }

    pub fn add_done(&self, n: u64) {
        self.objects_done.fetch_add(n, Ordering::Relaxed);
    }

    pub fn add_total(&self, n: u64) {
        self.objects_total.fetch_add(n, Ordering::Relaxed);
    }

    pub fn add_fixed(&self, n: u64) {
        self.objects_fixed.fetch_add(n, Ordering::Relaxed);
    }

    pub fn add_deleted(&self, n: u64) {
        self.objects_deleted.fetch_add(n, Ordering::Relaxed);
    }

    pub fn snapshot(&self, client: &GraphqlClient) -> Snapshot {
        let now = client_counters(client);
        let d = |i: usize| now[i].saturating_sub(self.baseline[i]);
        let done = self.objects_done.load(Ordering::Relaxed);
        let total = match self.objects_total.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n.max(done)),
        };
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            done as f64 / elapsed
        } else {
            0.0
        };
        let eta = total
            .filter(|_| rate > 0.0)
            .map(|t| (t - done) as f64 / rate);
        Snapshot {
            resource: self.resource.lock().expect("progress lock").clone(),
            objects_done: done,
            objects_total: total,
            objects_fixed: self.objects_fixed.load(Ordering::Relaxed),
            objects_deleted: self.objects_deleted.load(Ordering::Relaxed),
            rate_per_second: rate,
            eta_seconds: eta,
            requests: d(0),
            points_used: d(5) as f64 / 1000.0,
            throttled_requests: d(1),
            throttle_waits: d(2),
            throttle_wait_seconds: d(3) as f64 / 1e6,
            errors: d(4),
            last_error: client.stats.last_error.lock().expect("stats lock").clone(),
            elapsed_seconds: elapsed,
        }
    }
}

/// Queues a run; the shop's SyncActor (in whichever process holds the lease) picks it up.
pub async fn queue(
    pool: &Pool,
    shop: &str,
    mode: SyncMode,
    trigger: &str,
) -> Result<Uuid, SyncError> {
    let id = Uuid::new_v4();
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO sync_runs (id, shop_domain, mode, trigger, state) VALUES ($1, $2, $3, $4, 'queued')",
            &[&id, &shop, &mode.as_str(), &trigger],
        )
        .await?;
    Ok(id)
}

/// A run the SyncActor should work on: the oldest interrupted one, else the oldest queued.
pub async fn next_run(
    pool: &Pool,
    shop: &str,
) -> Result<Option<(Uuid, SyncMode, String)>, SyncError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT id, mode, trigger FROM sync_runs
             WHERE shop_domain = $1 AND state IN ('running', 'queued')
             ORDER BY (state = 'running') DESC, queued_at, id LIMIT 1",
            &[&shop],
        )
        .await?;
    Ok(row.map(|r| {
        let mode: String = r.get(1);
        (
            r.get(0),
            SyncMode::parse(&mode).unwrap_or(SyncMode::Incremental),
            r.get(2),
        )
    }))
}

/// Whether a full sync of the shop ever completed.
pub async fn has_completed_full(pool: &Pool, shop: &str) -> Result<bool, SyncError> {
    let client = pool.get().await?;
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM sync_runs WHERE shop_domain = $1 AND mode = 'full' AND state = 'completed')",
            &[&shop],
        )
        .await?;
    Ok(row.get(0))
}

pub async fn mark_running(pool: &Pool, run_id: Uuid, holder: &str) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_runs SET state = 'running', started_at = COALESCE(started_at, now()),
                 holder = $2, updated_at = now() WHERE id = $1",
            &[&run_id, &holder],
        )
        .await?;
    Ok(())
}

/// Writes the live numbers of a run (cumulative over the run's attempts in this process).
pub async fn write(pool: &Pool, run_id: Uuid, s: &Snapshot) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_runs SET resource = $2, objects_done = $3, objects_total = $4,
                 objects_fixed = $5, objects_deleted = $6, rate_per_second = $7, eta_seconds = $8,
                 requests = $9, throttled_requests = $10, throttle_waits = $11,
                 throttle_wait_seconds = $12, errors = $13, last_error = $14, points_used = $15,
                 updated_at = now()
             WHERE id = $1",
            &[
                &run_id,
                &s.resource,
                &(s.objects_done as i64),
                &s.objects_total.map(|t| t as i64),
                &(s.objects_fixed as i64),
                &(s.objects_deleted as i64),
                &s.rate_per_second,
                &s.eta_seconds,
                &(s.requests as i64),
                &(s.throttled_requests as i64),
                &(s.throttle_waits as i64),
                &s.throttle_wait_seconds,
                &(s.errors as i64),
                &s.last_error,
                &s.points_used,
            ],
        )
        .await?;
    Ok(())
}

/// Closes a run as completed or failed.
pub async fn finish(pool: &Pool, run_id: Uuid, error: Option<&str>) -> Result<(), SyncError> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE sync_runs SET state = CASE WHEN $2::text IS NULL THEN 'completed' ELSE 'failed' END,
                 last_error = COALESCE($2, last_error), eta_seconds = NULL,
                 finished_at = now(), updated_at = now() WHERE id = $1",
            &[&run_id, &error],
        )
        .await?;
    Ok(())
}

/// One `sync_runs` row: which shop and mode, its state and its latest numbers.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub shop: String,
    pub mode: String,
    /// `queued`, `running`, `completed` or `failed`.
    pub state: String,
    pub snapshot: Snapshot,
}

impl RunRecord {
    /// Whether the run has ended (completed or failed).
    pub fn ended(&self) -> bool {
        self.state == "completed" || self.state == "failed"
    }
}

/// A run's state and latest numbers (the CLI follows a run another process executes;
/// `GET /api/sync/{id}` serves it).
pub async fn read(pool: &Pool, run_id: Uuid) -> Result<Option<RunRecord>, SyncError> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT state, COALESCE(resource, ''), objects_done, objects_total, objects_fixed,
                    objects_deleted, COALESCE(rate_per_second, 0), eta_seconds, requests,
                    throttled_requests, throttle_waits, throttle_wait_seconds, errors, last_error,
                    EXTRACT(EPOCH FROM (COALESCE(finished_at, now()) - COALESCE(started_at, now())))::float8,
                    points_used, shop_domain, mode
             FROM sync_runs WHERE id = $1",
            &[&run_id],
        )
        .await?;
    Ok(row.map(|r| RunRecord {
        state: r.get(0),
        shop: r.get(16),
        mode: r.get(17),
        snapshot: Snapshot {
            resource: r.get(1),
            objects_done: r.get::<_, i64>(2) as u64,
            objects_total: r.get::<_, Option<i64>>(3).map(|t| t as u64),
            objects_fixed: r.get::<_, i64>(4) as u64,
            objects_deleted: r.get::<_, i64>(5) as u64,
            rate_per_second: r.get(6),
            eta_seconds: r.get(7),
            requests: r.get::<_, i64>(8) as u64,
            throttled_requests: r.get::<_, i64>(9) as u64,
            throttle_waits: r.get::<_, i64>(10) as u64,
            throttle_wait_seconds: r.get(11),
            errors: r.get::<_, i64>(12) as u64,
            last_error: r.get(13),
            elapsed_seconds: r.get(14),
            points_used: r.get(15),
        },
    }))
}
