//! `xeno demo`: the one-command tour. Makes sure PostgreSQL and NATS are there (the machine's
//! own on their default ports, or private instances started from the installed server
//! binaries under `.xeno/`), starts a simulated store with live activity, and an engine
//! pointed at it, then prints the dashboard link with a login token and keeps one status line
//! refreshed (`demo_status.rs`); the full log is behind `--verbose` (or `XENO_LOG`). The
//! store's history ends today (`--history-ends`), so the dashboard's charts and comparisons
//! have a year behind them.
//!
//! This is the binary's edge, so errors are `anyhow` with the fix in the message.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use xeno_engine::config::Config;
use xeno_engine::engine::Engine;

/// Flags of `xeno demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where the engine (API, dashboard, webhooks) listens.
    #[arg(long, default_value = "127.0.0.1:4000")]
    pub listen: SocketAddr,
    /// Where the simulated store listens.
    #[arg(long, default_value = "127.0.0.1:4100")]
    pub sim_listen: SocketAddr,
    /// Live store changes per second.
    #[arg(long, default_value_t = 2.0)]
    pub rate: f64,
    /// Size of the simulated store's history.
    #[arg(long, default_value_t = 2000)]
    pub orders: usize,
    #[arg(long, default_value_t = 300)]
    pub customers: usize,
    #[arg(long, default_value_t = 60)]
    pub products: usize,
    /// Folder for private PostgreSQL/NATS data when the machine's own are not running.
    #[arg(long, default_value = ".xeno")]
    pub data_dir: PathBuf,
    /// The day the simulated store's history ends (`YYYY-MM-DD`, UTC); today by default, so
    /// the year of orders before it fills the dashboard's charts.
    #[arg(long, value_parser = xeno_sim::config::history_end_date)]
    pub history_ends: Option<chrono::NaiveDate>,
    /// The engine's full log on stderr instead of the status line (`XENO_LOG` sets a filter).
    #[arg(long)]
    pub verbose: bool,
}

const PG_ADDR: &str = "127.0.0.1:5432";
const NATS_ADDR: &str = "127.0.0.1:4222";
const DEMO_SHOP: &str = "demo-shop.myshopify.com";

/// Runs the demo until Ctrl-C.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let mut children = Vec::new();
    if !reachable(PG_ADDR) {
        children.push(start_private_postgres(&args.data_dir)?);
    }
    if !reachable(NATS_ADDR) {
        children.push(start_private_nats(&args.data_dir)?);
    }
    let guard = ChildGuard(children);
    wait_until_reachable(PG_ADDR, "PostgreSQL").await?;
    wait_until_reachable(NATS_ADDR, "NATS").await?;
    ensure_database("xeno").await?;

    let secret = random_token();
    let access_token = format!("shpat_{}", random_token());
    let api_token = random_token();

    let history_ends = args
        .history_ends
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let sim = xeno_sim::Sim::start(xeno_sim::SimConfig {
        listen: args.sim_listen,
        shop: DEMO_SHOP.to_string(),
        webhook_secret: secret.clone(),
        access_token: access_token.clone(),
        orders: args.orders,
        customers: args.customers,
        products: args.products,
        rate: args.rate,
        // No catch-all URL: the engine subscribes to the topics it needs, as with a real shop.
        webhook_url: None,
        history_ends: Some(history_ends),
        ..Default::default()
    })
    .await
    .with_context(|| format!("starting the simulated store on {}", args.sim_listen))?;

    let text = include_str!("../../config/demo.toml");
    let listen = args.listen.to_string();
    let sim_url = sim.base_url();
    let env = |k: &str| match k {
        "DEMO_WEBHOOK_SECRET" => Some(secret.clone()),
        "DEMO_ACCESS_TOKEN" => Some(access_token.clone()),
        "DEMO_API_TOKEN" => Some(api_token.clone()),
        "XENO_LISTEN" => Some(listen.clone()),
        _ => std::env::var(k).ok(),
    };
    let mut config =
        Config::from_toml(text, "config/demo.toml", &env).map_err(|e| anyhow::anyhow!("{e}"))?;
    config.server.public_url = Some(
        format!("http://{}", args.listen)
            .parse()
            .context("engine url")?,
    );
    for shop in &mut config.shops {
        shop.admin_url = sim_url.parse().context("simulator url")?;
    }
    let mut engine = Engine::start(config).await?;

    println!();
    println!("  xeno demo is running");
    println!(
        "  dashboard:        http://{}/#token={api_token}",
        engine.addr()
    );
    println!(
        "  simulated store:  {sim_url}  (shop {DEMO_SHOP}, {} orders over the year to {history_ends}, {} changes/s)",
        args.orders, args.rate
    );
    println!("  metrics:          http://{}/metrics", engine.addr());
    if args.verbose {
        println!("  Ctrl-C stops everything.");
    } else {
        println!("  Ctrl-C stops everything; the full log is on the dashboard's live view, or run with --verbose.");
    }
    println!();

    let status = (!args.verbose).then(|| {
        let shared = sim.shared().clone();
        crate::demo_status::spawn(
            engine.state().clone(),
            move || shared.store.read().map(|s| s.orders.len()).unwrap_or(0),
            DEMO_SHOP.to_string(),
            format!("http://{}/", engine.addr()),
        )
    });
    let stopped_by_itself = tokio::select! {
        _ = xeno_engine::engine::shutdown_signal() => false,
        _ = engine.stopped() => true,
    };
    if let Some((bar, task)) = status {
        crate::demo_status::stop(bar, task);
    }
    if stopped_by_itself {
        bail!("the engine stopped by itself; run with --verbose to see why");
    }
    sim.shutdown().await;
    engine.shutdown().await;
    drop(guard);
    Ok(())
}

