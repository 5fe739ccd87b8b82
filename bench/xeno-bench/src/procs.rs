//! The processes a benchmark phase runs against: the engine (`xeno run` from the release
//! build, with a config written for the phase) and the Node.js peer. Each is killed when its
//! guard is dropped, also when a phase fails, so a broken run leaves nothing behind.
//!
//! Also the JetStream stream guard, and peak-RSS reading (`VmHWM`), reset between phases
//! through `/proc/PID/clear_refs` so each phase reports its own peak.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use xeno_engine::testkit::{unique_stream, TestDb};

/// The webhook secret every benchmark shop signs with.
pub const SECRET: &str = "bench-secret";
/// The API token the dashboard phase reads with.
pub const API_TOKEN: &str = "bench-api-token-0123456789";
/// The one shop of the ingest and writer phases.
pub const SHOP: &str = "bench.myshopify.com";

/// A free TCP port on 127.0.0.1 (bound, then released for the child to take).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Where the phases find their tools and services.
pub struct Env<'a> {
    pub xeno: &'a Path,
    pub peer_dir: &'a Path,
    pub nats_url: &'a str,
    pub work_dir: &'a Path,
}

/// One engine run's own database (freshly migrated) and stream, both dropped with it.
pub struct Run {
    pub db: TestDb,
    pub stream: StreamGuard,
    pub shops: Vec<String>,
}

impl Run {
    pub async fn new(env: &Env<'_>, shops: Vec<String>) -> Run {
        Run {
            db: TestDb::new().await,
            stream: StreamGuard::new(&unique_stream(), env.nats_url),
            shops,
        }
    }

    /// The run with the one benchmark shop, [`SHOP`].
    pub async fn one_shop(env: &Env<'_>) -> Run {
        Run::new(env, vec![SHOP.to_string()]).await
    }

    /// The engine for this run.
    pub fn spec<'a>(&'a self, env: &'a Env<'_>) -> EngineSpec<'a> {
        EngineSpec {
            xeno: env.xeno,
            db_url: &self.db.url,
            nats_url: env.nats_url,
            stream: &self.stream.name,
            shops: &self.shops,
            work_dir: env.work_dir,
        }
    }
}

/// What an engine started for a phase needs to know.
pub struct EngineSpec<'a> {
    pub xeno: &'a Path,
    pub db_url: &'a str,
    pub nats_url: &'a str,
    pub stream: &'a str,
    /// Shops to configure (all signed with [`SECRET`]); the API token may read all of them.
    pub shops: &'a [String],
    pub work_dir: &'a Path,
}

/// Writes the engine's config for `spec` into its work dir; returns the path and the port.
pub fn write_config(spec: &EngineSpec<'_>) -> anyhow::Result<(PathBuf, u16)> {
    let port = free_port()?;
    let mut toml = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\n\n[postgres]\nurl = \"{}\"\n\n\
         [nats]\nurl = \"{}\"\nstream = \"{}\"\n\n\
         [[api_tokens]]\nname = \"bench\"\ntoken_env = \"BENCH_API_TOKEN\"\nshops = [\"*\"]\n",
        spec.db_url, spec.nats_url, spec.stream
    );
    for shop in spec.shops {
        toml.push_str(&format!(
            "\n[[shops]]\ndomain = \"{shop}\"\nwebhook_secret_env = \"BENCH_SECRET\"\n"
        ));
    }
    let path = spec.work_dir.join(format!("{}.toml", spec.stream));
    std::fs::write(&path, toml)?;
    Ok((path, port))
}

