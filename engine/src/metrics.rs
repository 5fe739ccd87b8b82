//! Every metric the engine exports, defined in one place. `/metrics` encodes this registry in
//! Prometheus text format and `/api/health` reads the same counters, so the dashboard and
//! Prometheus never disagree.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ShopLabels {
    pub shop: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResourceLabels {
    pub shop: String,
    pub resource: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ActorLabels {
    pub actor: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FeedHookLabels {
    /// The `[[feed_webhooks]]` target's name.
    pub target: String,
    /// `delivered`, `refused` (an attempt), `dead_lettered`.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DependencyLabels {
    /// `postgres` or `nats` ([`Dependency::label`]).
    pub dependency: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RoleLabels {
    /// `edge`, `writer`, `sync` or `api` (`engine/src/config/roles.rs`).
    pub role: String,
}

/// What the engine cannot work without, as `dependency_up` labels them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dependency {
    Postgres,
    Nats,
}

impl Dependency {
    pub fn label(self) -> &'static str {
        match self {
            Dependency::Postgres => "postgres",
            Dependency::Nats => "nats",
        }
    }
}

/// A gauge of a fractional value (a Unix timestamp, bucket points) an integer one would truncate.
pub type FloatGauge = Gauge<f64, AtomicU64>;

/// The engine's counters, gauges and histograms.
pub struct Metrics {
    registry: Registry,
    /// Webhook requests by outcome (`accepted`, `duplicate`, `unauthorized`, `bad_request`,
    /// `too_large`, `unavailable`).
    pub webhooks: Family<OutcomeLabels, Counter>,
    /// Webhooks accepted per shop (the dashboard's per-shop activity).
    pub webhooks_by_shop: Family<ShopLabels, Counter>,
    /// Seconds from request start to 200 (the PubAck wait dominates).
    pub webhook_ack_seconds: Histogram,
    /// Messages published to JetStream, and publishes that failed or timed out.
    pub published: Counter,
    pub publish_failures: Counter,
    /// Messages the writers handled, by outcome (`applied`, `stale`, `duplicate`,
    /// `unknown_topic`, `dead_lettered`, `retried`).
    pub writer_messages: Family<OutcomeLabels, Counter>,
    /// Batches committed and their duration.
    pub writer_batches: Counter,
    pub writer_batch_seconds: Histogram,
    pub dead_letters: Counter,
    /// Supervisor restarts per actor.
    pub actor_restarts: Family<ActorLabels, Counter>,
    /// Live-log events dropped because the sink fell behind (never blocks the engine).
    pub log_events_dropped: Counter,
    /// Messages in the stream not yet acknowledged by the writers (consumer lag).
    pub consumer_pending: Gauge,
    /// Messages delivered to writers and not yet acknowledged.
    pub consumer_ack_pending: Gauge,
    /// Mirrored GraphQL bucket per shop.
    pub bucket_available: Family<ShopLabels, FloatGauge>,
    pub bucket_maximum: Family<ShopLabels, FloatGauge>,
    /// Records fetched by syncs per shop, and the time syncs spent waiting on the bucket.
    pub sync_records: Family<ShopLabels, Counter>,
    pub sync_throttle_wait_seconds: Family<ShopLabels, Counter<f64, AtomicU64>>,
    /// Shopify's count minus the stored live rows at the last completeness comparison
    /// (`engine/src/sync/completeness.rs`): positive when rows are missing.
    pub count_difference: Family<ResourceLabels, Gauge>,
    /// When each shop's last sync run completed, its failed runs, and how many failed in a
    /// row since the last success (set by `engine/src/sync/shop_sync.rs` when a run ends).
    pub sync_last_success_timestamp_seconds: Family<ShopLabels, FloatGauge>,
    pub sync_failures: Family<ShopLabels, Counter>,
    pub sync_consecutive_failures: Family<ShopLabels, Gauge>,
    /// When each shop's copy was last reconciled with Shopify (a completed run: an
    /// incremental one re-reads what changed and sweeps deletions, a full one reads all), and
    /// the shop's `reconcile_every` in seconds, so a rule can say "overdue" without the config.
    pub reconcile_last_success_timestamp_seconds: Family<ShopLabels, FloatGauge>,
    pub reconcile_interval_seconds: Family<ShopLabels, Gauge>,
    /// Objects a reconciliation found missing, stale or deleted in Shopify but live in
    /// PostgreSQL, and re-published: webhooks that never arrived.
    pub reconcile_repaired: Family<ResourceLabels, Counter>,
    /// Webhook topics whose subscription is missing or points elsewhere, per shop, at the
    /// doctor's last check (`engine/src/doctor/checks.rs`).
    pub subscriptions_missing: Family<ShopLabels, Gauge>,
    /// Dead letters not yet replayed, engine-wide (`engine/src/ops_probe.rs` counts them).
    pub dead_letters_open: Gauge,
    /// 1 when the last probe of the dependency answered, 0 when it did not (`ops_probe.rs`).
    pub dependency_up: Family<DependencyLabels, Gauge>,
    /// The JetStream stream's messages and bytes, and its limits (-1: no limit), as the last
    /// probe read them.
    pub stream_messages: Gauge,
    pub stream_bytes: Gauge,
    pub stream_max_messages: Gauge,
    pub stream_max_bytes: Gauge,
    /// Changes the relay published to the change feed (`engine/src/feed/relay.rs`).
    pub feed_published: Counter,
    /// Changes committed and not yet published (the outbox's rows at the relay's last pass).
    pub feed_outbox_depth: Gauge,
    /// Deliveries to `[[feed_webhooks]]` targets by outcome (`engine/src/feed/webhooks.rs`).
    pub feed_webhooks: Family<FeedHookLabels, Counter>,
    /// 1 for each role this process runs (set once at start, `engine/src/engine.rs`).
    pub process_roles: Family<RoleLabels, Gauge>,
    /// Processes of the deployment alive in the process registry running each role
    /// (`engine/src/process_registry.rs`, every heartbeat); 0 when none runs it.
    pub roles_seen: Family<RoleLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric at zero, registered under the `xeno_` prefix in the order `/metrics` lists them.
    pub fn new() -> Metrics {
        let m = Metrics {
            webhooks: Family::default(),
            webhooks_by_shop: Family::default(),
            webhook_ack_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 18)),
            published: Counter::default(),
            publish_failures: Counter::default(),
            writer_messages: Family::default(),
            writer_batches: Counter::default(),
            writer_batch_seconds: Histogram::new(exponential_buckets(0.0005, 2.0, 16)),
            dead_letters: Counter::default(),
            actor_restarts: Family::default(),
            log_events_dropped: Counter::default(),
            consumer_pending: Gauge::default(),
            consumer_ack_pending: Gauge::default(),
            bucket_available: Family::default(),
            bucket_maximum: Family::default(),
            sync_records: Family::default(),
            sync_throttle_wait_seconds: Family::default(),
            count_difference: Family::default(),
            sync_last_success_timestamp_seconds: Family::default(),
            sync_failures: Family::default(),
            sync_consecutive_failures: Family::default(),
            reconcile_last_success_timestamp_seconds: Family::default(),
            reconcile_interval_seconds: Family::default(),
            reconcile_repaired: Family::default(),
            subscriptions_missing: Family::default(),
            dead_letters_open: Gauge::default(),
            dependency_up: Family::default(),
            stream_messages: Gauge::default(),
            stream_bytes: Gauge::default(),
            stream_max_messages: Gauge::default(),
            stream_max_bytes: Gauge::default(),
            feed_published: Counter::default(),
            feed_outbox_depth: Gauge::default(),
            feed_webhooks: Family::default(),
            process_roles: Family::default(),
            roles_seen: Family::default(),
            registry: Registry::default(),
        };
        let mut registry = Registry::with_prefix("xeno");
        m.register_ingest(&mut registry);
        m.register_writer(&mut registry);
        m.register_health(&mut registry);
        m.register_sync(&mut registry);
        m.register_operations(&mut registry);
        m.register_feed(&mut registry);
        m.register_roles(&mut registry);
        Metrics { registry, ..m }
    }

    /// The roles of this process and of the deployment (`engine/src/config/roles.rs`).
    fn register_roles(&self, registry: &mut Registry) {
        registry.register(
            "process_roles",
            "1 for each role this process runs",
            self.process_roles.clone(),
        );
        registry.register(
            "roles_seen",
            "Processes alive in the process registry running each role",
            self.roles_seen.clone(),
        );
    }

    /// Webhooks received and their publishes to JetStream.
    fn register_ingest(&self, registry: &mut Registry) {
        registry.register(
            "webhooks",
            "Webhook requests by outcome",
            self.webhooks.clone(),
        );
        registry.register(
            "webhooks_by_shop",
            "Webhooks accepted per shop",
            self.webhooks_by_shop.clone(),
        );
        registry.register(
            "webhook_ack_seconds",
            "Time from webhook request to 200 (after JetStream PubAck)",
            self.webhook_ack_seconds.clone(),
        );
        registry.register(
            "published",
            "Messages published to JetStream",
            self.published.clone(),
        );
        registry.register(
            "publish_failures",
            "JetStream publishes that failed or timed out",
            self.publish_failures.clone(),
        );
    }

    /// What the UpsertWriters handled and committed.
    fn register_writer(&self, registry: &mut Registry) {
        registry.register(
            "writer_messages",
            "Messages handled by the UpsertWriters by outcome",
            self.writer_messages.clone(),
        );
        registry.register(
            "writer_batches",
            "Batches committed",
            self.writer_batches.clone(),
        );
        registry.register(
            "writer_batch_seconds",
            "Time to write and commit one batch",
            self.writer_batch_seconds.clone(),
        );
        registry.register(
            "dead_letters",
            "Messages moved to dead_letters",
            self.dead_letters.clone(),
        );
    }

    /// Restarts, dropped log events and consumer lag: what `/api/health` shows.
    fn register_health(&self, registry: &mut Registry) {
        registry.register(
            "actor_restarts",
            "Supervisor restarts per actor",
            self.actor_restarts.clone(),
        );
        registry.register(
            "log_events_dropped",
            "Live-log events dropped because the sink fell behind",
            self.log_events_dropped.clone(),
        );
        registry.register(
            "consumer_pending",
            "Stream messages not yet delivered to the writers (lag)",
            self.consumer_pending.clone(),
        );
        registry.register(
            "consumer_ack_pending",
            "Messages delivered to writers and not yet acknowledged",
            self.consumer_ack_pending.clone(),
        );
    }

    /// Syncs: the mirrored rate-limit bucket, records fetched, time throttled.
    fn register_sync(&self, registry: &mut Registry) {
        registry.register(
            "bucket_available",
            "GraphQL rate-limit points currently available per shop",
            self.bucket_available.clone(),
        );
        registry.register(
            "bucket_maximum",
            "GraphQL rate-limit bucket size per shop",
            self.bucket_maximum.clone(),
        );
        registry.register(
            "sync_records",
            "Records fetched by syncs per shop",
            self.sync_records.clone(),
        );
        registry.register(
            "sync_throttle_wait_seconds",
            "Seconds syncs waited for the rate-limit bucket per shop",
            self.sync_throttle_wait_seconds.clone(),
        );
        registry.register(
            "count_difference",
            "Shopify's count minus the stored rows per shop and resource, at the last comparison",
            self.count_difference.clone(),
        );
    }

    /// What the alert rules (`ops/prometheus/alerts.yml`) watch besides the above: sync and
    /// reconciliation outcomes, subscriptions, dead letters, dependencies, the stream's fill.
    fn register_operations(&self, registry: &mut Registry) {
        registry.register(
            "sync_last_success_timestamp_seconds",
            "Unix time the shop's last sync run completed",
            self.sync_last_success_timestamp_seconds.clone(),
        );
        registry.register(
            "sync_failures",
            "Sync runs that ended in an error per shop",
            self.sync_failures.clone(),
        );
        registry.register(
            "sync_consecutive_failures",
            "Sync runs failed in a row since the shop's last completed one",
            self.sync_consecutive_failures.clone(),
        );
        registry.register(
            "reconcile_last_success_timestamp_seconds",
            "Unix time the shop's copy was last reconciled with Shopify",
            self.reconcile_last_success_timestamp_seconds.clone(),
        );
        registry.register(
            "reconcile_interval_seconds",
            "The shop's configured reconciliation interval (reconcile_every)",
            self.reconcile_interval_seconds.clone(),
        );
        registry.register(
            "reconcile_repaired",
            "Objects a reconciliation found missing, stale or deleted and re-published",
            self.reconcile_repaired.clone(),
        );
        registry.register(
            "subscriptions_missing",
            "Webhook topics not subscribed to this engine at the doctor's last check",
            self.subscriptions_missing.clone(),
        );
        registry.register(
            "dead_letters_open",
            "Dead letters not yet replayed",
            self.dead_letters_open.clone(),
        );
        registry.register(
            "dependency_up",
            "Whether the dependency answered the last probe (1) or not (0)",
            self.dependency_up.clone(),
        );
        registry.register(
            "stream_messages",
            "Messages in the JetStream stream",
            self.stream_messages.clone(),
        );
        registry.register(
            "stream_bytes",
            "Bytes in the JetStream stream",
            self.stream_bytes.clone(),
        );
        registry.register(
            "stream_max_messages",
            "The stream's message limit (-1: none)",
            self.stream_max_messages.clone(),
        );
        registry.register(
            "stream_max_bytes",
            "The stream's byte limit (-1: none)",
            self.stream_max_bytes.clone(),
        );
    }

    /// The change feed's relay (`engine/src/feed/relay.rs`).
    fn register_feed(&self, registry: &mut Registry) {
        registry.register(
            "feed_published",
            "Changes published to the change feed",
            self.feed_published.clone(),
        );
        registry.register(
            "feed_outbox_depth",
            "Changes committed and not yet published to the change feed",
            self.feed_outbox_depth.clone(),
        );
        registry.register(
            "feed_webhooks",
            "Change deliveries to feed webhook targets by outcome",
            self.feed_webhooks.clone(),
        );
    }

    /// The registry in Prometheus text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }

    pub fn webhook(&self, outcome: &str) {
        self.webhooks
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    pub fn feed_webhook(&self, target: &str, outcome: &str) {
        self.feed_webhooks
            .get_or_create(&FeedHookLabels {
                target: target.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    pub fn writer(&self, outcome: &str, n: u64) {
        self.writer_messages
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .inc_by(n);
    }

    /// Sets whether `dependency` answered its last probe.
    pub fn dependency(&self, dependency: Dependency, up: bool) {
        self.dependency_up
            .get_or_create(&DependencyLabels {
                dependency: dependency.label().to_string(),
            })
            .set(i64::from(up));
    }

    /// Sets `xeno_process_roles`: 1 for each role of `roles`, 0 for the others; and exports
    /// `xeno_roles_seen` for every role (0 until the registry's first heartbeat counts them,
    /// well inside the `XenoRoleMissing` alert's 2 minutes).
    pub fn process_roles(&self, roles: crate::config::Roles) {
        for role in crate::config::Role::ALL {
            let labels = RoleLabels {
                role: role.name().to_string(),
            };
            self.process_roles
                .get_or_create(&labels)
                .set(i64::from(roles.has(role)));
            let _ = self.roles_seen.get_or_create(&labels);
        }
    }

    /// Sets `xeno_roles_seen{role}` to the count of live processes running each role.
    pub fn roles_seen(&self, counts: &[(crate::config::Role, i64)]) {
        for (role, count) in counts {
            self.roles_seen
                .get_or_create(&RoleLabels {
                    role: role.name().to_string(),
                })
                .set(*count);
        }
    }

    /// Current value of a labelled outcome counter (for `/api/health`).
    pub fn outcome_count(family: &Family<OutcomeLabels, Counter>, outcome: &str) -> u64 {
        family
            .get_or_create(&OutcomeLabels {
                outcome: outcome.to_string(),
            })
            .get()
    }
}
