//! The SyncActor of one shop: holds the shop's lease and its GraphQL client (and so its
//! mirrored rate-limit bucket), and decides which run goes next.
//!
//! Every tick it renews (or tries to take) the lease in `sync_leases`. While it holds the
//! lease and no run is going, it starts, in this order: an interrupted run (resumed from its
//! checkpoints), the oldest queued run (`POST /api/sync`, `xeno sync`), the start-up run (a
//! full backfill the first time, else an incremental catch-up), or the scheduled
//! reconciliation every `reconcile_every`. A run is a task: each begins by ensuring the
//! shop's webhook subscriptions, then syncs. The actor never blocks on the Admin API.
//!
//! Outcomes: completed → logged with what it fixed; a database outage → resumed from the
//! checkpoint after a backoff; a permanent Admin API error (token rejected, uninstalled) →
//! the run fails with the reason and automatic runs stop until one is requested again.
//!
//! Every run's end sets the shop's sync and reconciliation gauges of `engine/src/metrics.rs`
//! (last success, failures in a row) that `ops/prometheus/alerts.yml` watches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use ractor::{Actor, ActorProcessingErr, ActorRef};
use uuid::Uuid;

use super::context::SyncContext;
use super::error::SyncError;
use super::graphql_client::{Backoff, GraphqlClient};
use super::lease::Lease;
use super::mode::SyncMode;
use super::progress::{self, Progress};
use super::run::{self, RunSummary};
use super::{selection, subscriptions};
use crate::bus::BridgeHandle;
use crate::config::{Config, ShopConfig};
use crate::metrics::{Metrics, ShopLabels};

/// How often the actor looks at its lease and its queue.
const TICK: Duration = Duration::from_millis(500);

pub struct SyncActor;

pub enum SyncMsg {
    /// Timer: renew the lease, start the next run if one is due.
    Tick,
    /// A run was queued (`POST /api/sync`): look now rather than at the next tick.
    Wake,
    /// The run task ended.
    RunEnded {
        run_id: Uuid,
        result: Result<RunSummary, SyncError>,
    },
}

pub struct SyncArgs {
    pub shop: ShopConfig,
    pub config: Arc<Config>,
    pub pool: Pool,
    pub bridge: BridgeHandle,
    pub metrics: Arc<Metrics>,
    /// The process group `POST /api/sync` wakes ([`group_name`]).
    pub group: String,
}

fn shop_labels(shop: &str) -> ShopLabels {
    ShopLabels {
        shop: shop.to_string(),
    }
}

/// The process group of a shop's SyncActors in this process (one per engine in it).
pub fn group_name(stream: &str, shop: &str) -> String {
    format!("xeno-sync:{stream}:{shop}")
}

struct Running {
    run_id: Uuid,
    mode: SyncMode,
    trigger: String,
    task: tokio::task::JoinHandle<()>,
}

pub struct SyncState {
    args: SyncArgs,
    client: Arc<GraphqlClient>,
    lease: Lease,
    holding: bool,
    renewed_at: Instant,
    running: Option<Running>,
    /// The start-up run has been queued (once per actor).
    started: bool,
    next_reconcile: Instant,
    /// After a transient failure, when to resume.
    retry_at: Option<Instant>,
    retry: Backoff,
    /// A permanent failure's reason: automatic runs wait for a requested one.
    gave_up: Option<String>,
    timer: tokio::task::JoinHandle<()>,
}

impl Actor for SyncActor {
    type Msg = SyncMsg;
    type State = SyncState;
    type Arguments = SyncArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let client = Arc::new(GraphqlClient::new(&args.shop, args.metrics.clone())?);
        let holder = format!("{}:{}", std::process::id(), Uuid::new_v4().simple());
        let lease = Lease::new(
            args.pool.clone(),
            &args.shop.domain,
            holder,
            args.config.sync.lease_ttl,
        );
        ractor::pg::join(args.group.clone(), vec![myself.get_cell()]);
        let interval = i64::try_from(args.shop.reconcile_every.as_secs()).unwrap_or(i64::MAX);
        args.metrics
            .reconcile_interval_seconds
            .get_or_create(&shop_labels(&args.shop.domain))
            .set(interval);
        let timer = myself.send_interval(TICK, || SyncMsg::Tick);
        Ok(SyncState {
            client,
            lease,
            holding: false,
            renewed_at: Instant::now(),
            running: None,
            started: false,
            next_reconcile: Instant::now() + args.shop.reconcile_every,
            retry_at: None,
            retry: Backoff::new(Duration::from_secs(1), Duration::from_secs(60)),
            gave_up: None,
            timer,
            args,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            SyncMsg::Tick => {
                state.keep_lease().await;
                state.next(&myself).await;
            }
            SyncMsg::Wake => state.next(&myself).await,
            SyncMsg::RunEnded { run_id, result } => {
                state.ended(run_id, result).await;
                state.next(&myself).await;
            }
        }
        Ok(())
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.timer.abort();
        if let Some(running) = state.running.take() {
            running.task.abort();
            tracing::info!(shop = %state.args.shop.domain, run_id = %running.run_id, "sync interrupted by shutdown; it resumes from its checkpoint");
        }
        if state.holding {
            let _ = state.lease.release().await;
        }
        Ok(())
    }
}

