//! Engine configuration: one TOML file, many shops. Parse, then validate.
//!
//! [`RawConfig`] mirrors the file (`deny_unknown_fields`, so a typo is an error, not a silent
//! default). [`Config::from_raw`] turns it into typed values (`SocketAddr`, `Url`, `Duration`,
//! secrets read from the environment variables the file names) and reports *every* problem at
//! once, each with its key path, so `xeno check-config` can list them all.
//!
//! Environment overrides win over the file: `XENO_POSTGRES_URL`, `XENO_NATS_URL`, `XENO_LISTEN`.

use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;
use thiserror::Error;

/// A secret read from the environment. Its `Debug` and `Display` never show the value, so a
/// config can be logged whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's bytes, for HMAC keys and constant-time comparisons only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One problem in a config, with the key path it concerns (`shops[1].domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{} problem(s) in the config:\n{}", .0.len(), .0.iter().map(|i| format!("  - {i}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<ConfigIssue>),
}

impl ConfigError {
    /// Every problem found, one per line, for `check-config`.
    pub fn issues(&self) -> Vec<String> {
        match self {
            ConfigError::Invalid(issues) => issues.iter().map(|i| i.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The file as written.

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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApiToken {
    pub name: Option<String>,
    pub token_env: String,
    pub shops: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// The typed, validated config.

#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub postgres: PostgresConfig,
    pub nats: NatsConfig,
    pub writer: WriterConfig,
    pub sync: SyncConfig,
    pub shops: Vec<ShopConfig>,
    pub api_tokens: Vec<ApiTokenConfig>,
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

/// The Admin API version the engine speaks unless a shop pins another.
pub const DEFAULT_API_VERSION: &str = "2025-07";

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

        let listen_text = env("XENO_LISTEN")
            .map(|l| ("XENO_LISTEN".to_string(), l))
            .unwrap_or_else(|| {
                (
                    "server.listen".to_string(),
                    raw.server
                        .listen
                        .clone()
                        .unwrap_or_else(|| "127.0.0.1:4000".into()),
                )
            });
        let listen = v.check(
            &listen_text.0,
            listen_text.1.parse::<SocketAddr>().map_err(|e| {
                format!(
                    "`{}` is not an address like 127.0.0.1:4000 ({e})",
                    listen_text.1
                )
            }),
        );
        let public_url = raw
            .server
            .public_url
            .as_deref()
            .and_then(|u| v.check("server.public_url", parse_http_url(u)));
        let server = ServerConfig {
            listen: listen.unwrap_or_else(|| ([127, 0, 0, 1], 4000).into()),
            public_url,
            max_body_bytes: v.positive(
                "server.max_body_bytes",
                raw.server.max_body_bytes,
                5 * 1024 * 1024,
            ) as usize,
            publish_timeout: v.duration(
                "server.publish_timeout",
                raw.server.publish_timeout.as_deref(),
                Duration::from_secs(3),
            ),
            request_timeout: v.duration(
                "server.request_timeout",
                raw.server.request_timeout.as_deref(),
                Duration::from_secs(10),
            ),
            cors_origins: raw.server.cors_origins.unwrap_or_default(),
            max_connections: v.positive(
                "server.max_connections",
                raw.server.max_connections,
                10_000,
            ) as usize,
        };
        if server.publish_timeout >= Duration::from_secs(5) {
            v.issue(
                "server.publish_timeout",
                "must be under 5s: Shopify gives up on a webhook after 5 seconds",
            );
        }

        let (pg_path, pg_url) = match env("XENO_POSTGRES_URL") {
            Some(u) => ("XENO_POSTGRES_URL".to_string(), u),
            None => (
                "postgres.url".to_string(),
                raw.postgres
                    .url
                    .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/xeno".into()),
            ),
        };
        if let Err(e) = pg_url.parse::<tokio_postgres::Config>() {
            v.issue(&pg_path, format!("not a PostgreSQL url: {e}"));
        }
        let postgres = PostgresConfig {
            url: pg_url,
            pool_size: v.positive("postgres.pool_size", raw.postgres.pool_size, 16) as usize,
        };

        let (nats_path, nats_url) = match env("XENO_NATS_URL") {
            Some(u) => ("XENO_NATS_URL".to_string(), u),
            None => (
                "nats.url".to_string(),
                raw.nats
                    .url
                    .unwrap_or_else(|| "nats://127.0.0.1:4222".into()),
            ),
        };
        if nats_url.trim().is_empty() {
            v.issue(&nats_path, "must not be empty");
        }
        for server in nats_url.split(',').map(str::trim) {
            if let Err(e) = server.parse::<async_nats::ServerAddr>() {
                v.issue(&nats_path, format!("`{server}` is not a NATS url: {e}"));
            }
        }
        let stream = raw.nats.stream.unwrap_or_else(|| "XENO".into());
        if stream.is_empty()
            || !stream
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            v.issue(
                "nats.stream",
                format!("`{stream}` must be non-empty letters, digits, `_` or `-` (it names JetStream subjects)"),
            );
        }
        let replicas = v.positive("nats.replicas", raw.nats.replicas, 1);
        if replicas > 5 {
            v.issue("nats.replicas", "JetStream allows at most 5 replicas");
        }
        let nats = NatsConfig {
            url: nats_url,
            stream,
            replicas: replicas as usize,
            duplicate_window: v.duration(
                "nats.duplicate_window",
                raw.nats.duplicate_window.as_deref(),
                Duration::from_secs(120),
            ),
            max_age: v.duration(
                "nats.max_age",
                raw.nats.max_age.as_deref(),
                Duration::from_secs(7 * 24 * 3600),
            ),
        };

        let writer = WriterConfig {
            workers: v.positive("writer.workers", raw.writer.workers, 4) as usize,
            batch_size: v.positive("writer.batch_size", raw.writer.batch_size, 256) as usize,
            max_deliveries: v.positive("writer.max_deliveries", raw.writer.max_deliveries, 5),
            ack_wait: v.duration(
                "writer.ack_wait",
                raw.writer.ack_wait.as_deref(),
                Duration::from_secs(30),
            ),
        };
        if writer.batch_size > 10_000 {
            v.issue("writer.batch_size", "at most 10000");
        }

        let default_reconcile = v.duration(
            "sync.reconcile_every",
            raw.sync.reconcile_every.as_deref(),
            Duration::from_secs(15 * 60),
        );
        let page_size = v.positive("sync.page_size", raw.sync.page_size, 100);
        if page_size > 250 {
            v.issue("sync.page_size", "Shopify pages hold at most 250 objects");
        }
        let sync = SyncConfig {
            reconcile_every: default_reconcile,
            page_size: page_size.min(250) as u32,
            lease_ttl: v.duration(
                "sync.lease_ttl",
                raw.sync.lease_ttl.as_deref(),
                Duration::from_secs(30),
            ),
        };

        let mut shops = Vec::new();
        let mut seen = HashSet::new();
        if raw.shops.is_empty() {
            v.issue("shops", "at least one [[shops]] entry is required");
        }
        for (i, s) in raw.shops.into_iter().enumerate() {
            let p = |k: &str| format!("shops[{i}].{k}");
            let domain = match xeno_shopify::domain::normalize_shop_domain(&s.domain) {
                Ok(d) => d,
                Err(e) => {
                    v.issue(&p("domain"), format!("`{}`: {e}", s.domain));
                    continue;
                }
            };
            if !seen.insert(domain.clone()) {
                v.issue(&p("domain"), format!("`{domain}` is configured twice"));
            }
            let mut webhook_secrets = Vec::new();
            match &s.webhook_secret_env {
                None => v.issue(
                    &p("webhook_secret_env"),
                    "required: the environment variable holding the app's client secret",
                ),
                Some(var) => {
                    if let Some(secret) = v.secret_env(&p("webhook_secret_env"), var, env) {
                        webhook_secrets.push(secret);
                    }
                }
            }
            if let Some(var) = &s.previous_webhook_secret_env {
                if let Some(secret) = v.secret_env(&p("previous_webhook_secret_env"), var, env) {
                    webhook_secrets.push(secret);
                }
            }
            let access_token = s
                .access_token_env
                .as_deref()
                .and_then(|var| v.secret_env(&p("access_token_env"), var, env));
            let admin_url = match &s.admin_url {
                Some(u) => v.check(&p("admin_url"), parse_http_url(u)),
                None => Url::parse(&format!("https://{domain}")).ok(),
            };
            let api_version = s
                .api_version
                .unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
            if !is_api_version(&api_version) {
                v.issue(
                    &p("api_version"),
                    format!("`{api_version}` is not a version like 2025-07 or `unstable`"),
                );
            }
            let reconcile_every = match s.reconcile_every.as_deref() {
                Some(text) => v.duration(&p("reconcile_every"), Some(text), default_reconcile),
                None => default_reconcile,
            };
            if let Some(admin_url) = admin_url {
                shops.push(ShopConfig {
                    domain,
                    webhook_secrets,
                    access_token,
                    admin_url,
                    api_version,
                    reconcile_every,
                });
            }
        }

        let mut api_tokens = Vec::new();
        for (i, t) in raw.api_tokens.into_iter().enumerate() {
            let p = |k: &str| format!("api_tokens[{i}].{k}");
            let token = v.secret_env(&p("token_env"), &t.token_env, env);
            if let Some(tok) = &token {
                if tok.expose().len() < 16 {
                    v.issue(
                        &p("token_env"),
                        format!(
                            "the token in ${} is shorter than 16 characters",
                            t.token_env
                        ),
                    );
                }
            }
            let shops_allowed = if t.shops.iter().any(|s| s == "*") {
                None
            } else {
                let mut list = Vec::new();
                for (j, s) in t.shops.iter().enumerate() {
                    match xeno_shopify::domain::normalize_shop_domain(s) {
                        Ok(d) if seen.contains(&d) => list.push(d),
                        Ok(d) => v.issue(
                            &format!("api_tokens[{i}].shops[{j}]"),
                            format!("`{d}` is not a configured shop"),
                        ),
                        Err(e) => v.issue(
                            &format!("api_tokens[{i}].shops[{j}]"),
                            format!("`{s}`: {e}"),
                        ),
                    }
                }
                if t.shops.is_empty() {
                    v.issue(
                        &p("shops"),
                        "list the shops this token may see, or [\"*\"] for all",
                    );
                }
                Some(list)
            };
            if let Some(token) = token {
                api_tokens.push(ApiTokenConfig {
                    name: t.name.unwrap_or_else(|| format!("token{i}")),
                    token,
                    shops: shops_allowed,
                });
            }
        }

        if v.issues.is_empty() {
            Ok(Config {
                server,
                postgres,
                nats,
                writer,
                sync,
                shops,
                api_tokens,
            })
        } else {
            Err(ConfigError::Invalid(v.issues))
        }
    }

    pub fn shop(&self, domain: &str) -> Option<&ShopConfig> {
        self.shops.iter().find(|s| s.domain == domain)
    }
}

fn parse_http_url(u: &str) -> Result<Url, String> {
    let url = Url::parse(u).map_err(|e| format!("`{u}` is not a URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("`{u}` must be an http(s) URL"));
    }
    Ok(url)
}

fn is_api_version(v: &str) -> bool {
    v == "unstable"
        || (v.len() == 7
            && v[..4].chars().all(|c| c.is_ascii_digit())
            && &v[4..5] == "-"
            && v[5..].chars().all(|c| c.is_ascii_digit()))
}

/// Collects issues instead of stopping at the first.
#[derive(Default)]
struct Validator {
    issues: Vec<ConfigIssue>,
}

impl Validator {
    fn issue(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(ConfigIssue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn check<T>(&mut self, path: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.issue(path, m)).ok()
    }

    fn positive(&mut self, path: &str, value: Option<u64>, default: u64) -> u64 {
        match value {
            Some(0) => {
                self.issue(path, "must be greater than 0");
                default
            }
            Some(n) => n,
            None => default,
        }
    }

    fn duration(&mut self, path: &str, value: Option<&str>, default: Duration) -> Duration {
        match value {
            None => default,
            Some(text) => match humantime::parse_duration(text) {
                Ok(d) if d.is_zero() => {
                    self.issue(path, "must be longer than 0");
                    default
                }
                Ok(d) => d,
                Err(e) => {
                    self.issue(
                        path,
                        format!("`{text}` is not a duration like \"15m\" or \"3s\" ({e})"),
                    );
                    default
                }
            },
        }
    }

    fn secret_env(
        &mut self,
        path: &str,
        var: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Secret> {
        if var.is_empty() {
            self.issue(path, "names no environment variable");
            return None;
        }
        match env(var) {
            Some(value) if !value.is_empty() => Some(Secret(value)),
            Some(_) => {
                self.issue(path, format!("environment variable {var} is empty"));
                None
            }
            None => {
                self.issue(path, format!("environment variable {var} is not set"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const GOOD: &str = r#"
        [server]
        listen = "127.0.0.1:4000"
        [postgres]
        url = "postgres://postgres@127.0.0.1:5432/xeno"
        [nats]
        url = "nats://127.0.0.1:4222"
        stream = "XENO"
        [[shops]]
        domain = "acme.myshopify.com"
        webhook_secret_env = "ACME_WEBHOOK_SECRET"
        access_token_env = "ACME_ACCESS_TOKEN"
        admin_url = "http://127.0.0.1:4100"
    "#;

    #[test]
    fn good_config_loads_with_defaults() {
        let env = env_of(&[
            ("ACME_WEBHOOK_SECRET", "s3cret"),
            ("ACME_ACCESS_TOKEN", "tok"),
        ]);
        let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
        assert_eq!(c.shops[0].domain, "acme.myshopify.com");
        assert_eq!(c.shops[0].webhook_secrets[0].expose(), "s3cret");
        assert_eq!(c.server.listen.port(), 4000);
        assert_eq!(c.writer.workers, 4);
        assert!(!format!("{c:?}").contains("s3cret"), "secrets never print");
    }

    #[test]
    fn environment_overrides_win() {
        let env = env_of(&[
            ("ACME_WEBHOOK_SECRET", "s"),
            ("ACME_ACCESS_TOKEN", "t"),
            ("XENO_LISTEN", "0.0.0.0:9999"),
            ("XENO_NATS_URL", "nats://10.0.0.1:4222"),
            ("XENO_POSTGRES_URL", "postgres://u@h/db"),
        ]);
        let c = Config::from_toml(GOOD, "t.toml", &env).unwrap();
        assert_eq!(c.server.listen.port(), 9999);
        assert_eq!(c.nats.url, "nats://10.0.0.1:4222");
        assert_eq!(c.postgres.url, "postgres://u@h/db");
    }

    #[test]
    fn nats_url_may_list_every_node_of_a_cluster() {
        let with_url = |url: &str| {
            env_of(&[
                ("ACME_WEBHOOK_SECRET", "s"),
                ("ACME_ACCESS_TOKEN", "t"),
                ("XENO_NATS_URL", url),
            ])
        };
        let c = Config::from_toml(
            GOOD,
            "t.toml",
            &with_url("nats://10.0.0.1:4222, nats://10.0.0.2:4222"),
        )
        .unwrap();
        assert_eq!(
            c.nats.servers(),
            ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]
        );
        let err = Config::from_toml(
            GOOD,
            "t.toml",
            &with_url("nats://10.0.0.1:4222,nats://b:port"),
        )
        .unwrap_err();
        assert!(
            err.issues()
                .iter()
                .any(|i| i.starts_with("XENO_NATS_URL") && i.contains("nats://b:port")),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        let err = Config::from_toml(
            "[server]\nlisten = \"127.0.0.1:1\"\nlistne = 1\n",
            "t.toml",
            &env_of(&[]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("listne"), "{err}");
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let text = r#"
            [server]
            listen = "nowhere"
            [nats]
            stream = "bad stream"
            [[shops]]
            domain = "evil.com"
            webhook_secret_env = "A"
            [[shops]]
            domain = "acme.myshopify.com"
            webhook_secret_env = "MISSING"
            [[shops]]
            domain = "ACME.myshopify.com."
            webhook_secret_env = "A"
            reconcile_every = "often"
        "#;
        let err = Config::from_toml(text, "t.toml", &env_of(&[("A", "x")])).unwrap_err();
        let issues = err.issues().join("\n");
        for needle in [
            "server.listen",
            "nats.stream",
            "shops[0].domain",
            "shops[1].webhook_secret_env: environment variable MISSING is not set",
            "shops[2].domain: `acme.myshopify.com` is configured twice",
            "shops[2].reconcile_every",
        ] {
            assert!(issues.contains(needle), "missing {needle:?} in:\n{issues}");
        }
    }

    #[test]
    fn example_configs_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            seen += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            // Every variable the example names is set, so only real mistakes fail.
            let overrides = ["XENO_LISTEN", "XENO_POSTGRES_URL", "XENO_NATS_URL"];
            let env =
                |k: &str| (!overrides.contains(&k)).then(|| format!("value-of-{k}-long-enough"));
            if let Err(e) = Config::from_toml(&text, &path.display().to_string(), &env) {
                panic!("{} does not load: {e}", path.display());
            }
        }
        assert!(
            seen >= 2,
            "config/ holds the demo and the multi-shop example"
        );
    }
}
