//! Engine configuration: one TOML file, many shops. Parse, then validate.
//!
//! - `raw.rs`: [`RawConfig`] mirrors the file (`deny_unknown_fields`, so a typo is an error,
//!   not a silent default).
//! - `types.rs`: the typed [`Config`] the engine reads (`SocketAddr`, `Url`, `Duration`,
//!   [`Secret`]s from `secret.rs`, read from the environment variables the file names).
//! - [`Config::from_raw`] (here) turns the one into the other section by section
//!   (`sections.rs` for server, PostgreSQL, NATS, writer and sync; `shops.rs` for shops and
//!   API tokens) with the shared checks of `validator.rs`, and reports *every* problem at once,
//!   each with its key path ([`ConfigError`], `error.rs`), so `xeno check-config` can list
//!   them all.
//!
//! [`Config::load_lenient`] lets an unsupported `api_version` through as an issue, for `xeno
//! doctor` to report. Environment overrides win over the file: `XENO_POSTGRES_URL`, `XENO_NATS_URL`, `XENO_LISTEN`.
//! How to run the engine with a config: `docs/operations.md`.

mod alerting;
mod error;
pub(crate) mod feed_webhooks;
mod raw;
mod roles;
mod secret;
mod sections;
mod shops;
mod types;
mod validator;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use error::{ConfigError, ConfigIssue};
pub use raw::{
    RawApiToken, RawConfig, RawNats, RawPostgres, RawServer, RawShop, RawSync, RawWriter,
};
pub use roles::{Role, Roles};
pub use secret::Secret;
pub use shops::DEFAULT_RECONCILE_LOOKBACK;
pub use types::{
    AlertTarget, AlertingConfig, ApiTokenConfig, Config, FeedWebhook, NatsConfig, PostgresConfig,
    ResourceChoice, ServerConfig, ShopConfig, SyncConfig, WriterConfig, DEFAULT_API_VERSION,
};

use validator::Validator;

impl Config {
    /// Reads, parses and validates `path`, with environment overrides applied.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string(), &|k| {
            std::env::var(k).ok()
        })
    }

    /// Like [`Config::load`], except that a shop's unsupported `api_version` (retired,
    /// unreleased, malformed) does not fail the load: it comes back as an issue beside the
    /// config, with the version kept as written. `xeno doctor` reports it as a finding; `run`
    /// and `check-config` keep refusing it.
    pub fn load_lenient(path: &Path) -> Result<(Config, Vec<ConfigIssue>), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let raw = parse(&text, &path.display().to_string())?;
        Self::build(raw, &|k| std::env::var(k).ok(), Tolerate::ApiVersions)
    }

    /// Parses and validates TOML text; `env` supplies environment variables (tests pass a map).
    pub fn from_toml(
        text: &str,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Self::from_raw(parse(text, origin)?, env)
    }

    /// Validates a parsed file, collecting every problem with its key path.
    pub fn from_raw(
        raw: RawConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Self::build(raw, env, Tolerate::Nothing).map(|(config, _)| config)
    }

    /// Validates a parsed file; the issues `tolerate` names are returned beside the config
    /// instead of failing it.
    fn build(
        raw: RawConfig,
        env: &dyn Fn(&str) -> Option<String>,
        tolerate: Tolerate,
    ) -> Result<(Config, Vec<ConfigIssue>), ConfigError> {
        let mut v = Validator::default();
        let server = sections::server(&mut v, raw.server, env);
        let postgres = sections::postgres(&mut v, raw.postgres, env);
        let nats = sections::nats(&mut v, raw.nats, env);
        let writer = sections::writer(&mut v, raw.writer);
        let sync = sections::sync(&mut v, raw.sync);
        let (shops, configured) = shops::shops(&mut v, raw.shops, sync.reconcile_every, env);
        let api_tokens = shops::api_tokens(&mut v, raw.api_tokens, &configured, env);
        let alerting = alerting::alerting(&mut v, raw.alerting, raw.alerts, env);
        let feed_webhooks = feed_webhooks::feed_webhooks(&mut v, raw.feed_webhooks, env);
        let (tolerated, fatal): (Vec<ConfigIssue>, Vec<ConfigIssue>) =
            v.issues.into_iter().partition(|i| tolerate.tolerates(i));
        if !fatal.is_empty() {
            return Err(ConfigError::Invalid(fatal));
        }
        let config = Config {
            server,
            postgres,
            nats,
            writer,
            sync,
            shops,
            api_tokens,
            alerting,
            feed_webhooks,
        };
        Ok((config, tolerated))
    }
}

/// Which issues a load lets through.
#[derive(Clone, Copy)]
enum Tolerate {
    Nothing,
    /// `shops[i].api_version`: the shop is kept with the version as written.
    ApiVersions,
}

impl Tolerate {
    fn tolerates(self, issue: &ConfigIssue) -> bool {
        match self {
            Tolerate::Nothing => false,
            Tolerate::ApiVersions => {
                issue.path.starts_with("shops[") && issue.path.ends_with("].api_version")
            }
        }
    }
}

fn parse(text: &str, origin: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: origin.to_string(),
        message: e.to_string().trim().to_string(),
    })
}
