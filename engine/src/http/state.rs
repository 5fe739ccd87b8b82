//! What every HTTP handler can reach, and the component handles the supervisors keep up to
//! date. Cheap to clone: everything inside is shared. Imports no route and no handler, so
//! every handler (`engine/src/api/`) and the router (`engine/src/http/router.rs`) can depend
//! on it; the engine builds it in `engine/src/engine.rs`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_nats::jetstream;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use xeno_api_types::health::ComponentStatus;

use crate::alerts::board::AlertBoard;
use crate::bus::names::Names;
use crate::bus::BridgeHandle;
use crate::config::Config;
use crate::doctor::monitor::LatestReport;
use crate::log_sink::LogHub;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: Pool,
    pub bridge: BridgeHandle,
    pub nats: async_nats::Client,
    pub js: jetstream::Context,
    pub names: Names,
    pub metrics: Arc<Metrics>,
    pub log: LogHub,
    pub components: Components,
    pub started_at: DateTime<Utc>,
    /// When each shop's last webhook was accepted (in this process).
    pub last_webhook: Arc<Mutex<HashMap<String, DateTime<Utc>>>>,
    /// The doctor's latest findings (`doctor/monitor.rs`), served by `/api/health`.
    pub doctor: LatestReport,
    /// The alerts holding now (`alerts/notifier.rs`), served by `/api/health`.
    pub alerts: AlertBoard,
}

impl AppState {
    pub fn note_webhook(&self, shop: &str) {
        let mut map = self.last_webhook.lock().expect("last_webhook lock");
        match map.get_mut(shop) {
            Some(t) => *t = Utc::now(),
            None => {
                map.insert(shop.to_string(), Utc::now());
            }
        }
    }
}

/// Liveness of each supervised actor, kept by the supervisor, read by `/api/health`.
#[derive(Clone, Default)]
pub struct Components {
    inner: Arc<Mutex<BTreeMap<String, ComponentStatus>>>,
}

impl Components {
    pub fn up(&self, name: &str) {
        let mut m = self.inner.lock().expect("components lock");
        let e = m.entry(name.to_string()).or_insert(ComponentStatus {
            up: true,
            restarts: 0,
            last_error: None,
            since: Utc::now(),
        });
        e.up = true;
        e.since = Utc::now();
    }

    pub fn down(&self, name: &str, error: Option<String>, restarted: bool) {
        let mut m = self.inner.lock().expect("components lock");
        let e = m.entry(name.to_string()).or_insert(ComponentStatus {
            up: false,
            restarts: 0,
            last_error: None,
            since: Utc::now(),
        });
        e.up = false;
        e.since = Utc::now();
        if error.is_some() {
            e.last_error = error;
        }
        if restarted {
            e.restarts += 1;
        }
    }

    pub fn snapshot(&self) -> BTreeMap<String, ComponentStatus> {
        self.inner.lock().expect("components lock").clone()
    }
}