impl SyncState {
    fn shop(&self) -> &str {
        &self.args.shop.domain
    }

    /// Sets the shop's run gauges: a completed run (full or incremental, both compare every
    /// resource with Shopify) is a sync and a reconciliation; any failure, interruptions
    /// included, counts towards the failures in a row.
    fn count_outcome(&self, completed: bool) {
        let m = &self.args.metrics;
        let labels = shop_labels(self.shop());
        if completed {
            let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
            m.sync_last_success_timestamp_seconds
                .get_or_create(&labels)
                .set(now);
            m.reconcile_last_success_timestamp_seconds
                .get_or_create(&labels)
                .set(now);
            m.sync_consecutive_failures.get_or_create(&labels).set(0);
        } else {
            m.sync_failures.get_or_create(&labels).inc();
            m.sync_consecutive_failures.get_or_create(&labels).inc();
        }
    }

    async fn keep_lease(&mut self) {
        let ttl = self.lease.ttl();
        if self.holding {
            if self.renewed_at.elapsed() < ttl / 3 {
                return;
            }
            match self.lease.acquire_or_renew().await {
                Ok(true) => self.renewed_at = Instant::now(),
                Ok(false) => self.lose_lease("another process holds it now"),
                Err(e) if self.renewed_at.elapsed() >= ttl * 2 / 3 => {
                    self.lose_lease(&format!("cannot renew it: {e}"))
                }
                Err(e) => {
                    tracing::warn!(shop = %self.shop(), error = %e, "cannot renew the sync lease yet")
                }
            }
            return;
        }
        match self.lease.acquire_or_renew().await {
            Ok(true) => {
                self.holding = true;
                self.renewed_at = Instant::now();
                tracing::info!(shop = %self.shop(), holder = %self.lease.holder(), "sync lease acquired; this process syncs the shop");
            }
            Ok(false) => {}
            Err(e) => {
                tracing::debug!(shop = %self.shop(), error = %e, "cannot take the sync lease")
            }
        }
    }

    fn lose_lease(&mut self, why: &str) {
        self.holding = false;
        tracing::warn!(shop = %self.shop(), reason = why, "sync lease lost; stopping the running sync");
        if let Some(running) = self.running.take() {
            running.task.abort();
        }
    }

    /// Starts the next run if one is due.
    async fn next(&mut self, myself: &ActorRef<SyncMsg>) {
        // Records published before the stream exists would only be retried.
        if !self.holding || self.running.is_some() || !self.args.bridge.is_ready() {
            return;
        }
        if self.retry_at.is_some_and(|t| Instant::now() < t) {
            return;
        }
        if let Err(e) = self.pick(myself).await {
            let wait = self.retry.next_delay();
            tracing::warn!(shop = %self.shop(), error = %e, retry_in_ms = wait.as_millis() as u64, "cannot start a sync run yet");
            self.retry_at = Some(Instant::now() + wait);
        }
    }