/// The engine's typed config for `spec` (what the engine itself would run with).
pub fn engine_config(spec: &EngineSpec<'_>) -> anyhow::Result<xeno_engine::config::Config> {
    let (path, _) = write_config(spec)?;
    xeno_engine::config::Config::load(&path).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A running `xeno run`; killed on drop.
pub struct EngineProc {
    child: Child,
    pub base_url: String,
    pub log: PathBuf,
}

impl EngineProc {
    /// Writes the config, starts the engine and waits until `/readyz` answers 200.
    pub async fn start(spec: &EngineSpec<'_>) -> anyhow::Result<EngineProc> {
        let (config, port) = write_config(spec)?;
        let log = spec.work_dir.join(format!("{}-engine.log", spec.stream));
        let out = std::fs::File::create(&log)?;
        let child = Command::new(spec.xeno)
            .arg("run")
            .arg("--config")
            .arg(&config)
            .env("BENCH_SECRET", SECRET)
            .env("BENCH_API_TOKEN", API_TOKEN)
            .env("XENO_LOG", "warn")
            .stdout(Stdio::from(out.try_clone()?))
            .stderr(Stdio::from(out))
            .spawn()
            .with_context(|| format!("start {}", spec.xeno.display()))?;
        let mut engine = EngineProc {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        engine.wait_ready("/readyz").await?;
        Ok(engine)
    }

    async fn wait_ready(&mut self, path: &str) -> anyhow::Result<()> {
        wait_http(
            &mut self.child,
            &format!("{}{path}", self.base_url),
            &self.log,
        )
        .await
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn webhook_url(&self) -> String {
        format!("{}/api/webhooks", self.base_url)
    }

    /// Peak resident memory since start or the last [`EngineProc::reset_peak`], in MB.
    pub fn peak_rss_mb(&self) -> f64 {
        peak_rss_mb(self.pid())
    }

    /// Starts a new peak-RSS measurement (the kernel resets VmHWM to the current RSS).
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5");
    }

    /// Asks the engine to drain and stop (SIGTERM), killing it if it takes too long.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Drop kills it.
    }
}

impl Drop for EngineProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Node.js peer (`bench/peers/node/server.js`); killed on drop.
pub struct PeerProc {
    child: Child,
    pub base_url: String,
    log: PathBuf,
}

impl PeerProc {
    pub async fn start(
        peer_dir: &Path,
        nats_url: &str,
        stream: &str,
        work_dir: &Path,
    ) -> anyhow::Result<PeerProc> {
        let port = free_port()?;
        let log = work_dir.join(format!("{stream}-peer.log"));
        let out = std::fs::File::create(&log)?;
        let child = Command::new("node")
            .arg(peer_dir.join("server.js"))
            .env("PORT", port.to_string())
            .env("NATS_URL", nats_url)
            .env("STREAM", stream)
            .env("SECRET", SECRET)
            .stdout(Stdio::from(out.try_clone()?))
            .stderr(Stdio::from(out))
            .spawn()
            .context("start node (is Node.js installed?)")?;
        let mut peer = PeerProc {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        wait_http(
            &mut peer.child,
            &format!("{}/healthz", peer.base_url),
            &peer.log,
        )
        .await?;
        Ok(peer)
    }

    pub fn webhook_url(&self) -> String {
        format!("{}/api/webhooks", self.base_url)
    }

    pub fn peak_rss_mb(&self) -> f64 {
        peak_rss_mb(self.child.id())
    }
}

impl Drop for PeerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `url` until it answers 200, failing early if the child exits.
async fn wait_http(child: &mut Child, url: &str, log: &Path) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            let tail = std::fs::read_to_string(log).unwrap_or_default();
            bail!("{url}: the process exited ({status}) before it was ready:\n{tail}");
        }
        if let Ok(resp) = client.get(url).send().await {
            if resp.status().is_success() {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} was not ready within 90 s (log: {})", log.display())
}

/// `VmHWM` of a process in MB (0 when unreadable).
pub fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Deletes a JetStream stream when dropped (a phase's stream never outlives the run).
pub struct StreamGuard {
    pub name: String,
    nats_url: String,
}

impl StreamGuard {
    pub fn new(name: &str, nats_url: &str) -> StreamGuard {
        StreamGuard {
            name: name.to_string(),
            nats_url: nats_url.to_string(),
        }
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let (name, url) = (self.name.clone(), self.nats_url.clone());
        // Drop may run inside the runtime: delete from a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(client) = async_nats::connect(&url).await {
                    let js = async_nats::jetstream::new(client);
                    let _ = js.delete_stream(&name).await;
                }
            });
        })
        .join();
    }
}
