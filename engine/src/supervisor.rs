//! The root supervisor: spawns every long-lived actor linked to itself, restarts one that
//! fails, and gives up loudly when an actor keeps failing.
//!
//! Restart policy: one-for-one. A failed or unexpectedly stopped child is respawned with the
//! same arguments and its slot updated, so handles keep working. Each child may restart
//! [`RESTART_BUDGET`] times within [`RESTART_WINDOW`] (`engine/src/supervision.rs`); one more failure stops the engine with
//! an error naming the actor, rather than looping forever.
//!
//! Only the children of the process's roles (`[server] roles`, `engine/src/config/roles.rs`)
//! are spawned; [`Child::role`] says which child belongs to which role.
//!
//! Shutdown order (graceful): receiver (stop accepting, finish in-flight requests), sync
//! actors, consumer (stop pulling), writer pool (drain), change relay, bridge (flush), log
//! sink (flush).

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use deadpool_postgres::Pool;
use ractor::factory::FactoryMessage;
use ractor::{
    Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, RpcReplyPort, SupervisionEvent,
};
use tokio::sync::Semaphore;

use crate::alerts::notifier::{AlertNotifier, NotifierArgs};
use crate::analytics::rollup_compactor::{CompactorArgs, RollupCompactor};
use crate::bus::bridge::{BridgeArgs, BridgeHandle, BridgeMsg, JetStreamBridge};
use crate::bus::names::Names;
use crate::config::{Config, Role, Roles};
use crate::feed::relay::{ChangeRelay, RelayArgs, RelayHandle};
use crate::feed::webhooks::{FeedWebhooks, FeedWebhooksArgs};
use crate::http::state::AppState;
use crate::log_sink::{LogHub, LogSink, LogSinkArgs, LogSinkMsg};
use crate::metrics::{ActorLabels, Metrics};
use crate::slot::Slot;
use crate::supervision::{ended, RestartBudget, RESTART_WINDOW};
use crate::sync::supervisor::{SyncSupervisor, SyncSupervisorArgs};
use crate::webhook::receiver::{ReceiverArgs, WebhookReceiver};
use crate::writer::consumer::{ConsumerArgs, IngestConsumer};

/// Kept at its old path for callers of `xeno_engine::supervisor::RESTART_BUDGET` (the fault
/// tests); the policy itself lives in `engine/src/supervision.rs`.
pub use crate::supervision::RESTART_BUDGET;
use crate::writer::upsert_writer::{WriteBatch, WriterArgs};

/// The children, in start order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Child {
    LogSink,
    Bridge,
    Writers,
    /// Folds the writers' analytics deltas into the rollups (`engine/src/analytics/rollup_compactor.rs`).
    Compactor,
    /// Publishes the change outbox to the change feed (`engine/src/feed/relay.rs`).
    Relay,
    Consumer,
    /// The SyncSupervisor and its one SyncActor per shop (`crate::sync`).
    Sync,
    /// Delivers the change feed to `[[feed_webhooks]]` (`engine/src/feed/webhooks.rs`).
    FeedHooks,
    /// Evaluates the alert conditions and notifies `[[alerts]]` (`engine/src/alerts/notifier.rs`).
    Alerts,
    Receiver,
}

