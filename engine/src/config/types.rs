//! The typed, validated config every part of the engine reads: addresses, URLs, durations and
//! secrets already parsed, defaults already applied. Built from the file (`raw.rs`) by
//! `Config::from_raw` (`mod.rs`), which reports every problem with its key path.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Url;
use xeno_shopify::Resource;

use super::roles::Roles;
use super::secret::Secret;

#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub postgres: PostgresConfig,
    pub nats: NatsConfig,
    pub writer: WriterConfig,
    pub sync: SyncConfig,
    pub shops: Vec<ShopConfig>,
    pub api_tokens: Vec<ApiTokenConfig>,
    pub alerting: AlertingConfig,
    pub feed_webhooks: Vec<FeedWebhook>,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Where Shopify reaches this engine; webhook subscriptions point at `{public_url}/api/webhooks`.
    pub public_url: Option<Url>,
    /// Webhook bodies above this get 413. Shopify's largest orders are well under 1 MiB.
    pub max_body_bytes: usize,
    /// How long a webhook waits for JetStream's PubAck before answering 503; well inside
    /// Shopify's 5 s deadline so Shopify sees our answer, not its own time-out.
    pub publish_timeout: Duration,
    /// Whole-request bound (slow clients trickling bodies get 408).
    pub request_timeout: Duration,
    /// Origins allowed to call the API from a browser; empty = same origin only.
    pub cors_origins: Vec<String>,
    /// Concurrent connections served; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// What this process runs (`roles.rs`); all four unless `[server] roles` or `--roles`
    /// says otherwise.
    pub roles: Roles,
}

#[derive(Debug, Clone)]
pub struct PostgresConfig {
    pub url: String,
    pub pool_size: usize,
}

#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// One server, or several separated by commas (the seeds of a NATS cluster).
    pub url: String,
    /// Every JetStream name (stream, subjects, consumer, KV) derives from this.
    pub stream: String,
    pub replicas: usize,
    /// JetStream's `Nats-Msg-Id` dedupe window.
    pub duplicate_window: Duration,
    /// How long unconsumed messages are kept (a PostgreSQL outage longer than this loses data).
    pub max_age: Duration,
    /// How long the change feed's stream keeps a change (`docs/change-feed.md`).
    pub changes_max_age: Duration,
}

#[derive(Debug, Clone)]
pub struct WriterConfig {
    pub workers: usize,
    pub batch_size: usize,
    /// Deliveries after which a message that keeps failing goes to `dead_letters`.
    pub max_deliveries: u64,
    /// JetStream redelivers a message not acked within this time.
    pub ack_wait: Duration,
}

#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub reconcile_every: Duration,
    pub page_size: u32,
    /// A sync lease not renewed within this time passes to another engine process.
    pub lease_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct ShopConfig {
    /// Normalised `*.myshopify.com` domain.
    pub domain: String,
    /// Current secret first, then the previous one during a rotation window.
    pub webhook_secrets: Vec<Secret>,
    pub access_token: Option<Secret>,
    /// Admin API base (`https://{domain}` unless set, e.g. to the simulator).
    pub admin_url: Url,
    pub api_version: String,
    pub reconcile_every: Duration,
    /// How far before its watermark each reconciliation reads changes again: a change Shopify
    /// indexes late (its `updated_at` already behind the watermark when it becomes searchable)
    /// is still found. Cheap: reconciliation lists ids and times, and fetches what differs.
    pub reconcile_lookback: Duration,
    /// Which resources this shop's runs keep.
    pub resources: ResourceChoice,
    /// How far back a resource's first backfill goes (objects updated since then); `None`
    /// backfills everything.
    pub backfill_since: Option<DateTime<Utc>>,
}

/// The resources a shop keeps (`resources = [...]` in its `[[shops]]` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceChoice {
    /// Every resource the token's scopes allow (the default): one whose read scope is missing
    /// is off, which the log and `xeno doctor` say.
    Granted,
    /// Exactly these: one whose read scope is missing is an error `xeno doctor` reports.
    Listed(Vec<Resource>),
}

