//! The doctor: why a shop does not sync. For every configured shop it checks, against Shopify
//! or the simulator, that the API version is supported, the access token works, the granted
//! scopes cover what the sync reads (and `read_all_orders`, without which a backfill holds only
//! 60 days of orders), and that a webhook subscription for every topic the engine needs points
//! at `{server.public_url}/api/webhooks`. Each check gives a
//! [`Finding`](xeno_api_types::doctor::Finding) with what is wrong and the fix.
//!
//! - [`checks`]: the checks of one shop, reusing the sync's look-ups
//!   (`sync/scopes.rs`, `sync/subscriptions.rs`) rather than documents of its own.
//! - [`monitor`]: the engine runs the same checks at start and every few minutes and keeps
//!   the latest report for `GET /api/health` (`api/health.rs`) and the dashboard.
//!
//! `xeno doctor` (`cli/src/doctor.rs`) loads the config leniently
//! ([`crate::config::Config::load_lenient`]) so an unsupported version is a finding rather
//! than a load failure.

pub mod checks;
pub mod monitor;

use std::sync::Arc;

use chrono::Utc;
use xeno_api_types::doctor::{DoctorReport, Finding};

use crate::config::Config;
use crate::metrics::Metrics;

/// Runs every check of every configured shop (shops in parallel), in the config's order.
pub async fn examine(config: &Config, metrics: Arc<Metrics>) -> DoctorReport {
    let shops = config
        .shops
        .iter()
        .enumerate()
        .map(|(i, shop)| checks::check_shop(config, i, shop, metrics.clone()));
    let findings: Vec<Finding> = futures::future::join_all(shops)
        .await
        .into_iter()
        .flatten()
        .collect();
    DoctorReport {
        checked_at: Utc::now(),
        findings,
    }
}