impl Child {
    pub fn name(self) -> &'static str {
        match self {
            Child::LogSink => "log_sink",
            Child::Bridge => "jetstream_bridge",
            Child::Writers => "upsert_writers",
            Child::Compactor => "rollup_compactor",
            Child::Relay => "change_relay",
            Child::Consumer => "ingest_consumer",
            Child::Sync => "sync_supervisor",
            Child::Alerts => "alert_notifier",
            Child::FeedHooks => "feed_webhooks",
            Child::Receiver => "webhook_receiver",
        }
    }

    /// The role a child belongs to; `None` for what every process runs: the log sink and
    /// the JetStream bridge (shared infrastructure: the edge and sync publish through it, the
    /// writers' consumer needs its stream), the alert notifier (each process evaluates the
    /// rules on its own metrics and the registry's role counts) and the receiver (the HTTP
    /// server, whose routes follow the roles: `engine/src/http/router.rs`). The feed's
    /// webhook deliveries go with the writers: both drain JetStream into the outside world.
    pub fn role(self) -> Option<Role> {
        match self {
            Child::LogSink | Child::Bridge | Child::Alerts | Child::Receiver => None,
            Child::Writers
            | Child::Compactor
            | Child::Relay
            | Child::Consumer
            | Child::FeedHooks => Some(Role::Writer),
            Child::Sync => Some(Role::Sync),
        }
    }

    /// Whether a process running `roles` runs this child.
    pub fn runs_in(self, roles: Roles) -> bool {
        self.role().is_none_or(|role| roles.has(role))
    }

    const START_ORDER: [Child; 10] = [
        Child::LogSink,
        Child::Bridge,
        Child::Writers,
        Child::Compactor,
        Child::Relay,
        Child::Consumer,
        Child::Sync,
        Child::Alerts,
        Child::FeedHooks,
        Child::Receiver,
    ];
}

pub struct RootSupervisor;

pub enum RootMsg {
    /// Stop every child in order, then the supervisor itself.
    Shutdown(RpcReplyPort<()>),
    /// The current actor of a child (operators' tooling and fault tests).
    Child(Child, RpcReplyPort<Option<ActorCell>>),
}

/// Everything the children are built from; kept so a restart rebuilds a child identically.
pub struct RootArgs {
    pub config: Arc<Config>,
    pub pool: Pool,
    pub client: async_nats::Client,
    pub js: jetstream::Context,
    pub names: Names,
    pub metrics: Arc<Metrics>,
    pub log: LogHub,
    pub bridge_slot: Slot<BridgeMsg>,
    pub bridge_ready: Arc<AtomicBool>,
    pub listener: std::net::TcpListener,
    pub state: AppState,
}

pub struct RootState {
    args: RootArgs,
    children: HashMap<ActorId, Child>,
    cells: HashMap<Child, ActorCell>,
    restarts: HashMap<Child, RestartBudget>,
    writers: Option<ActorRef<FactoryMessage<(), WriteBatch>>>,
    /// The current change relay, for the writers' wake-ups.
    relay: RelayHandle,
    in_flight: Arc<Semaphore>,
    shutting_down: bool,
}

impl Actor for RootSupervisor {
    type Msg = RootMsg;
    type State = RootState;
    type Arguments = RootArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let in_flight = Arc::new(Semaphore::new(args.config.writer.batches_in_flight()));
        let mut state = RootState {
            args,
            children: HashMap::new(),
            cells: HashMap::new(),
            restarts: HashMap::new(),
            writers: None,
            relay: RelayHandle::default(),
            in_flight,
            shutting_down: false,
        };
        let roles = state.args.config.server.roles;
        for child in Child::START_ORDER.into_iter().filter(|c| c.runs_in(roles)) {
            state.spawn(child, myself.get_cell()).await?;
        }
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            RootMsg::Shutdown(reply) => {
                state.shutting_down = true;
                state.stop_children().await;
                let _ = reply.send(());
                myself.stop(Some("shutdown".into()));
            }
            RootMsg::Child(child, reply) => {
                let _ = reply.send(state.cells.get(&child).cloned());
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let Some((cell, reason)) = ended(event) else {
            return Ok(());
        };
        let Some(child) = state.children.remove(&cell.get_id()) else {
            return Ok(());
        };
        state.cells.remove(&child);
        if state.shutting_down {
            return Ok(());
        }
        state
            .args
            .state
            .components
            .down(child.name(), Some(reason.clone()), true);
        if !state
            .restarts
            .entry(child)
            .or_default()
            .try_restart(Instant::now())
        {
            tracing::error!(
                actor = child.name(),
                restarts = RESTART_BUDGET,
                window_secs = RESTART_WINDOW.as_secs(),
                reason = %reason,
                "restart budget exhausted; stopping the engine"
            );
            state.shutting_down = true;
            state.stop_children().await;
            myself.stop(Some(format!(
                "{} failed {} times within {:?}: {reason}",
                child.name(),
                RESTART_BUDGET + 1,
                RESTART_WINDOW
            )));
            return Ok(());
        }
        state
            .args
            .metrics
            .actor_restarts
            .get_or_create(&ActorLabels {
                actor: child.name().to_string(),
            })
            .inc();
        tracing::warn!(actor = child.name(), reason = %reason, "actor restarted by its supervisor");
        state.spawn(child, myself.get_cell()).await?;
        Ok(())
    }
}

