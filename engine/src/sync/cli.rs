//! `xeno sync --config FILE --shop DOMAIN [--full]`: one sync from the command line, with a
//! progress bar and a summary at the end.
//!
//! When no engine process holds the shop's lease, the command takes it and runs the sync
//! itself, publishing into JetStream (the engine's writers apply the records, now or when an
//! engine next runs). When an engine holds it, the command queues the run for that engine and
//! follows its progress in `sync_runs`.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use ractor::Actor;
use uuid::Uuid;

use super::graphql_client::GraphqlClient;
use super::lease::Lease;
use super::progress::{self, Progress, Snapshot};
use super::{run, SyncContext, SyncMode};
use crate::bus::bridge::{self, BridgeArgs, BridgeHandle, JetStreamBridge};
use crate::bus::names::Names;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::slot::Slot;

/// Runs (or follows) one sync of `shop` and prints a summary.
pub async fn run_sync_command(config: Config, shop: String, full: bool) -> anyhow::Result<()> {
    let domain = xeno_shopify::normalize_shop_domain(&shop)
        .map_err(|e| anyhow::anyhow!("`{shop}` is not a shop domain: {e}"))?;
    let shop_config = config
        .shop(&domain)
        .with_context(|| format!("`{domain}` is not a configured shop"))?
        .clone();
    anyhow::ensure!(
        shop_config.access_token.is_some(),
        "`{domain}` has no access_token_env: the Admin API needs a token"
    );
    let mode = if full {
        SyncMode::Full
    } else {
        SyncMode::Incremental
    };
    let config = Arc::new(config);
    let pool = crate::db::pool(&config.postgres.url, 4)?;
    crate::db::migrate(&pool)
        .await
        .context("applying migrations (is PostgreSQL reachable?)")?;

    let holder = format!("cli:{}:{}", std::process::id(), Uuid::new_v4().simple());
    let lease = Lease::new(pool.clone(), &domain, holder.clone(), config.sync.lease_ttl);
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));

    let (state, snapshot) = if lease.acquire_or_renew().await? {
        run_here(&config, &shop_config, pool.clone(), &lease, mode, &bar).await?
    } else {
        let run_id = progress::queue(&pool, &domain, mode, "cli").await?;
        bar.println(format!(
            "an engine holds {domain}'s sync lease; it runs this sync (id {run_id})"
        ));
        follow(&pool, run_id, &bar).await?
    };
    bar.finish_and_clear();
    print_summary(&domain, mode, &state, &snapshot);
    anyhow::ensure!(state == "completed", "the sync {state}");
    Ok(())
}

async fn run_here(
    config: &Arc<Config>,
    shop: &crate::config::ShopConfig,
    pool: deadpool_postgres::Pool,
    lease: &Lease,
    mode: SyncMode,
    bar: &ProgressBar,
) -> anyhow::Result<(String, Snapshot)> {
    let client = async_nats::ConnectOptions::new()
        .name("xeno-sync")
        .connection_timeout(Duration::from_secs(5))
        .connect(config.nats.servers())
        .await
        .with_context(|| format!("connecting to NATS at {}", config.nats.url))?;
    let names = Names::new(&config.nats.stream);
    let js = bridge::context(&client, config.server.publish_timeout);
    bridge::ensure_stream_and_consumer(&js, &names, &config.nats, &config.writer)
        .await
        .map_err(|e| anyhow::anyhow!("setting up the JetStream stream: {e}"))?;
    let metrics = Arc::new(Metrics::new());
    let ready = Arc::new(AtomicBool::new(true));
    let slot = Slot::default();
    let (bridge_actor, _) = Actor::spawn(
        None,
        JetStreamBridge,
        BridgeArgs {
            client: client.clone(),
            names,
            nats: config.nats.clone(),
            writer: config.writer.clone(),
            publish_timeout: config.server.publish_timeout,
            metrics: metrics.clone(),
            ready: ready.clone(),
        },
    )
    .await
    .context("starting the JetStream bridge")?;
    slot.set(bridge_actor.clone());

    let graphql = Arc::new(GraphqlClient::new(shop, metrics.clone())?);
    let run_id = progress::queue(&pool, &shop.domain, mode, "cli").await?;
    progress::mark_running(&pool, run_id, lease.holder()).await?;
    let ctx = SyncContext {
        shop: shop.clone(),
        pool: pool.clone(),
        bridge: BridgeHandle::new(slot, config.server.publish_timeout, ready),
        client: graphql.clone(),
        metrics,
        run_id,
        mode,
        page_size: config.sync.page_size,
        progress: Progress::new(&graphql),
    };
    let renew = {
        let lease = lease.clone();
        async move {
            loop {
                tokio::time::sleep(lease.ttl() / 3).await;
                match lease.acquire_or_renew().await {
                    Ok(true) => {}
                    Ok(false) => return "another process took the sync lease".to_string(),
                    Err(e) => tracing::warn!(error = %e, "cannot renew the sync lease"),
                }
            }
        }
    };
    let show = async {
        loop {
            show_progress(bar, &ctx.progress.snapshot(&ctx.client));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let result = tokio::select! {
        r = run::execute(&ctx) => r.map_err(|e| e.to_string()),
        lost = renew => Err(lost),
        () = show => Err("progress display stopped".to_string()),
    };
    let snapshot = ctx.progress.snapshot(&ctx.client);
    let error = result.err();
    progress::finish(&pool, run_id, error.as_deref()).await?;
    let _ = lease.release().await;
    bridge_actor.stop(None);
    let _ = client.flush().await;
    let state = match &error {
        None => "completed".to_string(),
        Some(e) => {
            bar.println(format!("sync failed: {e}"));
            "failed".to_string()
        }
    };
    Ok((state, snapshot))
}

/// Follows a run another process executes until it ends.
async fn follow(
    pool: &deadpool_postgres::Pool,
    run_id: Uuid,
    bar: &ProgressBar,
) -> anyhow::Result<(String, Snapshot)> {
    loop {
        if let Some((state, snapshot)) = progress::read(pool, run_id).await? {
            show_progress(bar, &snapshot);
            if state == "completed" || state == "failed" {
                return Ok((state, snapshot));
            }
            if state == "queued" {
                bar.set_message("queued; waiting for the engine holding the lease");
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn show_progress(bar: &ProgressBar, s: &Snapshot) {
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

fn print_summary(shop: &str, mode: SyncMode, state: &str, s: &Snapshot) {
    println!("sync of {shop} ({}) {state}", mode.as_str());
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
