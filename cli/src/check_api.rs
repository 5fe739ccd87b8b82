//! `xeno check-api --version V`: which of the engine's GraphQL documents would be invalid, or
//! use deprecated fields, on Admin API version V, judged by Shopify's published schema
//! (`engine/src/sync/api_check.rs`). For planning an upgrade before Shopify retires a version.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use xeno_engine::sync::api_check::{self, ARTIFACTS_ENV};
use xeno_shopify::versions::{self, VersionStatus};

/// `check-api`'s arguments (`--version` is the API version here, not xeno's).
#[derive(clap::Args)]
#[command(disable_version_flag = true)]
pub struct CheckApiArgs {
    /// The Admin API version to check against, e.g. 2026-10.
    #[arg(long)]
    version: String,
    /// Shopify's artifacts (`node_modules` installed by scripts/shopify-artifacts.sh).
    #[arg(long, env = ARTIFACTS_ENV)]
    artifacts: Option<PathBuf>,
}

/// Prints one line per document; exit 1 when any is invalid (deprecations only warn).
pub fn run(args: CheckApiArgs) -> anyhow::Result<ExitCode> {
    let version = args.version.as_str();
    let status = versions::status(version);
    if matches!(
        status,
        VersionStatus::Malformed | VersionStatus::Retired | VersionStatus::Unreleased
    ) {
        bail!(
            "`{version}` is {status}; Shopify supports {} (the latest stable is {})",
            versions::supported_list(),
            versions::LATEST_STABLE
        );
    }
    let dir = args.artifacts.unwrap_or_else(api_check::default_artifacts);
    if !dir.is_dir() {
        bail!(
            "Shopify's artifacts are not at {}: install them with scripts/shopify-artifacts.sh, \
             or point --artifacts / {ARTIFACTS_ENV} at their node_modules",
            dir.display()
        );
    }
    let schema = api_check::load_schema(&dir, version).map_err(|e| anyhow::anyhow!("{e}"))?;
    let findings = api_check::check(&schema, version);
    let (mut invalid, mut deprecated) = (0, 0);
    println!(
        "Admin API {version} ({status}): {} documents",
        findings.len()
    );
    for f in &findings {
        let name = &f.document.name;
        if f.report.is_clean() {
            println!("  ok          {name}");
        }
        for e in &f.report.errors {
            invalid += 1;
            println!("  INVALID     {name}: {}", one_line(e));
        }
        for d in &f.report.deprecated {
            deprecated += 1;
            println!("  deprecated  {name}: {}", one_line(d));
        }
    }
    println!("{invalid} invalid, {deprecated} deprecated");
    Ok(if invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
