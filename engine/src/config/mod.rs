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
//! Environment overrides win over the file: `XENO_POSTGRES_URL`, `XENO_NATS_URL`, `XENO_LISTEN`.
//! How to run the engine with a config: `docs/operations.md`.

mod error;
mod raw;
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
pub use secret::Secret;
pub use types::{
    ApiTokenConfig, Config, NatsConfig, PostgresConfig, ServerConfig, ShopConfig, SyncConfig,
    WriterConfig, DEFAULT_API_VERSION,
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

    /// Parses and validates TOML text; `env` supplies environment variables (tests pass a map).
    pub fn from_toml(
        text: &str,
        origin: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: origin.to_string(),
            message: e.to_string().trim().to_string(),
        })?;
        Self::from_raw(raw, env)
    }

    /// Validates a parsed file, collecting every problem with its key path.
    pub fn from_raw(
        raw: RawConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut v = Validator::default();
        let server = sections::server(&mut v, raw.server, env);
        let postgres = sections::postgres(&mut v, raw.postgres, env);
        let nats = sections::nats(&mut v, raw.nats, env);
        let writer = sections::writer(&mut v, raw.writer);
        let sync = sections::sync(&mut v, raw.sync);
        let (shops, configured) = shops::shops(&mut v, raw.shops, sync.reconcile_every, env);
        let api_tokens = shops::api_tokens(&mut v, raw.api_tokens, &configured, env);
        if !v.issues.is_empty() {
            return Err(ConfigError::Invalid(v.issues));
        }
        Ok(Config {
            server,
            postgres,
            nats,
            writer,
            sync,
            shops,
            api_tokens,
        })
    }
}
