//! `xeno doctor --config FILE`: why a shop does not sync. Runs the engine's checks
//! (`engine/src/doctor/`) for every configured shop against Shopify (or the simulator) and
//! prints a table of findings with their fixes. The config is loaded leniently, so a retired
//! or unknown `api_version` is a finding rather than a refusal; any other config problem stops
//! it as `check-config` would. Exit status: 0 when nothing is an error, 1 when a finding is,
//! 2 when the config does not load.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use xeno_api_types::doctor::{DoctorReport, FindingStatus};
use xeno_engine::config::Config;
use xeno_engine::doctor;
use xeno_engine::metrics::Metrics;

/// `doctor`'s arguments.
#[derive(clap::Args)]
pub struct DoctorArgs {
    /// The TOML config (shops, PostgreSQL, NATS), as for `xeno run`.
    #[arg(long, short)]
    config: PathBuf,
    /// Print the report as JSON (the same body as `doctor` in `GET /api/health`).
    #[arg(long)]
    json: bool,
}

/// Checks every shop and prints the findings.
pub async fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let config = match Config::load_lenient(&args.config) {
        Ok((config, _tolerated)) => config,
        Err(e) => {
            eprintln!("{}: invalid", args.config.display());
            for issue in e.issues() {
                eprintln!("  - {issue}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    let report = doctor::examine(&config, Arc::new(Metrics::new())).await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(match report.worst() {
        FindingStatus::Error => ExitCode::FAILURE,
        FindingStatus::Ok | FindingStatus::Warn => ExitCode::SUCCESS,
    })
}

/// One line per finding, columns aligned; a fix goes on the line below its finding.
fn table(report: &DoctorReport) -> String {
    let header = ("SHOP", "CHECK", "STATUS");
    let width = |f: &dyn Fn(&xeno_api_types::doctor::Finding) -> usize, min: usize| {
        report.findings.iter().map(f).max().unwrap_or(0).max(min)
    };
    let w_shop = width(&|f| f.shop.len(), header.0.len());
    let w_check = width(&|f| f.check.len(), header.1.len());
    let w_status = header.2.len();
    let indent = w_shop + w_check + w_status + 6;
    let mut out = format!(
        "{:w_shop$}  {:w_check$}  {:w_status$}  WHAT\n",
        header.0, header.1, header.2
    );
    for f in &report.findings {
        out.push_str(&format!(
            "{:w_shop$}  {:w_check$}  {:w_status$}  {}\n",
            f.shop,
            f.check,
            f.status.to_string(),
            f.detail
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("{:indent$}fix: {fix}\n", ""));
        }
    }
    let count = |s: FindingStatus| report.findings.iter().filter(|f| f.status == s).count();
    out.push_str(&format!(
        "\n{} error(s), {} warning(s), {} ok\n",
        count(FindingStatus::Error),
        count(FindingStatus::Warn),
        count(FindingStatus::Ok)
    ));
    out
}
