//! The typed sections that take one table of the file each: `[server]`, `[postgres]`,
//! `[nats]`, `[writer]` and `[sync]`, with their defaults and the environment overrides
//! (`XENO_LISTEN`, `XENO_POSTGRES_URL`, `XENO_NATS_URL`), which win over the file. Called in
//! this order by `Config::from_raw` (`mod.rs`); shops and API tokens are in `shops.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use super::raw::{RawNats, RawPostgres, RawServer, RawSync, RawWriter};
use super::roles::Roles;
use super::types::{NatsConfig, PostgresConfig, ServerConfig, SyncConfig, WriterConfig};
use super::validator::{parse_http_url, Validator};

/// A value the environment may override: the key path problems are reported under (the
/// variable's name when it won) and the text to parse.
fn overridable(
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    path: &str,
    file: Option<String>,
    default: &str,
) -> (String, String) {
    match env(var) {
        Some(value) => (var.to_string(), value),
        None => (path.to_string(), file.unwrap_or_else(|| default.into())),
    }
}

pub(super) fn server(
    v: &mut Validator,
    raw: RawServer,
    env: &dyn Fn(&str) -> Option<String>,
) -> ServerConfig {
    let (listen_path, listen_text) = overridable(
        env,
        "XENO_LISTEN",
        "server.listen",
        raw.listen,
        "127.0.0.1:4000",
    );
    let listen = v.check(
        &listen_path,
        listen_text
            .parse::<SocketAddr>()
            .map_err(|e| format!("`{listen_text}` is not an address like 127.0.0.1:4000 ({e})")),
    );
    let public_url = raw
        .public_url
        .as_deref()
        .and_then(|u| v.check("server.public_url", parse_http_url(u)));
    let server = ServerConfig {
        listen: listen.unwrap_or_else(|| ([127, 0, 0, 1], 4000).into()),
        public_url,
        max_body_bytes: v.positive("server.max_body_bytes", raw.max_body_bytes, 5 * 1024 * 1024)
            as usize,
        publish_timeout: v.duration(
            "server.publish_timeout",
            raw.publish_timeout.as_deref(),
            Duration::from_secs(3),
        ),
        request_timeout: v.duration(
            "server.request_timeout",
            raw.request_timeout.as_deref(),
            Duration::from_secs(10),
        ),
        cors_origins: raw.cors_origins.unwrap_or_default(),
        max_connections: v.positive("server.max_connections", raw.max_connections, 10_000) as usize,
        roles: match raw.roles {
            None => Roles::default(),
            Some(names) => v
                .check("server.roles", Roles::parse(&names))
                .unwrap_or_default(),
        },
    };
    if server.publish_timeout >= Duration::from_secs(5) {
        v.issue(
            "server.publish_timeout",
            "must be under 5s: Shopify gives up on a webhook after 5 seconds",
        );
    }
    server
}

pub(super) fn postgres(
    v: &mut Validator,
    raw: RawPostgres,
    env: &dyn Fn(&str) -> Option<String>,
) -> PostgresConfig {
    let (path, url) = overridable(
        env,
        "XENO_POSTGRES_URL",
        "postgres.url",
        raw.url,
        "postgres://postgres@127.0.0.1:5432/xeno",
    );
    if let Err(e) = url.parse::<tokio_postgres::Config>() {
        v.issue(&path, format!("not a PostgreSQL url: {e}"));
    }
    PostgresConfig {
        url,
        pool_size: v.positive("postgres.pool_size", raw.pool_size, 16) as usize,
    }
}

pub(super) fn nats(
    v: &mut Validator,
    raw: RawNats,
    env: &dyn Fn(&str) -> Option<String>,
) -> NatsConfig {
    let (path, url) = overridable(
        env,
        "XENO_NATS_URL",
        "nats.url",
        raw.url,
        "nats://127.0.0.1:4222",
    );
    if url.trim().is_empty() {
        v.issue(&path, "must not be empty");
    }
    for server in url.split(',').map(str::trim) {
        if let Err(e) = server.parse::<async_nats::ServerAddr>() {
            v.issue(&path, format!("`{server}` is not a NATS url: {e}"));
        }
    }
    let stream = raw.stream.unwrap_or_else(|| "XENO".into());
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
    let replicas = v.positive("nats.replicas", raw.replicas, 1);
    if replicas > 5 {
        v.issue("nats.replicas", "JetStream allows at most 5 replicas");
    }
    NatsConfig {
        url,
        stream,
        replicas: replicas as usize,
        duplicate_window: v.duration(
            "nats.duplicate_window",
            raw.duplicate_window.as_deref(),
            Duration::from_secs(120),
        ),
        max_age: v.duration(
            "nats.max_age",
            raw.max_age.as_deref(),
            Duration::from_secs(7 * 24 * 3600),
        ),
        changes_max_age: v.duration(
            "nats.changes_max_age",
            raw.changes_max_age.as_deref(),
            Duration::from_secs(7 * 24 * 3600),
        ),
    }
}

pub(super) fn writer(v: &mut Validator, raw: RawWriter) -> WriterConfig {
    let writer = WriterConfig {
        workers: v.positive("writer.workers", raw.workers, 4) as usize,
        batch_size: v.positive("writer.batch_size", raw.batch_size, 256) as usize,
        max_deliveries: v.positive("writer.max_deliveries", raw.max_deliveries, 5),
        ack_wait: v.duration(
            "writer.ack_wait",
            raw.ack_wait.as_deref(),
            Duration::from_secs(30),
        ),
    };
    if writer.batch_size > 10_000 {
        v.issue("writer.batch_size", "at most 10000");
    }
    writer
}

/// `reconcile_every` here is also the default of every shop's own (`shops.rs`).
pub(super) fn sync(v: &mut Validator, raw: RawSync) -> SyncConfig {
    let reconcile_every = v.duration(
        "sync.reconcile_every",
        raw.reconcile_every.as_deref(),
        Duration::from_secs(15 * 60),
    );
    let page_size = v.positive("sync.page_size", raw.page_size, 100);
    if page_size > 250 {
        v.issue("sync.page_size", "Shopify pages hold at most 250 objects");
    }
    SyncConfig {
        reconcile_every,
        page_size: page_size.min(250) as u32,
        lease_ttl: v.duration(
            "sync.lease_ttl",
            raw.lease_ttl.as_deref(),
            Duration::from_secs(30),
        ),
    }
}
