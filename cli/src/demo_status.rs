//! The status line of `xeno demo`: one line refreshed in place (webhooks received, rows
//! written, sync progress, the simulated store's size, the dashboard link), so the terminal
//! stays readable while the store is live. The figures are the engine's own counters
//! (`engine/src/metrics.rs`), read in process; the full log is the dashboard's live view, or
//! on stderr with `xeno demo --verbose` (or `XENO_LOG`). When stderr is not a terminal the
//! line is printed every [`PLAIN_EVERY`] instead.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::task::JoinHandle;
use xeno_engine::http::state::AppState;
use xeno_engine::metrics::{Metrics, ShopLabels};

/// How often the line is refreshed on a terminal.
const REFRESH: Duration = Duration::from_secs(1);
/// How often the line is printed when stderr is not a terminal (a log file, CI).
const PLAIN_EVERY: Duration = Duration::from_secs(30);

/// The engine counters behind one status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Webhooks the engine accepted (acked to the store).
    pub webhooks: u64,
    /// Messages the writer applied or deleted in PostgreSQL.
    pub writes: u64,
    /// Records the initial sync and reconciliations fetched for the demo shop.
    pub synced_records: u64,
    /// Whether a sync of the demo shop has completed.
    pub synced: bool,
    /// Orders in the simulated store now.
    pub store_orders: usize,
}

impl Figures {
    /// Reads the engine's counters for `shop`.
    pub fn read(state: &AppState, shop: &str, store_orders: usize) -> Figures {
        let m: &Metrics = &state.metrics;
        let labels = ShopLabels {
            shop: shop.to_string(),
        };
        Figures {
            webhooks: Metrics::outcome_count(&m.webhooks, "accepted"),
            writes: Metrics::outcome_count(&m.writer_messages, "applied")
                + Metrics::outcome_count(&m.writer_messages, "deleted"),
            synced_records: m.sync_records.get_or_create(&labels).get(),
            synced: m
                .sync_last_success_timestamp_seconds
                .get_or_create(&labels)
                .get()
                > 0.0,
            store_orders,
        }
    }

    /// The line itself, short enough for 80 columns, the link first so a narrow terminal
    /// cuts the figures, not the link: `http://127.0.0.1:4000/ · 1204 webhooks · 3310 writes
    /// · synced 2660 · 2012 orders in the store`.
    pub fn line(&self, dashboard: &str) -> String {
        let sync = if self.synced {
            format!("synced {}", self.synced_records)
        } else {
            format!("syncing {}…", self.synced_records)
        };
        format!(
            "{dashboard} · {} webhooks · {} writes · {sync} · {} orders in the store",
            self.webhooks, self.writes, self.store_orders
        )
    }
}

/// Shows the status line until the returned task is aborted (or [`stop`] is called).
pub fn spawn(
    state: AppState,
    store_orders: impl Fn() -> usize + Send + 'static,
    shop: String,
    dashboard: String,
) -> (ProgressBar, JoinHandle<()>) {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let plain = bar.is_hidden();
    if !plain {
        bar.enable_steady_tick(Duration::from_millis(120));
    }
    let shown = bar.clone();
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(if plain { PLAIN_EVERY } else { REFRESH });
        loop {
            tick.tick().await;
            let line = Figures::read(&state, &shop, store_orders()).line(&dashboard);
            if plain {
                eprintln!("{line}");
            } else {
                shown.set_message(line);
            }
        }
    });
    (bar, task)
}

/// Stops the line and clears it from the terminal.
pub fn stop(bar: ProgressBar, task: JoinHandle<()>) {
    task.abort();
    bar.finish_and_clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_whether_the_sync_is_done() {
        let mut f = Figures {
            webhooks: 12,
            writes: 30,
            synced_records: 400,
            synced: false,
            store_orders: 2001,
        };
        let line = f.line("http://127.0.0.1:4000/");
        assert_eq!(
            line,
            "http://127.0.0.1:4000/ · 12 webhooks · 30 writes · syncing 400… · 2001 orders in the store"
        );
        f.synced = true;
        assert!(f.line("x").contains(" · synced 400 · "));
    }
}
