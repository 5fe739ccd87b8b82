//! `xeno`: the command line. Runs the engine, checks configs, syncs a shop, runs the Shopify
//! simulator and the one-command demo. Errors end here as `anyhow` reports with a non-zero exit.
//!
//! This crate is the only one that links both the engine library (`engine/`) and the
//! simulator (`sim/`): [`demo`] wires the two together, [`sync`] shows a one-shot sync's
//! progress, [`check_api`] judges the engine's documents by Shopify's schema of a version,
//! [`doctor`] tells why a shop does not sync, [`dead_letters`] and [`health`] are operator
//! commands over a running engine's API ([`api_client`]). Everything else is the engine's or
//! the simulator's.

mod api_client;
mod check_api;
mod dead_letters;
mod demo;
mod demo_status;
mod doctor;
mod health;
mod remote_sync;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use xeno_engine::config::{Config, Roles};
use xeno_engine::engine::Engine;
use xeno_engine::log_sink::LogLayer;

/// Keeps a PostgreSQL copy of Shopify stores current (webhooks + Admin API sync through NATS
/// JetStream) and serves a live dashboard.
///
/// Start with `xeno demo` (a simulated store feeding a local engine), then write a config
/// (see config/xeno.example.toml) and use `xeno run --config FILE`.
#[derive(Parser)]
#[command(name = "xeno", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log filter (tracing's EnvFilter syntax), e.g. `info` or `xeno_engine=debug`; `info`
    /// unless set, `error` for `xeno demo` without `--verbose` (it shows a status line, and
    /// warnings are on the dashboard's live view).
    #[arg(long, global = true, env = "XENO_LOG")]
    log: Option<String>,
    /// Log line format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the engine: receive webhooks, sync shops, write PostgreSQL, serve the dashboard.
    Run {
        /// The TOML config (shops, PostgreSQL, NATS); secrets come from the variables it names.
        #[arg(long, short)]
        config: PathBuf,
        /// What this process runs, comma-separated: edge (webhooks), writer (JetStream into
        /// PostgreSQL), sync (the per-shop syncs), api (the API and dashboard); wins over
        /// `[server] roles`. Default: all four.
        #[arg(long, value_parser = Roles::parse_csv)]
        roles: Option<Roles>,
    },
    /// Check a config and list every problem in it, without starting anything.
    CheckConfig {
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check every configured shop against Shopify: the token works, its scopes cover what
    /// the sync reads, the API version is supported, the webhook subscriptions point here.
    /// Prints each finding with its fix; exits 1 when any is an error.
    Doctor(doctor::DoctorArgs),
    /// List which of the engine's GraphQL documents would be invalid or deprecated on an Admin
    /// API version, by Shopify's published schema (plan an upgrade before Shopify retires yours).
    CheckApi(check_api::CheckApiArgs),
    /// Sync one shop now (incremental, or a full backfill with --full), with a progress bar.
    /// With --config: runs it here unless a running engine holds the shop's sync lease, then
    /// follows it. Without: asks the running engine at --url (its API, the token from
    /// $XENO_API_TOKEN) to run it and watches it; exits 1 when it failed.
    Sync {
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// The shop's `*.myshopify.com` domain, as configured.
        #[arg(long)]
        shop: String,
        /// Backfill everything through bulk operations instead of catching up incrementally.
        #[arg(long)]
        full: bool,
        /// Through the API: print the queued run's id and return instead of watching it.
        #[arg(long, conflicts_with = "config")]
        detach: bool,
        #[command(flatten)]
        api: api_client::ApiArgs,
    },
    /// List or replay a running engine's dead letters (through its API; the token from
    /// $XENO_API_TOKEN).
    #[command(subcommand)]
    DeadLetters(dead_letters::DeadLettersCommand),
    /// A running engine's health, as the dashboard shows it (through its API; exits 1 when
    /// degraded).
    Health(api_client::ApiArgs),
    /// Print the engine API's OpenAPI 3.1 document (what `GET /api/openapi.json` serves), for
    /// generating clients or checking a consumer against the contract in CI.
    Openapi,
    /// The one-command demo: a simulated store with live activity feeding a local engine,
    /// with the dashboard link printed. Starts private PostgreSQL/NATS if none are running.
    Demo(demo::DemoArgs),
    /// Run the Shopify simulator (Admin GraphQL/REST API, webhooks, faults), or `sim load`
    /// to send signed webhooks at a rate and report latency percentiles.
    Sim(Box<SimCommand>),
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
struct SimCommand {
    #[command(subcommand)]
    sub: Option<SimSub>,
    #[command(flatten)]
    args: xeno_sim::SimArgs,
}

#[derive(Subcommand)]
enum SimSub {
    /// Send signed webhooks as fast as asked; print the achieved rate and latency percentiles.
    Load(xeno_sim::load::LoadArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let quiet_demo = matches!(&cli.command, Command::Demo(args) if !args.verbose);
    let filter = cli
        .log
        .clone()
        .unwrap_or_else(|| if quiet_demo { "error" } else { "info" }.to_string());
    init_tracing(&filter, cli.log_format);
    match run(cli.command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::CheckConfig { config } => match Config::load(&config) {
            Ok(c) => {
                println!(
                    "{}: ok ({} shop(s): {})",
                    config.display(),
                    c.shops.len(),
                    c.shops
                        .iter()
                        .map(|s| s.domain.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{}: invalid", config.display());
                for issue in e.issues() {
                    eprintln!("  - {issue}");
                }
                Ok(ExitCode::from(2))
            }
        },
        Command::CheckApi(args) => check_api::run(args),
        Command::Doctor(args) => doctor::run(args).await,
        Command::DeadLetters(command) => dead_letters::run(command).await,
        Command::Health(api) => health::run(api).await,
        Command::Openapi => {
            println!("{}", xeno_engine::api::openapi::document_json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync {
            config: None,
            shop,
            full,
            detach,
            api,
        } => remote_sync::run(api, shop, full, detach).await,
        Command::Sync {
            config: Some(config),
            shop,
            full,
            ..
        } => {
            let config = Config::load(&config).map_err(|e| anyhow::anyhow!("{e}"))?;
            sync::run(config, shop, full).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            demo::run(args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sim(sim) => {
            match sim.sub {
                Some(SimSub::Load(args)) => {
                    xeno_sim::load::run_load(args).await?;
                }
                None => xeno_sim::run(sim.args).await?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { config, roles } => {
            let mut config = Config::load(&config).map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(roles) = roles {
                config.server.roles = roles;
            }
            let mut engine = Engine::start(config).await?;
            tokio::select! {
                _ = xeno_engine::engine::shutdown_signal() => {
                    tracing::info!("shutting down: draining in-flight work");
                    engine.shutdown().await;
                    tracing::info!("stopped cleanly");
                    Ok(ExitCode::SUCCESS)
                }
                _ = engine.stopped() => {
                    anyhow::bail!("the engine stopped by itself (see the log above for the actor that failed)")
                }
            }
        }
    }
}

fn init_tracing(filter: &str, format: LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .boxed(),
    };
    tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(LogLayer::new())
        .init();
}
