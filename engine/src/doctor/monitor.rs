//! The engine's own doctor: the checks of [`super::examine`] at start and every
//! [`CHECK_EVERY`], the latest report kept in [`LatestReport`] for `GET /api/health`
//! (`api/health.rs`) and the dashboard's health view. A finding that turns into an error is
//! logged as a WARN, once per change, so the live log says when a shop stops syncing.
//! The webhook check also sets each shop's `xeno_subscriptions_missing` (`checks.rs`), which
//! `ops/prometheus/alerts.yml` alerts on.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use xeno_api_types::doctor::{DoctorReport, FindingStatus};

use crate::config::Config;
use crate::metrics::Metrics;

/// How often the engine re-runs the checks: often enough to notice a revoked token or a
/// deleted subscription before the next reconcile, rarely enough to cost nothing.
pub const CHECK_EVERY: Duration = Duration::from_secs(300);

/// The latest report (`None` until the first run ends); cheap to clone.
#[derive(Clone, Default)]
pub struct LatestReport {
    inner: Arc<Mutex<Option<DoctorReport>>>,
}

impl LatestReport {
    pub fn get(&self) -> Option<DoctorReport> {
        self.inner.lock().expect("doctor report lock").clone()
    }

    fn set(&self, report: DoctorReport) {
        *self.inner.lock().expect("doctor report lock") = Some(report);
    }
}

/// Runs the checks now and then every [`CHECK_EVERY`] until the task is aborted
/// (`Engine::shutdown`).
pub fn spawn(
    config: Arc<Config>,
    metrics: Arc<Metrics>,
    latest: LatestReport,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut reported: BTreeSet<(String, String, String)> = BTreeSet::new();
        loop {
            let report = super::examine(&config, metrics.clone()).await;
            let now: BTreeSet<(String, String, String)> = report
                .findings
                .iter()
                .filter(|f| f.status == FindingStatus::Error)
                .map(|f| (f.shop.clone(), f.check.clone(), f.detail.clone()))
                .collect();
            for (shop, check, detail) in now.difference(&reported) {
                tracing::warn!(shop = %shop, check = %check, problem = %detail, "doctor: check failed");
            }
            reported = now;
            latest.set(report);
            tokio::time::sleep(CHECK_EVERY).await;
        }
    })
}
