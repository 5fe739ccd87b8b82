//! The alert rules (`ops/prometheus/alerts.yml`) and the Grafana dashboard
//! (`ops/grafana/xeno.json`) against the engine itself:
//!
//! - every metric either references is one the engine exports (the `# TYPE` lines of
//!   `Metrics::new().encode()`, a counter as `_total`, a histogram as `_bucket`/`_sum`/`_count`;
//!   `up` and `ALERTS` are Prometheus's own), and every alert has its runbook section in
//!   `docs/operations.md`;
//! - a real Prometheus (Debian's `/usr/bin/prometheus`, on a free port with its own storage)
//!   scrapes a running engine every second with the repository's rules, and
//!   `XenoDeadLettersOpen` fires once a poison message became a dead letter, not before; the
//!   same server accepts every query of the dashboard.
//!
//! The rules' own unit tests (`promtool test rules`) are `scripts/check-alert-rules.sh`.
//! Skipped (passes) without `/usr/bin/prometheus`, unless `XENO_REQUIRE_PROMETHEUS` is set
//! (scripts/test.sh installs the package and sets it, so there it can never be skipped).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::process::ScratchDir;
use common::*;
use serde_json::{json, Value};
use xeno_engine::metrics::Metrics;

const PROMETHEUS: &str = "/usr/bin/prometheus";

fn repo_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The series names a scrape of the engine can hold, from the registry's `# TYPE` lines.
fn exported_series() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in Metrics::new().encode().lines() {
        let Some(rest) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(name), Some(kind)) = (words.next(), words.next()) else {
            continue;
        };
        let suffixes: &[&str] = match kind {
            "counter" => &["_total"],
            "histogram" => &["_bucket", "_sum", "_count"],
            _ => &[""],
        };
        out.extend(suffixes.iter().map(|s| format!("{name}{s}")));
    }
    out
}

/// Every `xeno_…` identifier in `text` that is not an exported series, in order of
/// appearance. The engine's registry prefixes every metric with `xeno_`, so a misspelt or
/// removed metric shows here; other identifiers (functions, labels, `up`) are not metrics of
/// the engine's.
fn unknown_metrics(text: &str, exported: &BTreeSet<String>) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|word| word.starts_with("xeno_"))
        .filter(|word| !exported.contains(*word))
        .map(str::to_string)
        .collect()
}

/// Every Prometheus query of the dashboard's panels.
fn dashboard_queries() -> Vec<String> {
    let dashboard: Value =
        serde_json::from_str(&repo_file("ops/grafana/xeno.json")).expect("the dashboard is JSON");
    dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .filter_map(|t| t["expr"].as_str().map(str::to_string))
        .collect()
}

/// The alert names of a rules file (`- alert: Name` lines).
fn alert_names(rules: &str) -> Vec<String> {
    rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert:"))
        .map(|name| name.trim().to_string())
        .collect()
}

#[test]
fn rules_and_dashboard_reference_only_metrics_the_engine_exports() {
    let exported = exported_series();
    assert!(exported.contains("xeno_webhooks_total"), "{exported:?}");
    assert!(exported.contains("xeno_webhook_ack_seconds_bucket"));
    assert!(exported.contains("xeno_dead_letters_open"));
    // The check itself: a misspelt metric and a counter without `_total` are caught.
    assert_eq!(
        unknown_metrics(
            "rate(xeno_webhook_total[5m]) + xeno_dead_letters + up",
            &exported
        ),
        ["xeno_webhook_total", "xeno_dead_letters"]
    );

    let rules = repo_file("ops/prometheus/alerts.yml");
    let dashboard = repo_file("ops/grafana/xeno.json");
    assert_eq!(unknown_metrics(&rules, &exported), Vec::<String>::new());
    assert_eq!(unknown_metrics(&dashboard, &exported), Vec::<String>::new());

    // The dashboard queries its metrics in Prometheus expressions.
    let exprs = dashboard_queries();
    assert!(exprs.len() >= 20, "{} queries", exprs.len());
    assert!(exprs
        .iter()
        .all(|e| e.contains("xeno_") || e.contains("up{")));

    // One runbook section per alert, at the anchor its runbook_url names.
    let operations = repo_file("docs/operations.md");
    let names = alert_names(&rules);
    assert!(names.len() >= 11, "{names:?}");
    for name in &names {
        assert!(
            rules.contains(&format!(
                "runbook_url: \"docs/operations.md#{}\"",
                name.to_lowercase()
            )),
            "{name}: runbook_url"
        );
        assert!(
            operations.lines().any(|l| l == format!("### {name}")),
            "docs/operations.md has no section `### {name}`"
        );
    }
}

/// A Prometheus server this test started; killed when dropped, panics included.
struct PrometheusServer {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: ScratchDir,
}

