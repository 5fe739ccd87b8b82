//! `xeno sync --config FILE --shop DOMAIN [--full]`: one sync from the command line, with a
//! progress bar and a summary at the end.
//!
//! The sync itself (lease, private bridge, or following the engine that holds the lease) is
//! the engine's, in `engine/src/sync/standalone.rs`; this file only shows its events. Without
//! `--config` the same command asks a running engine through its API instead
//! (`cli/src/remote_sync.rs`), and shows its progress with the same bar and summary.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use xeno_engine::config::Config;
use xeno_engine::sync::progress::Snapshot;
use xeno_engine::sync::standalone::{self, SyncEvent};
use xeno_engine::sync::SyncMode;

/// Runs (or follows) one sync of `shop` and prints a summary; fails unless it completed.
pub async fn run(config: Config, shop: String, full: bool) -> anyhow::Result<()> {
    let mode = if full {
        SyncMode::Full
    } else {
        SyncMode::Incremental
    };
    let bar = spinner();
    let report = standalone::sync_shop(config, &shop, mode, &|event| show(&bar, event)).await;
    bar.finish_and_clear();
    let report = report?;
    print_summary(
        &report.shop,
        report.mode.as_str(),
        &report.state,
        &report.snapshot,
    );
    anyhow::ensure!(report.completed(), "the sync {}", report.state);
    Ok(())
}

/// The progress line every `xeno sync` draws on stderr.
pub fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn show(bar: &ProgressBar, event: SyncEvent<'_>) {
    match event {
        SyncEvent::Progress(snapshot) => show_progress(bar, snapshot),
        SyncEvent::Delegated { shop, run_id } => bar.println(format!(
            "an engine holds {shop}'s sync lease; it runs this sync (id {run_id})"
        )),
        SyncEvent::Queued => bar.set_message("queued; waiting for the engine holding the lease"),
        SyncEvent::Failed(error) => bar.println(format!("sync failed: {error}")),
    }
}

pub fn show_progress(bar: &ProgressBar, s: &Snapshot) {
    let total = s.objects_total.map(|t| format!("/{t}")).unwrap_or_default();
    let eta = s
        .eta_seconds
        .map(|e| format!(", ETA {e:.0}s"))
        .unwrap_or_default();
    bar.set_message(format!(
        "{}: {}{total} objects, {:.0}/s{eta}, {} requests, {} throttle waits ({:.1}s), {} errors",
        if s.resource.is_empty() {
            "starting"
        } else {
            &s.resource
        },
        s.objects_done,
        s.rate_per_second,
        s.requests,
        s.throttle_waits,
        s.throttle_wait_seconds,
        s.errors,
    ));
}

/// The summary of a run that ended, wherever it ran.
pub fn print_summary(shop: &str, mode: &str, state: &str, s: &Snapshot) {
    println!("sync of {shop} ({mode}) {state}");
    println!("  objects        {}", s.objects_done);
    println!("  fixed          {}", s.objects_fixed);
    println!("  deleted        {}", s.objects_deleted);
    println!("  seconds        {:.1}", s.elapsed_seconds);
    println!("  rate           {:.0}/s", s.rate_per_second);
    println!(
        "  requests       {} ({} throttled)",
        s.requests, s.throttled_requests
    );
    println!("  points used    {:.0}", s.points_used);
    println!(
        "  throttle waits {} ({:.1}s)",
        s.throttle_waits, s.throttle_wait_seconds
    );
    println!("  errors         {}", s.errors);
    if let Some(e) = &s.last_error {
        println!("  last error     {e}");
    }
}
