//! `xeno sync --shop DOMAIN [--full]` without `--config`: asks a running engine to sync a shop
//! (`POST /api/sync`) and watches the run (`GET /api/sync/{id}`) with the same progress line
//! and summary as a local sync (`cli/src/sync.rs`). The engine's API is the source: the run
//! is the one the dashboard shows, executed by whichever engine process holds the shop's
//! lease. Exit status 1 when the run failed.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use reqwest::Method;
use serde_json::{json, Value};
use xeno_api_types::sync::{SyncQueued, SyncRun};
use xeno_engine::sync::progress::Snapshot;

use crate::api_client::{ApiArgs, ApiClient};
use crate::sync::{print_summary, show_progress, spinner};

/// How often the run is read back (the engine updates it about once a second).
const POLL: Duration = Duration::from_millis(500);

/// Queues the run, then (unless `detach`) follows it to its end.
pub async fn run(api: ApiArgs, shop: String, full: bool, detach: bool) -> anyhow::Result<ExitCode> {
    let client = ApiClient::new(&api)?;
    let mode = if full { "full" } else { "incremental" };
    let (queued, raw) = client
        .send::<SyncQueued>(
            Method::POST,
            "api/sync",
            Some(&json!({"shop": shop, "mode": mode})),
        )
        .await?;
    if detach {
        if api.json {
            println!("{}", serde_json::to_string_pretty(&raw)?);
        } else {
            println!(
                "queued {} sync of {} (id {}); follow it with GET /api/sync/{}",
                queued.mode, queued.shop, queued.sync_id, queued.sync_id
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (run, raw) = watch(&client, &queued.sync_id, !api.json).await?;
    if api.json {
        println!("{}", serde_json::to_string_pretty(&raw)?);
    } else {
        print_summary(&run.shop, &run.mode, &run.state, &snapshot(&run));
    }
    Ok(if run.state == "completed" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Polls the run until it ends; draws progress on stderr when `show`.
async fn watch(client: &ApiClient, id: &str, show: bool) -> anyhow::Result<(SyncRun, Value)> {
    let bar = show.then(spinner);
    let path = format!("api/sync/{id}");
    loop {
        let (run, raw) = client
            .call::<SyncRun>(Method::GET, &path)
            .await
            .with_context(|| format!("following sync {id}"))?;
        if let Some(bar) = &bar {
            if run.state == "queued" {
                bar.set_message("queued; waiting for the engine holding the shop's lease");
            } else {
                show_progress(bar, &snapshot(&run));
            }
        }
        if run.state == "completed" || run.state == "failed" {
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            return Ok((run, raw));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The API's run as the progress line and summary read it.
fn snapshot(run: &SyncRun) -> Snapshot {
    Snapshot {
        resource: run.resource.clone(),
        objects_done: run.objects_done,
        objects_total: run.objects_total,
        objects_fixed: run.objects_fixed,
        objects_deleted: run.objects_deleted,
        rate_per_second: run.rate_per_second,
        eta_seconds: run.eta_seconds,
        requests: run.requests,
        points_used: run.points_used,
        throttled_requests: run.throttled_requests,
        throttle_waits: run.throttle_waits,
        throttle_wait_seconds: run.throttle_wait_seconds,
        errors: run.errors,
        last_error: run.last_error.clone(),
        elapsed_seconds: run.elapsed_seconds,
    }
}
