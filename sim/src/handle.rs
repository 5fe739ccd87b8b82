//! Starting and stopping a simulator: [`Sim::start`] generates the store, binds the server
//! (`server.rs`) and starts the activity (`activity.rs`) and the webhook ticker; the
//! [`SimHandle`] it returns drives and observes the running simulator. [`run`] is `xeno sim`.

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rand::SeedableRng;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::activity;
use crate::bucket::Bucket;
use crate::config::{SimArgs, SimConfig};
use crate::generate;
use crate::graphql::bulk::operation::BulkRegistry;
use crate::graphql::executor::Api;
use crate::server;
use crate::state::Shared;
use crate::store::SimRng;
use crate::summary::Summary;
use crate::webhooks::{self, SenderIdentity, Subscriptions, WebhookSender, WebhookStats};

/// Entry point of the in-process simulator.
pub struct Sim;

impl Sim {
    /// Generates the store, binds the server and starts activity and webhooks.
    pub async fn start(config: SimConfig) -> anyhow::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let shop = generate::default_shop(&config.shop, &config.currency, config.plan);
        let sizes = generate::Sizes {
            customers: config.customers,
            products: config.products,
            orders: config.orders,
        };
        let seed = config.seed;
        let anchor = config
            .history_ends
            .map(generate::anchor_at)
            .unwrap_or_else(generate::default_anchor);
        // Shopify's schema of the latest stable version is built while the store is generated
        // (other versions at first use), so a missing artifact fails the start, not a request.
        let graphql = Api::new(Arc::new(crate::graphql::admin::builder::AdminBuilder::new(
            crate::graphql::admin::introspection::artifacts_dir(),
            crate::graphql::roots::table(),
        )));
        let schema_ready = {
            let graphql = graphql.clone();
            tokio::task::spawn_blocking(move || {
                graphql.version(xeno_shopify::versions::LATEST_STABLE)
            })
        };
        let (store, activity_rng) = tokio::task::spawn_blocking(move || {
            generate::generate_ending(shop, seed, sizes, anchor)
        })
        .await?;
        schema_ready.await?.map_err(anyhow::Error::msg)?;
        let webhooks = webhook_sender(&config);
        let now = tokio::time::Instant::now();
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            store: RwLock::new(store),
            activity_rng: Mutex::new(activity_rng),
            fault_rng: Mutex::new(SimRng::seed_from_u64(config.seed.wrapping_add(0xFA17))),
            webhooks,
            graphql_bucket: Mutex::new(Bucket::graphql(config.plan.restore_rate(), now)),
            rest_bucket: Mutex::new(Bucket::new(40.0, config.plan.rest_leak_rate(), now)),
            bulk: Mutex::new(BulkRegistry::default()),
            graphql,
            paused: Mutex::new(false),
            fail_next_bulk: AtomicBool::new(config.api_faults.fail_bulk),
            config,
        });
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let app = server::router(shared.clone());
        let mut rx = shutdown_rx.clone();
        tasks.push(tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "simulator server stopped");
            }
        }));
        tasks.push(tokio::spawn(activity::run(
            shared.clone(),
            shared.config.rate,
            shared.config.burst.max(1),
            shutdown_rx.clone(),
        )));
        let ticker_shared = shared.clone();
        let mut rx = shutdown_rx;
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = tick.tick() => ticker_shared.webhooks.release_held(false),
                    _ = rx.changed() => return,
                }
            }
        }));
        tracing::info!(%addr, shop = %shared.config.shop, seed = shared.config.seed, "simulator started");
        Ok(SimHandle {
            shared,
            addr,
            shutdown_tx,
            tasks,
        })
    }
}

/// The webhook sender of a new simulator, with the catch-all subscription of `--webhook-url`.
fn webhook_sender(config: &SimConfig) -> WebhookSender {
    let mut subscriptions = Subscriptions::default();
    subscriptions.set_flag_url(config.webhook_url.as_deref());
    WebhookSender::new(
        SenderIdentity {
            shop_domain: config.shop.clone(),
            secret: config.webhook_secret.clone(),
            api_version: config.api_version.clone(),
        },
        config.webhook_faults,
        config.retry_scale,
        config.webhook_concurrency,
        config.seed,
        Arc::new(Mutex::new(subscriptions)),
    )
}

/// A running simulator.
pub struct SimHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://<addr>`: prefix of `/admin/api/...` and `/_sim/...`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }
    /// The shared state (for tests and tools inside the crate's users).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
    /// Points the catch-all subscription at `url` (or removes it). API-made subscriptions stay.
    pub fn set_webhook_url(&self, url: Option<String>) {
        webhooks::lock(self.shared.webhooks.subscriptions()).set_flag_url(url.as_deref());
    }
    /// Counts of the store now.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.shared.store.read().unwrap_or_else(|e| e.into_inner()))
    }
    /// Stops live activity (the API and webhook retries keep going). When this returns,
    /// every change already applied has its webhooks counted, so `webhook_stats` after
    /// `webhooks_idle` is final.
    pub fn pause_activity(&self) {
        *crate::webhooks::lock(&self.shared.paused) = true;
    }
    /// Restarts live activity.
    pub fn resume_activity(&self) {
        *crate::webhooks::lock(&self.shared.paused) = false;
    }
    /// Applies `n` random store changes now, emitting their webhooks; returns how many took.
    pub fn trigger(&self, n: usize) -> usize {
        activity::apply_random_changes(&self.shared, n)
    }
    /// The webhook sender's counters.
    pub fn webhook_stats(&self) -> WebhookStats {
        self.shared.webhooks.stats()
    }
    /// Waits until no webhook delivery is pending (held, in flight or awaiting a retry), or
    /// `timeout` passes; true when idle.
    pub async fn webhooks_idle(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.shared.webhooks.stats().outstanding > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
    /// Stops the server, the activity, the tickers and pending webhook retries.
    pub async fn shutdown(self) {
        let _ = self.shutdown_tx.send(true);
        self.shared.webhooks.close();
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// `xeno sim`: runs the simulator until Ctrl-C.
pub async fn run(args: SimArgs) -> anyhow::Result<()> {
    let config = args.into_config()?;
    let handle = Sim::start(config).await?;
    let s = handle.summary();
    tracing::info!(
        url = %handle.base_url(),
        customers = s.customers,
        products = s.products,
        orders = s.orders,
        "simulator ready (Ctrl-C to stop)"
    );
    println!(
        "xeno sim listening on {} (GraphQL: {}/admin/api/<version>/graphql.json)",
        handle.base_url(),
        handle.base_url()
    );
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}