impl RootState {
    /// Spawns `child` linked to the supervisor `me` and records it as up.
    async fn spawn(&mut self, child: Child, me: ActorCell) -> Result<(), ActorProcessingErr> {
        let cell = match child {
            Child::LogSink => self.spawn_log_sink(me).await?,
            Child::Bridge => self.spawn_bridge(me).await?,
            Child::Writers => self.spawn_writers(me).await?,
            Child::Compactor => self.spawn_compactor(me).await?,
            Child::Relay => self.spawn_relay(me).await?,
            Child::Consumer => self.spawn_consumer(me).await?,
            Child::Sync => self.spawn_sync(me).await?,
            Child::Alerts => self.spawn_alerts(me).await?,
            Child::FeedHooks => self.spawn_feed_hooks(me).await?,
            Child::Receiver => self.spawn_receiver(me).await?,
        };
        self.children.insert(cell.get_id(), child);
        self.cells.insert(child, cell);
        self.args.state.components.up(child.name());
        Ok(())
    }

    /// A handle on the current bridge, whichever restart it is.
    fn bridge_handle(&self) -> BridgeHandle {
        BridgeHandle::new(
            self.args.bridge_slot.clone(),
            self.args.config.server.publish_timeout,
            self.args.bridge_ready.clone(),
        )
    }

    async fn spawn_log_sink(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let args = LogSinkArgs {
            pool: self.args.pool.clone(),
            hub: self.args.log.clone(),
            flush_every: Duration::from_millis(250),
        };
        let (r, _) = Actor::spawn_linked(None, LogSink, args, me).await?;
        Ok(r.get_cell())
    }

    async fn spawn_bridge(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let a = &self.args;
        let args = BridgeArgs {
            client: a.client.clone(),
            names: a.names.clone(),
            nats: a.config.nats.clone(),
            writer: a.config.writer.clone(),
            publish_timeout: a.config.server.publish_timeout,
            metrics: a.metrics.clone(),
            ready: a.bridge_ready.clone(),
        };
        let (r, _) = Actor::spawn_linked(None, JetStreamBridge, args, me).await?;
        r.cast(BridgeMsg::Ensure)?;
        a.bridge_slot.set(r.clone());
        Ok(r.get_cell())
    }

    async fn spawn_writers(&mut self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let a = &self.args;
        let pool = a.pool.clone();
        let metrics = a.metrics.clone();
        let max_deliveries = a.config.writer.max_deliveries;
        let relay = self.relay.clone();
        let r = crate::writer::spawn_pool(
            format!(
                "{}-writers-{}",
                a.names.stream,
                uuid::Uuid::new_v4().simple()
            ),
            a.config.writer.workers,
            move || WriterArgs {
                pool: pool.clone(),
                metrics: metrics.clone(),
                max_deliveries,
                relay: relay.clone(),
            },
            me,
        )
        .await?;
        self.writers = Some(r.clone());
        Ok(r.get_cell())
    }

    async fn spawn_compactor(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let args = CompactorArgs {
            pool: self.args.pool.clone(),
            every: Duration::from_secs(1),
        };
        let (r, _) = Actor::spawn_linked(None, RollupCompactor, args, me).await?;
        Ok(r.get_cell())
    }

