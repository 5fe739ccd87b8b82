//! The config file as written: one struct per TOML table, every field optional where the file
//! may leave it out, and `deny_unknown_fields` everywhere so a typo is an error naming the key,
//! not a silent default. The validator (`validator.rs`, `sections.rs`, `shops.rs`) turns these
//! into the typed config of `types.rs`.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub server: RawServer,
    #[serde(default)]
    pub postgres: RawPostgres,
    #[serde(default)]
    pub nats: RawNats,
    #[serde(default)]
    pub writer: RawWriter,
    #[serde(default)]
    pub sync: RawSync,
    #[serde(default)]
    pub shops: Vec<RawShop>,
    #[serde(default)]
    pub api_tokens: Vec<RawApiToken>,
    #[serde(default)]
    pub alerting: RawAlerting,
    #[serde(default)]
    pub alerts: Vec<RawAlertTarget>,
    #[serde(default)]
    pub feed_webhooks: Vec<RawFeedWebhook>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub max_body_bytes: Option<u64>,
    pub publish_timeout: Option<String>,
    pub request_timeout: Option<String>,
    pub cors_origins: Option<Vec<String>>,
    pub max_connections: Option<u64>,
    pub roles: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPostgres {
    pub url: Option<String>,
    pub pool_size: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNats {
    pub url: Option<String>,
    pub stream: Option<String>,
    pub replicas: Option<u64>,
    pub duplicate_window: Option<String>,
    pub max_age: Option<String>,
    pub changes_max_age: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWriter {
    pub workers: Option<u64>,
    pub batch_size: Option<u64>,
    pub max_deliveries: Option<u64>,
    pub ack_wait: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSync {
    pub reconcile_every: Option<String>,
    pub page_size: Option<u64>,
    pub lease_ttl: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShop {
    pub domain: String,
    pub webhook_secret_env: Option<String>,
    pub previous_webhook_secret_env: Option<String>,
    pub access_token_env: Option<String>,
    pub admin_url: Option<String>,
    pub api_version: Option<String>,
    pub reconcile_every: Option<String>,
    pub reconcile_lookback: Option<String>,
    pub resources: Option<Vec<String>>,
    pub backfill_since: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApiToken {
    pub name: Option<String>,
    pub token_env: String,
    pub shops: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlerting {
    pub every: Option<String>,
    /// Alert name → how long its condition must hold before it fires.
    pub hold: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlertTarget {
    pub name: Option<String>,
    pub url_env: String,
    pub secret_env: Option<String>,
    pub only: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeedWebhook {
    pub name: Option<String>,
    pub url_env: String,
    pub secret_env: String,
    pub resources: Option<Vec<String>>,
    pub max_attempts: Option<u32>,
}