impl ResourceChoice {
    /// Whether `resource` may be kept (before looking at the token's scopes).
    pub fn includes(&self, resource: Resource) -> bool {
        match self {
            ResourceChoice::Granted => true,
            ResourceChoice::Listed(listed) => listed.contains(&resource),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiTokenConfig {
    pub name: String,
    pub token: Secret,
    /// Shop domains this token may see; `None` means every shop (`["*"]`).
    pub shops: Option<Vec<String>>,
}

impl WriterConfig {
    /// Batches handed to the writers and not yet written: two per writer (one being
    /// written, one waiting), so a writer never idles between batches.
    pub fn batches_in_flight(&self) -> usize {
        self.workers * 2
    }

    /// Messages JetStream may deliver before earlier ones are acked: what the writers hold
    /// plus one batch being pulled. No more, because a message delivered further ahead would
    /// wait in the client, its `ack_wait` running; when the writers are slow (a busy
    /// database) it would be redelivered before being written, and the duplicate work would
    /// slow them further.
    pub fn max_ack_pending(&self) -> usize {
        (self.batches_in_flight() + 1) * self.batch_size
    }
}

impl NatsConfig {
    /// The servers in `url`, for `connect`: with a cluster's every node listed, the engine
    /// connects (and reconnects) to whichever one is up.
    pub fn servers(&self) -> Vec<&str> {
        self.url.split(',').map(str::trim).collect()
    }
}

/// The Admin API version the engine speaks unless a shop pins another: Shopify's latest
/// stable one.
pub const DEFAULT_API_VERSION: &str = xeno_shopify::versions::LATEST_STABLE;

impl Config {
    /// The configured shop with this (normalised) domain.
    pub fn shop(&self, domain: &str) -> Option<&ShopConfig> {
        self.shops.iter().find(|s| s.domain == domain)
    }
}

/// The engine's own alerts (`[alerting]`, `[[alerts]]`; `engine/src/alerts/`).
#[derive(Debug, Clone)]
pub struct AlertingConfig {
    /// How often the conditions are evaluated.
    pub every: Duration,
    /// Per alert, how long its condition must hold before it fires, where the config changes
    /// the rule's own (`engine/src/alerts/rules.rs`).
    pub hold: std::collections::BTreeMap<&'static str, Duration>,
    /// Where alerts go; none: the engine evaluates nothing (Prometheus may still).
    pub targets: Vec<AlertTarget>,
}

/// One webhook that receives alerts.
#[derive(Debug, Clone)]
pub struct AlertTarget {
    /// Shown in logs instead of the URL.
    pub name: String,
    /// The webhook URL (a Slack incoming-webhook URL is a credential).
    pub url: Secret,
    /// Signs each message (`X-Xeno-Signature`) when set.
    pub secret: Option<Secret>,
    /// Only these alerts; `None`: every one.
    pub only: Option<Vec<&'static str>>,
}

impl AlertTarget {
    pub fn wants(&self, alert: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&alert))
    }
}

/// A system that takes the change feed as signed webhooks (`[[feed_webhooks]]`,
/// `engine/src/feed/webhooks.rs`).
#[derive(Debug, Clone)]
pub struct FeedWebhook {
    /// Names its durable JetStream consumer (`<stream>_hook_<name>`) and its log lines.
    pub name: String,
    pub url: Secret,
    /// Signs every delivery (`X-Xeno-Signature`).
    pub secret: Secret,
    /// Only changes of these; `None`: every resource.
    pub resources: Option<Vec<Resource>>,
    /// Attempts per change before it becomes a feed dead letter.
    pub max_attempts: u32,
}

impl FeedWebhook {
    pub fn wants(&self, resource: &str) -> bool {
        self.resources
            .as_ref()
            .is_none_or(|r| r.iter().any(|r| r.as_str() == resource))
    }
}