    async fn spawn_relay(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let a = &self.args;
        let args = RelayArgs {
            pool: a.pool.clone(),
            js: a.js.clone(),
            names: a.names.clone(),
            nats: a.config.nats.clone(),
            metrics: a.metrics.clone(),
            handle: self.relay.clone(),
            every: Duration::from_secs(1),
        };
        let (r, _) = Actor::spawn_linked(None, ChangeRelay, args, me).await?;
        self.relay.set(r.clone());
        Ok(r.get_cell())
    }

    async fn spawn_consumer(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let writers = self
            .writers
            .clone()
            .ok_or("the writer pool starts before the consumer")?;
        let args = ConsumerArgs {
            js: self.args.js.clone(),
            names: self.args.names.clone(),
            bridge: self.bridge_handle(),
            writers,
            batch_size: self.args.config.writer.batch_size,
            in_flight: self.in_flight.clone(),
        };
        let (r, _) = Actor::spawn_linked(None, IngestConsumer, args, me).await?;
        Ok(r.get_cell())
    }

    async fn spawn_sync(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let args = SyncSupervisorArgs {
            config: self.args.config.clone(),
            pool: self.args.pool.clone(),
            bridge: self.bridge_handle(),
            metrics: self.args.metrics.clone(),
            stream: self.args.names.stream.clone(),
        };
        let (r, _) = Actor::spawn_linked(None, SyncSupervisor, args, me).await?;
        Ok(r.get_cell())
    }

    async fn spawn_feed_hooks(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let a = &self.args;
        let args = FeedWebhooksArgs {
            targets: a.config.feed_webhooks.clone(),
            js: a.js.clone(),
            names: a.names.clone(),
            pool: a.pool.clone(),
            metrics: a.metrics.clone(),
        };
        let (r, _) = Actor::spawn_linked(None, FeedWebhooks, args, me).await?;
        Ok(r.get_cell())
    }

    async fn spawn_alerts(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let args = NotifierArgs {
            config: self.args.config.clone(),
            metrics: self.args.metrics.clone(),
            board: self.args.state.alerts.clone(),
        };
        let (r, _) = Actor::spawn_linked(None, AlertNotifier, args, me).await?;
        Ok(r.get_cell())
    }

    async fn spawn_receiver(&self, me: ActorCell) -> Result<ActorCell, ActorProcessingErr> {
        let args = ReceiverArgs {
            listener: self.args.listener.try_clone()?,
            state: self.args.state.clone(),
            drain: Duration::from_secs(10),
        };
        let (r, _) = Actor::spawn_linked(None, WebhookReceiver, args, me).await?;
        Ok(r.get_cell())
    }

    async fn stop_children(&mut self) {
        let order = [
            Child::Receiver,
            Child::Alerts,
            Child::FeedHooks,
            Child::Sync,
            Child::Consumer,
            Child::Writers,
            Child::Compactor,
            Child::Relay,
            Child::Bridge,
            Child::LogSink,
        ];
        for child in order {
            let Some(cell) = self.cells.remove(&child) else {
                continue;
            };
            if child == Child::Writers {
                // Let the writers finish the batches they hold; then wait for all permits
                // to come back, which means every dispatched batch has been written or nak'ed.
                let total = self.args.config.writer.batches_in_flight();
                let _ = tokio::time::timeout(
                    Duration::from_secs(15),
                    self.in_flight.acquire_many(total as u32),
                )
                .await;
            }
            if child == Child::LogSink {
                let _ = ractor::cast!(
                    ActorRef::<LogSinkMsg>::from(cell.clone()),
                    LogSinkMsg::Flush
                );
            }
            let _ = cell
                .stop_and_wait(Some("shutdown".into()), Some(Duration::from_secs(15)))
                .await;
            self.args.state.components.down(child.name(), None, false);
        }
        self.args.bridge_slot.clear();
        self.relay.clear();
        let _ = tokio::time::timeout(Duration::from_secs(2), self.args.client.flush()).await;
    }
}