impl PrometheusServer {
    /// Scrapes `target` every second and evaluates `rules` every second.
    fn start(target: std::net::SocketAddr, rules: &str) -> PrometheusServer {
        let dir = ScratchDir::new("xeno-prometheus");
        let rules_path = dir.write("alerts.yml", rules);
        let config = format!(
            r#"
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {rules}
scrape_configs:
  - job_name: xeno
    static_configs:
      - targets: ["{target}"]
"#,
            rules = rules_path.display()
        );
        let config_path = dir.write("prometheus.yml", &config);
        let port = free_port();
        let log = dir.path().join("prometheus.log");
        let child = Command::new(PROMETHEUS)
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("prometheus starts");
        PrometheusServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(format!("{}/-/ready", self.url)).send().await {
                if r.status() == 200 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("prometheus exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "prometheus never became ready:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn get(&self, http: &reqwest::Client, path: &str) -> Value {
        http.get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("prometheus answers")
            .json()
            .await
            .expect("prometheus answers JSON")
    }

    /// The alerts in state `state` (`pending`, `firing`) named `name`.
    async fn alerts(&self, http: &reqwest::Client, name: &str, state: &str) -> Vec<Value> {
        let body = self.get(http, "/api/v1/alerts").await;
        body["data"]["alerts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["labels"]["alertname"] == name && a["state"] == state)
            .cloned()
            .collect()
    }

    /// The value of an instant query's first sample, when it has one.
    async fn scalar(&self, http: &reqwest::Client, query: &str) -> Option<f64> {
        let body: Value = http
            .get(format!("{}/api/v1/query", self.url))
            .query(&[("query", query)])
            .send()
            .await
            .expect("prometheus answers")
            .json()
            .await
            .expect("prometheus answers JSON");
        body["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|v| v.parse().ok())
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The repository's rules with every `for:` at 0s, so the test waits for scrapes and
/// evaluations, not for minutes of pending.
fn rules_without_pending() -> String {
    repo_file("ops/prometheus/alerts.yml")
        .lines()
        .map(|l| match l.find("for: ") {
            Some(i) if l.trim_start().starts_with("for: ") => format!("{}for: 0s", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_real_prometheus_fires_dead_letters_open_when_a_poison_message_is_dead_lettered() {
    if !Path::new(PROMETHEUS).exists() {
        assert!(
            std::env::var_os("XENO_REQUIRE_PROMETHEUS").is_none(),
            "XENO_REQUIRE_PROMETHEUS is set but {PROMETHEUS} is missing"
        );
        eprintln!("skipped: needs {PROMETHEUS} (Debian's prometheus package)");
        return;
    }
    let rules = rules_without_pending();
    assert!(!rules.contains("for: 5m") && rules.contains("for: 0s"));
    let h = Harness::new().await;
    let engine = h.engine("[writer]\nmax_deliveries = 2\n").await;
    let addr = engine.addr();
    let mut prometheus = PrometheusServer::start(addr, &rules);
    prometheus.wait_ready(&h.http).await;

    // Before the cause: the engine is scraped, its probe reports both dependencies up and no
    // dead letter, and after a few evaluations nothing about them fires.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30);
    loop {
        let up = prometheus.scalar(&h.http, r#"up{job="xeno"}"#).await;
        let postgres = prometheus
            .scalar(&h.http, r#"xeno_dependency_up{dependency="postgres"}"#)
            .await;
        let nats = prometheus
            .scalar(&h.http, r#"xeno_dependency_up{dependency="nats"}"#)
            .await;
        let open = prometheus.scalar(&h.http, "xeno_dead_letters_open").await;
        if (up, postgres, nats, open) == (Some(1.0), Some(1.0), Some(1.0), Some(0.0)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never scraped a healthy engine: up {up:?}, postgres {postgres:?}, nats {nats:?}, open {open:?}\n{}",
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let scraped_after = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    for quiet in [
        "XenoDeadLettersOpen",
        "XenoEngineDown",
        "XenoPostgresDown",
        "XenoNatsDown",
    ] {
        for state in ["pending", "firing"] {
            assert_eq!(
                prometheus.alerts(&h.http, quiet, state).await,
                Vec::<Value>::new(),
                "{quiet} is {state} on a healthy engine"
            );
        }
    }

    // The cause: a message no writer can apply, dead-lettered after two deliveries.
    let poison = serde_json::to_vec(&json!({"id": "not-a-number", "updated_at": 12})).unwrap();
    let (status, text) = h.post(addr, "orders/create", &uid(), &poison).await;
    assert_eq!(status, 200, "{text}");
    h.wait_count(
        "SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL",
        1,
        30,
    )
    .await;
    let dead_lettered = Instant::now();

    let deadline = dead_lettered + Duration::from_secs(60);
    let firing = loop {
        let firing = prometheus
            .alerts(&h.http, "XenoDeadLettersOpen", "firing")
            .await;
        if !firing.is_empty() {
            break firing;
        }
        assert!(
            Instant::now() < deadline,
            "XenoDeadLettersOpen never fired: {}\n{}",
            prometheus.get(&h.http, "/api/v1/alerts").await,
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let fired_after = dead_lettered.elapsed();
    let alert = &firing[0];
    assert_eq!(alert["labels"]["severity"], "warning");
    assert_eq!(alert["labels"]["job"], "xeno");
    assert_eq!(alert["annotations"]["summary"], "open dead letters: 1");
    assert_eq!(
        alert["annotations"]["runbook_url"],
        "docs/operations.md#xenodeadlettersopen"
    );
    // Every query of the dashboard is PromQL this Prometheus accepts, with Grafana's
    // variables as Grafana would fill them.
    for expr in dashboard_queries() {
        let expr = expr
            .replace("$__rate_interval", "1m")
            .replace("$shop", ".*");
        let body: Value = h
            .http
            .get(format!("{}/api/v1/query", prometheus.url))
            .query(&[("query", expr.as_str())])
            .send()
            .await
            .expect("prometheus answers")
            .json()
            .await
            .expect("prometheus answers JSON");
        assert_eq!(body["status"], "success", "{expr}: {body}");
    }
    eprintln!(
        "first healthy scrape after {:.1} s; XenoDeadLettersOpen firing {:.1} s after the dead letter was committed",
        scraped_after.as_secs_f64(),
        fired_after.as_secs_f64()
    );
    drop(prometheus);
    engine.shutdown().await;
}
