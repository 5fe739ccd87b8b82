//! Engines as real `xeno` processes (what crash and scale-out tests kill with SIGKILL), the
//! scratch directories their configs live in, and reading a process's `/metrics`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{uid, API_TOKEN, SECRET};

/// A directory under the system temp dir, removed when the guard is dropped (also on panic).
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    pub fn new(prefix: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", uid()));
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` inside the directory; returns the file's path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `xeno run --config <config_path>` with the harness's secrets in its environment, logging
/// at warn to `stderr`.
pub fn spawn_engine(config_path: &Path, stderr: Stdio) -> Child {
    engine_command(config_path)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("xeno binary runs")
}

/// The command [`spawn_engine`] runs, for callers that set the log level or capture stdout.
pub fn engine_command(config_path: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xeno"));
    command
        .args(["run", "--config"])
        .arg(config_path)
        .env("SECRET", SECRET)
        .env("TOKEN", "shpat_test")
        .env("API_TOKEN", API_TOKEN)
        .env("XENO_LOG", "warn");
    command
}

/// An engine child process listening on `addr`; SIGKILLed when dropped, so a failing test
/// leaves no engine behind.
pub struct EngineProcess {
    pub addr: SocketAddr,
    child: Child,
}

impl EngineProcess {
    pub fn start(config_path: &Path, addr: SocketAddr) -> EngineProcess {
        EngineProcess {
            addr,
            child: spawn_engine(config_path, Stdio::inherit()),
        }
    }

    /// Runs `command` (from [`engine_command`], with extra arguments such as `--roles`).
    pub fn from_command(mut command: Command, addr: SocketAddr) -> EngineProcess {
        EngineProcess {
            addr,
            child: command
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("xeno binary runs"),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no drain, no lease release, no flush.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl EngineProcess {
    /// SIGTERM: the graceful shutdown a service manager or a load balancer drain sends.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM delivered");
    }

    /// Waits up to `limit` for the process to exit; its status, or `None` if it still runs.
    pub async fn wait_exit(
        &mut self,
        limit: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The sum of every sample in `addr`'s `/metrics` whose series starts with `series` (a name,
/// or a name with the start of its labels, e.g. `xeno_writer_messages_total{outcome="applied"`).
pub async fn metric(http: &reqwest::Client, addr: SocketAddr, series: &str) -> f64 {
    let text = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .expect("metrics request")
        .text()
        .await
        .expect("metrics body");
    text.lines()
        .filter(|l| l.starts_with(series))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