    async fn pick(&mut self, myself: &ActorRef<SyncMsg>) -> Result<(), SyncError> {
        let pool = self.args.pool.clone();
        let shop = self.shop().to_string();
        let (run_id, mode, trigger) = match progress::next_run(&pool, &shop).await? {
            Some(next) => next,
            None if !self.started && self.gave_up.is_none() => {
                let mode = if progress::has_completed_full(&pool, &shop).await? {
                    SyncMode::Incremental
                } else {
                    SyncMode::Full
                };
                let id = progress::queue(&pool, &shop, mode, "start").await?;
                (id, mode, "start".to_string())
            }
            None if self.gave_up.is_none() && Instant::now() >= self.next_reconcile => {
                let id = progress::queue(&pool, &shop, SyncMode::Incremental, "schedule").await?;
                (id, SyncMode::Incremental, "schedule".to_string())
            }
            None => return Ok(()),
        };
        self.started = true;
        let known_before = progress::has_completed_full(&pool, &shop).await?;
        progress::mark_running(&pool, run_id, self.lease.holder()).await?;
        tracing::info!(shop = %shop, run_id = %run_id, mode = mode.as_str(), trigger = %trigger, "sync run started");
        let ctx = SyncContext {
            shop: self.args.shop.clone(),
            pool,
            bridge: self.args.bridge.clone(),
            client: self.client.clone(),
            metrics: self.args.metrics.clone(),
            run_id,
            mode,
            page_size: self.args.config.sync.page_size,
            progress: Progress::new(&self.client),
            compare_counts: true,
            resources: Vec::new(),
        };
        let public_url = self.args.config.server.public_url.clone();
        let me = myself.clone();
        let task = tokio::spawn(async move {
            let mut ctx = ctx;
            ctx.resources = selection::resolve(&ctx).await.on;
            let result = async {
                if let Some(url) = &public_url {
                    match subscriptions::ensure(&ctx, url, known_before).await {
                        Ok(_) => {}
                        Err(e @ SyncError::Permanent(_)) => return Err(e),
                        Err(e) => {
                            tracing::warn!(shop = %ctx.shop.domain, error = %e, "cannot ensure webhook subscriptions; syncing anyway")
                        }
                    }
                }
                run::execute(&ctx).await
            }
            .await;
            let _ = me.cast(SyncMsg::RunEnded { run_id, result });
        });
        self.running = Some(Running {
            run_id,
            mode,
            trigger,
            task,
        });
        Ok(())
    }

    async fn ended(&mut self, run_id: Uuid, result: Result<RunSummary, SyncError>) {
        let Some(running) = self.running.take().filter(|r| r.run_id == run_id) else {
            return;
        };
        self.count_outcome(result.is_ok());
        let pool = self.args.pool.clone();
        let shop = self.shop().to_string();
        match result {
            Ok(summary) => {
                self.retry.reset();
                self.retry_at = None;
                self.gave_up = None;
                self.next_reconcile = Instant::now() + self.args.shop.reconcile_every;
                if let Err(e) = progress::finish(&pool, run_id, None).await {
                    tracing::warn!(shop = %shop, error = %e, "cannot close the sync run");
                }
                let s = &summary.snapshot;
                tracing::info!(
                    shop = %shop,
                    run_id = %run_id,
                    mode = running.mode.as_str(),
                    trigger = %running.trigger,
                    objects = s.objects_done,
                    fixed = s.objects_fixed,
                    deleted = s.objects_deleted,
                    seconds = s.elapsed_seconds,
                    requests = s.requests,
                    throttled = s.throttled_requests,
                    throttle_wait_seconds = s.throttle_wait_seconds,
                    "sync run completed"
                );
                if running.mode == SyncMode::Incremental {
                    tracing::info!(shop = %shop, fixed = s.objects_fixed, deleted = s.objects_deleted, "reconciliation completed");
                }
            }
            Err(e) if e.is_transient() => {
                let wait = self.retry.next_delay();
                self.retry_at = Some(Instant::now() + wait);
                self.running = None;
                tracing::warn!(shop = %shop, run_id = %run_id, error = %e, retry_in_ms = wait.as_millis() as u64, "sync run interrupted; resuming from its checkpoint");
            }
            Err(e) => {
                let reason = e.to_string();
                if let Err(db) = progress::finish(&pool, run_id, Some(&reason)).await {
                    tracing::warn!(shop = %shop, error = %db, "cannot close the sync run");
                }
                self.next_reconcile = Instant::now() + self.args.shop.reconcile_every;
                if let SyncError::Permanent(_) = e {
                    tracing::error!(shop = %shop, run_id = %run_id, reason = %reason, "sync gave up: permanent Admin API error; automatic syncs stop until one is requested");
                    self.gave_up = Some(reason);
                } else {
                    tracing::error!(shop = %shop, run_id = %run_id, reason = %reason, "sync run failed");
                }
            }
        }
    }
}
