//! One sync of one shop outside a running engine's supervisor, for `xeno sync` (the progress
//! bar and the summary are the command line's, in `cli/src/sync.rs`).
//!
//! When no engine process holds the shop's lease, this takes it and runs the sync itself,
//! publishing into JetStream (the engine's writers apply the records, now or when an engine
//! next runs). When an engine holds it, this queues the run for that engine and follows its
//! progress in `sync_runs`. Either way the caller sees [`SyncEvent`]s while it runs and a
//! [`SyncReport`] at the end.
//!
//! Neighbours: the same [`run::execute`] the [`super::shop_sync`] actor runs, the lease in
//! [`super::lease`], the run's row in [`super::progress`], and a private
//! [`crate::bus::bridge::JetStreamBridge`].

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ractor::Actor;
use uuid::Uuid;

use super::graphql_client::GraphqlClient;
use super::lease::Lease;
use super::progress::{self, Progress, Snapshot};
use super::{run, selection, SyncContext, SyncMode};
use crate::bus::bridge::{self, BridgeArgs, BridgeHandle, JetStreamBridge};
use crate::bus::names::Names;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::slot::Slot;

/// What a front end is told while a sync runs.
#[derive(Debug, Clone, Copy)]
pub enum SyncEvent<'a> {
    /// The run's counters so far (several times a second).
    Progress(&'a Snapshot),
    /// A running engine holds the shop's lease: it runs this sync, queued under `run_id`.
    Delegated { shop: &'a str, run_id: Uuid },
    /// The delegated run is still queued, waiting for the engine that holds the lease.
    Queued,
    /// The run failed with this error; the report follows.
    Failed(&'a str),
}

/// How a sync ended: its `sync_runs` state (`completed` or `failed`) and its final counters.
#[derive(Debug, Clone)]
pub struct SyncReport {
    pub shop: String,
    pub mode: SyncMode,
    pub state: String,
    pub snapshot: Snapshot,
}

impl SyncReport {
    /// Whether every resource was synced.
    pub fn completed(&self) -> bool {
        self.state == "completed"
    }
}

/// Runs (or follows) one sync of `shop`, telling `on_event` how it goes. Errors are the
/// setup's (unknown shop, PostgreSQL or NATS unreachable); a sync that ran and failed is a
/// report whose state is `failed`.
pub async fn sync_shop(
    config: Config,
    shop: &str,
    mode: SyncMode,
    on_event: &(dyn Fn(SyncEvent<'_>) + Sync),
) -> anyhow::Result<SyncReport> {
    let domain = xeno_shopify::normalize_shop_domain(shop)
        .map_err(|e| anyhow::anyhow!("`{shop}` is not a shop domain: {e}"))?;
    let shop_config = config
        .shop(&domain)
        .with_context(|| format!("`{domain}` is not a configured shop"))?
        .clone();
    anyhow::ensure!(
        shop_config.access_token.is_some(),
        "`{domain}` has no access_token_env: the Admin API needs a token"
    );
    let config = Arc::new(config);
    let pool = crate::db::pool(&config.postgres.url, 4)?;
    crate::db::migrate(&pool)
        .await
        .context("applying migrations (is PostgreSQL reachable?)")?;

    let holder = format!("cli:{}:{}", std::process::id(), Uuid::new_v4().simple());
    let lease = Lease::new(pool.clone(), &domain, holder.clone(), config.sync.lease_ttl);
    let (state, snapshot) = if lease.acquire_or_renew().await? {
        run_here(&config, &shop_config, pool.clone(), &lease, mode, on_event).await?
    } else {
        let run_id = progress::queue(&pool, &domain, mode, "cli").await?;
        on_event(SyncEvent::Delegated {
            shop: &domain,
            run_id,
        });
        follow(&pool, run_id, on_event).await?
    };
    Ok(SyncReport {
        shop: domain,
        mode,
        state,
        snapshot,
    })
}

/// Runs the sync in this process, holding the lease, through a private bridge.
async fn run_here(
    config: &Arc<Config>,
    shop: &crate::config::ShopConfig,
    pool: deadpool_postgres::Pool,
    lease: &Lease,
    mode: SyncMode,
    on_event: &(dyn Fn(SyncEvent<'_>) + Sync),
) -> anyhow::Result<(String, Snapshot)> {
    let metrics = Arc::new(Metrics::new());
    let bridge = PrivateBridge::start(config, metrics.clone()).await?;
    let graphql = Arc::new(GraphqlClient::new(shop, metrics.clone())?);
    let run_id = progress::queue(&pool, &shop.domain, mode, "cli").await?;
    progress::mark_running(&pool, run_id, lease.holder()).await?;
    let mut ctx = SyncContext {
        shop: shop.clone(),
        pool: pool.clone(),
        bridge: bridge.handle.clone(),
        client: graphql.clone(),
        metrics,
        run_id,
        mode,
        page_size: config.sync.page_size,
        progress: Progress::new(&graphql),
        compare_counts: false,
        resources: Vec::new(),
    };
    ctx.resources = selection::resolve(&ctx).await.on;
    let show = async {
        loop {
            on_event(SyncEvent::Progress(&ctx.progress.snapshot(&ctx.client)));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let result = tokio::select! {
        r = run::execute(&ctx) => r.map_err(|e| e.to_string()),
        lost = keep_lease(lease.clone()) => Err(lost),
        () = show => Err("progress display stopped".to_string()),
    };
    let snapshot = ctx.progress.snapshot(&ctx.client);
    let error = result.err();
    progress::finish(&pool, run_id, error.as_deref()).await?;
    let _ = lease.release().await;
    bridge.stop().await;
    let state = match &error {
        None => "completed".to_string(),
        Some(e) => {
            on_event(SyncEvent::Failed(e));
            "failed".to_string()
        }
    };
    Ok((state, snapshot))
}

/// Renews the lease every third of its time to live; returns only when another process took
/// it, with the reason the run stops.
async fn keep_lease(lease: Lease) -> String {
    loop {
        tokio::time::sleep(lease.ttl() / 3).await;
        match lease.acquire_or_renew().await {
            Ok(true) => {}
            Ok(false) => return "another process took the sync lease".to_string(),
            Err(e) => tracing::warn!(error = %e, "cannot renew the sync lease"),
        }
    }
}

/// A JetStream bridge of this process's own, as the engine would run it, for the sync to
/// publish through.
struct PrivateBridge {
    client: async_nats::Client,
    actor: ractor::ActorRef<bridge::BridgeMsg>,
    handle: BridgeHandle,
}

impl PrivateBridge {
    async fn start(config: &Config, metrics: Arc<Metrics>) -> anyhow::Result<PrivateBridge> {
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
        let ready = Arc::new(AtomicBool::new(true));
        let (actor, _) = Actor::spawn(
            None,
            JetStreamBridge,
            BridgeArgs {
                client: client.clone(),
                names,
                nats: config.nats.clone(),
                writer: config.writer.clone(),
                publish_timeout: config.server.publish_timeout,
                metrics,
                ready: ready.clone(),
            },
        )
        .await
        .context("starting the JetStream bridge")?;
        let slot = Slot::default();
        slot.set(actor.clone());
        let handle = BridgeHandle::new(slot, config.server.publish_timeout, ready);
        Ok(PrivateBridge {
            client,
            actor,
            handle,
        })
    }

    /// Stops the bridge and flushes what the client still buffers.
    async fn stop(self) {
        self.actor.stop(None);
        let _ = self.client.flush().await;
    }
}

/// Follows a run another process executes until it ends.
async fn follow(
    pool: &deadpool_postgres::Pool,
    run_id: Uuid,
    on_event: &(dyn Fn(SyncEvent<'_>) + Sync),
) -> anyhow::Result<(String, Snapshot)> {
    loop {
        if let Some(run) = progress::read(pool, run_id).await? {
            on_event(SyncEvent::Progress(&run.snapshot));
            if run.ended() {
                return Ok((run.state, run.snapshot));
            }
            if run.state == "queued" {
                on_event(SyncEvent::Queued);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
