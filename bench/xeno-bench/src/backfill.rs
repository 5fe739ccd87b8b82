//! Figure 4, backfill: runs `bench/backfill.sh ORDERS` (a simulated store synced by a fresh
//! engine through GraphQL bulk operations) and reads its report: once with the shop keeping
//! orders alone (`RESOURCES=orders`), once with every resource, so the cost of the bigger
//! model is a ratio measured in the same run.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Backfill {
    /// The shop's `resources` (`all`: every resource).
    pub resources: String,
    pub orders: u64,
    /// Rows written, every resource table.
    pub rows: u64,
    /// Engine start to the last order in PostgreSQL.
    pub wall_secs: f64,
    pub orders_per_sec: f64,
    /// The sync run itself (`sync_runs`), start to finish.
    pub sync_secs: f64,
    pub requests: u64,
    pub points: u64,
    /// What the plan's rate-limit bucket forces, at least.
    pub bucket_minimum_secs: f64,
    pub engine_peak_rss_mb: f64,
}

/// Runs the script with the suite's engine binary (`XENO_BIN`), so every phase measures
/// the same build.
/// `resources` is the shop's list (comma-separated), `None` for every resource.
pub fn run(
    repo: &Path,
    xeno: &Path,
    orders: u64,
    resources: Option<&str>,
) -> anyhow::Result<Backfill> {
    let mut cmd = Command::new(repo.join("bench/backfill.sh"));
    if let Some(r) = resources {
        cmd.env("RESOURCES", r);
    }
    let out = cmd
        .arg(orders.to_string())
        .env("XENO_BIN", xeno)
        .current_dir(repo)
        .output()
        .context("run bench/backfill.sh")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "bench/backfill.sh failed ({}):\n{text}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse(&text)
}

/// The first number after `label` on its line, e.g. `wall to last row  12.3 s  (…)`.
fn numbers(text: &str, label: &str) -> anyhow::Result<Vec<f64>> {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .with_context(|| format!("no `{label}` line in:\n{text}"))?;
    Ok(line[label.len()..]
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|t| t.parse::<f64>().ok())
        .collect())
}

fn parse(text: &str) -> anyhow::Result<Backfill> {
    let first = |label: &str| -> anyhow::Result<f64> {
        numbers(text, label)?
            .first()
            .copied()
            .with_context(|| format!("no number on the `{label}` line"))
    };
    let sync = numbers(text, "sync run")?;
    let orders = first("orders")?;
    let wall = first("wall to last row")?;
    let resources = text
        .lines()
        .find_map(|l| l.strip_prefix("resources"))
        .map_or("all", str::trim)
        .to_string();
    Ok(Backfill {
        resources,
        orders: orders as u64,
        rows: first("rows")? as u64,
        wall_secs: wall,
        orders_per_sec: orders / wall.max(1e-9),
        sync_secs: sync.first().copied().unwrap_or(0.0),
        requests: sync.get(1).copied().unwrap_or(0.0) as u64,
        points: sync.get(2).copied().unwrap_or(0.0) as u64,
        bucket_minimum_secs: first("bucket minimum")?,
        engine_peak_rss_mb: first("engine peak RSS")?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_scripts_report() {
        let text = "resources         orders\n\
                    orders            20000\n\
                    rows              61234\n\
                    wall to last row  14.2 s  (1408 orders/s)\n\
                    sync run          9.8 s, 12 requests, 130 points\n\
                    bucket minimum    0.0 s (points beyond the full bucket at 100/s)\n\
                    engine peak RSS   61 MB\n";
        let b = super::parse(text).unwrap();
        assert_eq!(b.orders, 20000);
        assert_eq!((b.resources.as_str(), b.rows), ("orders", 61234));
        assert_eq!(b.wall_secs, 14.2);
        assert_eq!((b.sync_secs, b.requests, b.points), (9.8, 12, 130));
        assert_eq!(b.bucket_minimum_secs, 0.0);
        assert_eq!(b.engine_peak_rss_mb, 61.0);
    }
}
