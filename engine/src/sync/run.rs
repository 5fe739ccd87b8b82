//! One sync run over the shop's resources (`SyncContext::resources`, chosen by
//! [`super::selection`]), in the order of `Resource::ALL`.
//!
//! A resource whose checkpoint belongs to this run resumes from it (a completed one is
//! skipped); otherwise it starts over. Full runs, and any resource without a watermark yet
//! (one just turned on in the config), backfill through [`super::bulk`]; incremental runs
//! read what changed since the watermark minus the shop's `reconcile_lookback`
//! ([`super::incremental`]) and then sweep for deletions. Every resource ends with its
//! watermark moved forward. (A backfill of orders without `read_all_orders` is warned about
//! when the run's resources are chosen, [`super::selection`].) A completed run compares every resource's stored
//! count with Shopify's ([`super::completeness`]).

use std::time::Duration;

use xeno_shopify::Resource;

use super::context::SyncContext;
use super::error::SyncError;
use super::mode::SyncMode;
use super::{bulk, checkpoint, completeness, incremental, progress};

/// What a finished run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub snapshot: progress::Snapshot,
}

/// Runs `ctx.run_id` to completion, writing progress about once a second.
pub async fn execute(ctx: &SyncContext) -> Result<RunSummary, SyncError> {
    let writer = async {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let snapshot = ctx.progress.snapshot(&ctx.client);
            if let Err(e) = progress::write(&ctx.pool, ctx.run_id, &snapshot).await {
                tracing::debug!(error = %e, "cannot write sync progress");
            }
        }
    };
    let result = tokio::select! {
        r = async {
            resources(ctx).await?;
            if ctx.compare_counts {
                completeness::compare_all(ctx).await;
            }
            Ok(())
        } => r,
        _ = writer => unreachable_writer(),
    };
    let snapshot = ctx.progress.snapshot(&ctx.client);
    let _ = progress::write(&ctx.pool, ctx.run_id, &snapshot).await;
    result.map(|()| RunSummary { snapshot })
}

fn unreachable_writer() -> Result<(), SyncError> {
    Err(SyncError::Failed("progress writer stopped".into()))
}

async fn resources(ctx: &SyncContext) -> Result<(), SyncError> {
    let shop = &ctx.shop.domain;
    for &resource in &ctx.resources {
        ctx.progress.set_resource(resource.as_str());
        let cp = checkpoint::load(&ctx.pool, shop, resource).await?;
        let resume = cp.run_id == Some(ctx.run_id);
        if resume && cp.status == "completed" {
            continue;
        }
        let mode = match ctx.mode {
            SyncMode::Incremental if cp.watermark.is_some() => SyncMode::Incremental,
            _ => SyncMode::Full,
        };
        if !resume {
            if mode != ctx.mode {
                tracing::info!(shop = %shop, resource = resource.as_str(), "resource never synced (turned on since the last run): backfilling it");
            }
            checkpoint::begin(&ctx.pool, shop, resource, ctx.run_id, mode).await?;
        }
        let outcome = match mode {
            SyncMode::Full => bulk::backfill(ctx, resource, resume.then_some(&cp))
                .await
                .map(Some),
            SyncMode::Incremental => reconcile(ctx, resource, &cp, resume).await,
        };
        match outcome {
            Ok(watermark) => {
                let reconciled = mode == SyncMode::Incremental;
                checkpoint::complete(&ctx.pool, shop, resource, watermark, reconciled).await?;
            }
            Err(e) => {
                let _ = checkpoint::note_error(
                    &ctx.pool,
                    shop,
                    resource,
                    &e.to_string(),
                    !e.is_transient(),
                )
                .await;
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Reads what changed since the watermark (minus the shop's look-back), then sweeps for
/// deletions.
async fn reconcile(
    ctx: &SyncContext,
    resource: Resource,
    cp: &checkpoint::Checkpoint,
    resume: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, SyncError> {
    let cursor = resume
        .then(|| cp.cursor.as_deref().and_then(|c| c.strip_prefix("page:")))
        .flatten()
        .map(str::to_string);
    let lookback =
        chrono::Duration::from_std(ctx.shop.reconcile_lookback).unwrap_or(chrono::Duration::zero());
    let pass = incremental::pass(incremental::Pass {
        resource,
        since: cp.watermark.map(|w| w - lookback),
        cursor,
        only_changed: true,
        collect_ids: false,
        done_before: if resume { cp.objects_done } else { 0 },
        ctx,
    })
    .await?;
    let (live, listed_at) = bulk::live_ids(ctx, resource).await?;
    let deleted = ctx.sweep_deletes(resource, &live, listed_at, None).await?;
    ctx.count_repaired(resource, deleted);
    // The look-back re-reads changes behind the watermark; it never moves back.
    Ok(pass.max_updated.max(cp.watermark))
}
