//! `xeno-bench`: the benchmark suite behind `bench/run.sh`, and the CI regression guard
//! behind `scripts/bench-guard.sh`.
//!
//! Phases, each in its own module, each against fresh databases and streams on the
//! machine's PostgreSQL and NATS:
//! - [`ingest`]: webhook acknowledgement, engine vs the Node.js peer vs raw JetStream
//!   ([`jetstream`]);
//! - [`writer`]: the engine's writers vs PostgreSQL's binary COPY;
//! - [`e2e`]: webhook 200 to row committed at half the sustainable rate;
//! - [`backfill`]: runs `bench/backfill.sh`;
//! - [`dashboard`]: the analytics API over a million orders.
//!
//! [`procs`] starts and stops the engine and the peer; [`report`] writes the results and
//! checks the goals (the table in BENCHMARKS.md).

mod backfill;
mod dashboard;
mod e2e;
mod ingest;
mod jetstream;
mod procs;
mod report;
mod stats;
mod writer;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;

use crate::procs::Env;
use crate::report::Results;

#[derive(Parser)]
#[command(name = "xeno-bench", about = "xeno's benchmark suite")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Common {
    /// The engine binary (a release build).
    #[arg(long, default_value = "target/release/xeno")]
    xeno: PathBuf,
    /// The Node.js peer (with its node_modules installed).
    #[arg(long, default_value = "bench/peers/node")]
    peer_dir: PathBuf,
    /// NATS with JetStream.
    #[arg(long, default_value = "nats://127.0.0.1:4222")]
    nats: String,
    /// Where configs and process logs go.
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// Length of each measured load run.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    duration: Duration,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Run the whole suite and write latest.md and latest.json.
    Suite(SuiteArgs),
    /// The CI guard: engine vs peer at 64 connections; fails only below --min-ratio.
    Guard {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 1.5)]
        min_ratio: f64,
    },
}

#[derive(clap::Args)]
struct SuiteArgs {
    #[command(flatten)]
    common: Common,
    /// Connection counts of the acknowledgement figure.
    #[arg(long, value_delimiter = ',', default_value = "16,64,256")]
    levels: Vec<u64>,
    /// Order envelopes per writer run.
    #[arg(long, default_value_t = 20_000)]
    writer_orders: usize,
    /// Orders of the backfill (the goals in BENCHMARKS.md name 100 000).
    #[arg(long, default_value_t = 20_000)]
    backfill_orders: u64,
    #[arg(long, default_value_t = 1_000_000)]
    dashboard_orders: u64,
    #[arg(long, default_value_t = 10)]
    dashboard_shops: u64,
    /// Sequential requests per dashboard endpoint.
    #[arg(long, default_value_t = 300)]
    dashboard_requests: u64,
    /// Length of the paced end-to-end run.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    e2e_duration: Duration,
    /// Phases to leave out (ingest, writer, e2e, backfill, dashboard).
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Where latest.md and latest.json go.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    // The engines' configs name these variables; the suite also loads those configs itself.
    std::env::set_var("BENCH_SECRET", procs::SECRET);
    std::env::set_var("BENCH_API_TOKEN", procs::API_TOKEN);
    match Cli::parse().command {
        Command::Suite(args) => suite(args).await,
        Command::Guard { common, min_ratio } => guard(common, min_ratio).await,
    }
}

