//! The alerts holding now, as the AlertNotifier (`notifier.rs`) last evaluated them, for
//! `GET /api/health` (`engine/src/api/health.rs`), the dashboard's health view and `xeno
//! health`. Cheap to clone; the notifier replaces the whole list after each evaluation.

use std::sync::{Arc, Mutex};

use xeno_api_types::health::ActiveAlert;

#[derive(Clone, Default)]
pub struct AlertBoard {
    inner: Arc<Mutex<Vec<ActiveAlert>>>,
}

impl AlertBoard {
    pub fn get(&self) -> Vec<ActiveAlert> {
        self.inner.lock().map(|a| a.clone()).unwrap_or_default()
    }

    pub(super) fn set(&self, alerts: Vec<ActiveAlert>) {
        if let Ok(mut a) = self.inner.lock() {
            *a = alerts;
        }
    }
}
