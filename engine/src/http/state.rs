//! What every HTTP handler can reach. Cheap to clone: everything inside is shared.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_nats::jetstream;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::Serialize;

use crate::bus::names::Names;
use crate::bus::BridgeHandle;
use crate::config::Config;
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

#[derive(Debug, Clone, Serialize)]
pub struct ComponentStatus {
    pub up: bool,
    pub restarts: u64,
    pub last_error: Option<String>,
    pub since: DateTime<Utc>,
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
