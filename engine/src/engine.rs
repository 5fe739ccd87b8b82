//! Starting and stopping a whole engine: connect (lazily, so a missing PostgreSQL or NATS
//! does not stop the start), migrate, bind, spawn the root supervisor, the doctor's periodic
//! checks (`doctor/monitor.rs`), the operations probe (`ops_probe.rs`) and the process
//! registry's heartbeat (`process_registry.rs`).
//!
//! `xeno run` calls [`Engine::start`] and waits for a signal; black-box tests start engines
//! in-process the same way.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use ractor::{Actor, ActorRef};

use crate::bus::bridge::{self, BridgeHandle};
use crate::bus::names::Names;
use crate::config::Config;
use crate::doctor::{self, monitor::LatestReport};
use crate::http::state::{AppState, Components};
use crate::log_sink;
use crate::metrics::Metrics;
use crate::ops_probe;
use crate::process_registry;
use crate::slot::Slot;
use crate::supervisor::{RootArgs, RootMsg, RootSupervisor};

/// A running engine.
pub struct Engine {
    addr: SocketAddr,
    root: ActorRef<RootMsg>,
    handle: tokio::task::JoinHandle<()>,
    state: AppState,
    /// The doctor's periodic checks (`doctor/monitor.rs`), aborted on shutdown.
    doctor: tokio::task::JoinHandle<()>,
    /// The operations probe (`ops_probe.rs`), aborted on shutdown.
    probe: tokio::task::JoinHandle<()>,
    /// The process registry's heartbeat (`process_registry.rs`), aborted on shutdown.
    registry: tokio::task::JoinHandle<()>,
    /// This process's id in the registry, whose row a clean stop removes.
    process_id: String,
}

impl Engine {
    /// Starts an engine for `config`. PostgreSQL must answer for the migrations; NATS may be
    /// down (webhooks get 503 until it is back).
    pub async fn start(config: Config) -> anyhow::Result<Engine> {
        let config = Arc::new(config);
        let pool = crate::db::pool(&config.postgres.url, config.postgres.pool_size)?;
        crate::db::migrate(&pool)
            .await
            .with_context(|| "applying migrations from sql/ (is PostgreSQL reachable?)")?;

        let client = async_nats::ConnectOptions::new()
            .name("xeno-engine")
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(2))
            .max_reconnects(None)
            .reconnect_delay_callback(|attempt| {
                Duration::from_millis((100 * 2u64.saturating_pow(attempt.min(5) as u32)).min(2000))
            })
            .connect(config.nats.servers())
            .await
            .with_context(|| format!("invalid NATS url {}", config.nats.url))?;
        let js = bridge::context(&client, config.server.publish_timeout);
        let names = Names::new(&config.nats.stream);
        let metrics = Arc::new(Metrics::new());
        metrics.process_roles(config.server.roles);
        let log = log_sink::global_hub();
        let bridge_slot = Slot::default();
        let bridge_ready = Arc::new(AtomicBool::new(false));

        let listener = std::net::TcpListener::bind(config.server.listen)
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let addr = listener.local_addr()?;

        let started_at = chrono::Utc::now();
        let state = AppState {
            config: config.clone(),
            pool: pool.clone(),
            bridge: BridgeHandle::new(
                bridge_slot.clone(),
                config.server.publish_timeout,
                bridge_ready.clone(),
            ),
            nats: client.clone(),
            js: js.clone(),
            names: names.clone(),
            metrics: metrics.clone(),
            log: log.clone(),
            components: Components::default(),
            started_at,
            last_webhook: Arc::new(Mutex::new(Default::default())),
            doctor: LatestReport::default(),
            alerts: Default::default(),
        };
        let doctor = doctor::monitor::spawn(config.clone(), metrics.clone(), state.doctor.clone());
        let probe = ops_probe::spawn(ops_probe::ProbeTargets {
            pool: pool.clone(),
            js: js.clone(),
            names: names.clone(),
            metrics: metrics.clone(),
        });
        let me = process_registry::Identity::current(config.server.roles, started_at);
        let process_id = me.id.clone();
        let registry = process_registry::spawn(pool.clone(), me, metrics.clone());

        let (root, handle) = Actor::spawn(
            None,
            RootSupervisor,
            RootArgs {
                config: config.clone(),
                pool,
                client,
                js,
                names,
                metrics,
                log,
                bridge_slot,
                bridge_ready,
                listener,
                state: state.clone(),
            },
        )
        .await
        .context("starting the actors")?;
        tracing::info!(listen = %addr, stream = %config.nats.stream, shops = config.shops.len(), roles = %config.server.roles, "engine started");
        Ok(Engine {
            addr,
            root,
            handle: tokio::spawn(async move {
                let _ = handle.await;
            }),
            state,
            doctor,
            probe,
            registry,
            process_id,
        })
    }

    /// The address the HTTP server listens on (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The running actor of one of the root supervisor's children.
    pub async fn child(&self, child: crate::supervisor::Child) -> Option<ractor::ActorCell> {
        ractor::call_t!(self.root, RootMsg::Child, 5_000, child)
            .ok()
            .flatten()
    }

    /// Graceful stop: stop accepting, finish in-flight requests, drain the writers, flush.
    pub async fn shutdown(self) {
        self.doctor.abort();
        self.probe.abort();
        self.registry.abort();
        let _ = ractor::call_t!(self.root, RootMsg::Shutdown, 60_000);
        let _ = self.handle.await;
        process_registry::remove(&self.state.pool, &self.process_id).await;
    }

    /// Resolves when the engine stops by itself (restart budget exhausted).
    pub async fn stopped(&mut self) {
        let _ = (&mut self.handle).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM (what service managers and `timeout` send).
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