fn reachable(addr: &str) -> bool {
    TcpStream::connect_timeout(
        &addr.parse().expect("constant address"),
        Duration::from_millis(300),
    )
    .is_ok()
}

async fn wait_until_reachable(addr: &str, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reachable(addr) {
        if Instant::now() > deadline {
            bail!("{what} did not come up on {addr} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

async fn ensure_database(name: &str) -> anyhow::Result<()> {
    let (client, conn) = tokio_postgres::connect(
        "postgres://postgres@127.0.0.1:5432/postgres",
        tokio_postgres::NoTls,
    )
    .await
    .context("connecting to PostgreSQL on 127.0.0.1:5432 as postgres")?;
    tokio::spawn(conn);
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await?;
    }
    Ok(())
}

/// Kills private servers when the demo ends.
struct ChildGuard(Vec<Child>);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn find_binary(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn start_private_postgres(data_dir: &Path) -> anyhow::Result<Child> {
    let Some(bin) = postgres_bin_dir() else {
        bail!("PostgreSQL is not running on {PG_ADDR} and no server is installed: `apt-get install postgresql`");
    };
    let data = data_dir.join("postgres");
    if !data.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&data)?;
        let status = Command::new(bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust"])
            .stdout(Stdio::null())
            .status()
            .context("running initdb")?;
        if !status.success() {
            bail!("initdb failed for {}", data.display());
        }
    }
    eprintln!("starting a private PostgreSQL in {}", data.display());
    Command::new(bin.join("postgres"))
        .arg("-D")
        .arg(&data)
        .args(["-p", "5432", "-c", "listen_addresses=127.0.0.1", "-k"])
        .arg(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting postgres")
}

fn start_private_nats(data_dir: &Path) -> anyhow::Result<Child> {
    let Some(bin) = find_binary(&[
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ]) else {
        bail!("NATS is not running on {NATS_ADDR} and nats-server is not installed: `apt-get install nats-server`");
    };
    let store = data_dir.join("nats");
    std::fs::create_dir_all(&store)?;
    eprintln!(
        "starting a private NATS with JetStream in {}",
        store.display()
    );
    Command::new(bin)
        .args(["-a", "127.0.0.1", "-p", "4222", "-js", "-sd"])
        .arg(&store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting nats-server")
}

fn random_token() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| {
            let n = rng.gen_range(0..36u8);
            (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
        })
        .collect()
}