/// Runs every phase not skipped, then writes and prints the report; fails if a phase failed.
async fn suite(args: SuiteArgs) -> anyhow::Result<ExitCode> {
    let SuiteArgs {
        common,
        levels,
        writer_orders,
        backfill_orders,
        dashboard_orders,
        dashboard_shops,
        dashboard_requests,
        e2e_duration,
        skip,
        out,
    } = args;
    std::fs::create_dir_all(&common.work_dir)?;
    std::fs::create_dir_all(&out)?;
    let env = Env {
        xeno: &common.xeno,
        peer_dir: &common.peer_dir,
        nats_url: &common.nats,
        work_dir: &common.work_dir,
    };
    let started = Instant::now();
    let mut results = Results {
        started_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: machine(),
        commit: commit(),
        ..Default::default()
    };
    let run = |phase: &str| !skip.iter().any(|s| s == phase);
    let record = |results: &mut Results, phase: &str, e: anyhow::Error| {
        eprintln!("  {phase} failed: {e:#}");
        results.errors.insert(phase.to_string(), format!("{e:#}"));
    };
    if run("ingest") {
        eprintln!("webhook acknowledgement");
        match ingest::run(&env, &levels, common.duration).await {
            Ok(f) => results.ingest = Some(f),
            Err(e) => record(&mut results, "ingest", e),
        }
    }
    if run("writer") {
        eprintln!("writer");
        match writer::run(&env, writer_orders).await {
            Ok(f) => results.writer = Some(f),
            Err(e) => record(&mut results, "writer", e),
        }
    }
    if run("e2e") {
        let rate = e2e_rate(&results);
        eprintln!("end to end at {rate}/s");
        match e2e::run(&env, rate, e2e_duration).await {
            Ok(f) => results.end_to_end = Some(f),
            Err(e) => record(&mut results, "e2e", e),
        }
    }
    if run("backfill") {
        eprintln!("backfill of {backfill_orders} orders");
        let repo = std::env::current_dir()?;
        match backfill::run(&repo, &common.xeno, backfill_orders, Some("orders")) {
            Ok(f) => results.backfill_orders_only = Some(f),
            Err(e) => record(&mut results, "backfill (orders alone)", e),
        }
        match backfill::run(&repo, &common.xeno, backfill_orders, None) {
            Ok(f) => results.backfill = Some(f),
            Err(e) => record(&mut results, "backfill", e),
        }
    }
    if run("dashboard") {
        eprintln!("dashboard API");
        match dashboard::run(&env, dashboard_orders, dashboard_shops, dashboard_requests).await {
            Ok(f) => results.dashboard = Some(f),
            Err(e) => record(&mut results, "dashboard", e),
        }
    }
    results.wall_secs = started.elapsed().as_secs_f64();
    results.evaluate();
    write_report(&results, &out)?;
    Ok(if results.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes `latest.md` and `latest.json` into `out` and prints the markdown.
fn write_report(results: &Results, out: &std::path::Path) -> anyhow::Result<()> {
    let md = results.markdown();
    std::fs::write(out.join("latest.md"), &md)?;
    std::fs::write(
        out.join("latest.json"),
        serde_json::to_string_pretty(results)?,
    )?;
    println!("{md}");
    Ok(())
}

/// Engine vs peer at 64 connections; fails below `min_ratio` or if an engine request failed.
async fn guard(common: Common, min_ratio: f64) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&common.work_dir)?;
    let env = Env {
        xeno: &common.xeno,
        peer_dir: &common.peer_dir,
        nats_url: &common.nats,
        work_dir: &common.work_dir,
    };
    // Two rounds each, the best of each side: a burst of other work on the machine
    // during one round does not fail the guard.
    let m = ingest::side_by_side(&env, &[64, 64], common.duration, false).await?;
    let best = |rates: &[stats::Rate]| rates.iter().map(|r| r.per_sec).fold(0.0, f64::max);
    let (engine, peer) = (best(&m.engine), best(&m.peer));
    let failed: u64 = m.engine.iter().map(|r| r.failed).sum();
    let ratio = stats::ratio(engine, peer);
    println!(
        "bench guard: engine {engine:.0}/s, peer {peer:.0}/s at 64 connections: {ratio:.1}x \
         (fails below {min_ratio}x), {failed} engine requests failed"
    );
    Ok(if ratio >= min_ratio && failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Half the sustainable rate: the lower of what the engine acknowledges at 64 connections
/// and what its writers apply (above that the backlog, and so the latency, only grows).
fn e2e_rate(results: &Results) -> u64 {
    let ack = results
        .ingest
        .as_ref()
        .and_then(|i| i.levels.iter().find(|l| l.concurrency == 64))
        .map(|l| l.engine.per_sec);
    let writer = results.writer.as_ref().map(|w| w.unique.upserts_per_sec);
    let max = match (ack, writer) {
        (Some(a), Some(w)) => a.min(w),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => 2000.0,
    };
    ((max / 2.0) as u64).max(1)
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!(", {:.0} GB RAM", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    format!("{cpus} CPUs ({model}){mem}")
}

fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}
