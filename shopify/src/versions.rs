//! Shopify's supported Admin API versions: a committed copy of the `admin` list in
//! `@shopify/dev-mcp`'s `dist/data/supported-versions-schema.json` (installed by
//! `scripts/shopify-artifacts.sh`, pinned in `shopify/artifacts/package-lock.json`).
//! `shopify/tests/versions.rs` fails when the installed list differs, so bumping the package
//! forces this file's update.

use std::fmt;

/// Every Admin API version Shopify serves today, newest first (as Shopify lists them).
pub const SUPPORTED: &[&str] = &[
    "unstable", "2026-10", "2026-07", "2026-04", "2026-01", "2025-10",
];

/// The latest stable version: the engine's default.
pub const LATEST_STABLE: &str = "2026-07";

/// The release candidate (supported, not yet stable).
pub const RELEASE_CANDIDATE: &str = "2026-10";

/// The oldest supported stable version: what Shopify serves a retired version as.
pub const OLDEST_SUPPORTED: &str = "2025-10";

/// What a version string is, by Shopify's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    /// Stable and supported.
    Stable,
    /// The latest stable version.
    Latest,
    /// The release candidate.
    ReleaseCandidate,
    /// `unstable`.
    Unstable,
    /// Well-formed (`YYYY-MM`, a quarter's month) but older than every supported version.
    Retired,
    /// Well-formed but newer than every supported version: Shopify has not released it.
    Unreleased,
    /// Not a version at all.
    Malformed,
}

/// Classifies `v` by [`SUPPORTED`].
pub fn status(v: &str) -> VersionStatus {
    if v == "unstable" {
        return VersionStatus::Unstable;
    }
    if v == LATEST_STABLE {
        return VersionStatus::Latest;
    }
    if v == RELEASE_CANDIDATE {
        return VersionStatus::ReleaseCandidate;
    }
    if SUPPORTED.contains(&v) {
        return VersionStatus::Stable;
    }
    if !is_well_formed(v) {
        return VersionStatus::Malformed;
    }
    if v < OLDEST_SUPPORTED {
        VersionStatus::Retired
    } else {
        VersionStatus::Unreleased
    }
}

/// Whether Shopify serves `v` as itself.
pub fn is_supported(v: &str) -> bool {
    SUPPORTED.contains(&v)
}

/// The version Shopify answers a request for `v` with: `v` itself when supported, the oldest
/// supported one for a retired version; `None` (a 404) for anything else.
pub fn served_as(v: &str) -> Option<&'static str> {
    match status(v) {
        VersionStatus::Retired => Some(OLDEST_SUPPORTED),
        _ => SUPPORTED.iter().find(|s| **s == v).copied(),
    }
}

/// Whether `v` is `min` or newer (`unstable` is newer than every dated version).
pub fn at_least(v: &str, min: &str) -> bool {
    match (v, min) {
        ("unstable", _) => true,
        (_, "unstable") => false,
        _ => v >= min,
    }
}

/// `YYYY-MM` with a quarter's month (01, 04, 07, 10), the only versions Shopify names.
pub fn is_well_formed(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && matches!(&v[5..], "01" | "04" | "07" | "10")
}

/// The supported versions as one line for an error message.
pub fn supported_list() -> String {
    SUPPORTED.join(", ")
}

/// The supported versions read from Shopify's `supported-versions-schema.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportedVersions {
    /// Every version, in the file's order.
    pub all: Vec<String>,
    /// The one marked `latestVersion`.
    pub latest: Option<String>,
    /// The one marked `releaseCandidate`.
    pub release_candidate: Option<String>,
}

/// A `supported-versions-schema.json` that is not what Shopify ships.
#[derive(Debug, thiserror::Error)]
#[error("supported-versions-schema.json: {0}")]
pub struct VersionsFileError(String);

impl SupportedVersions {
    /// The `admin` list of `supported-versions-schema.json`.
    pub fn from_json(text: &str) -> Result<Self, VersionsFileError> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| VersionsFileError(e.to_string()))?;
        let list = v
            .get("admin")
            .and_then(|a| a.as_array())
            .ok_or_else(|| VersionsFileError("no `admin` list".into()))?;
        let mut out = SupportedVersions {
            all: Vec::new(),
            latest: None,
            release_candidate: None,
        };
        for entry in list {
            let name = entry
                .get("name")
                .and_then(|n| n.as_str())
                .ok_or_else(|| VersionsFileError(format!("an entry without a name: {entry}")))?;
            let flag = |k: &str| entry.get(k).and_then(|f| f.as_bool()).unwrap_or(false);
            if flag("latestVersion") {
                out.latest = Some(name.to_string());
            }
            if flag("releaseCandidate") {
                out.release_candidate = Some(name.to_string());
            }
            out.all.push(name.to_string());
        }
        Ok(out)
    }

    /// The committed copy ([`SUPPORTED`], [`LATEST_STABLE`], [`RELEASE_CANDIDATE`]).
    pub fn committed() -> Self {
        SupportedVersions {
            all: SUPPORTED.iter().map(|s| s.to_string()).collect(),
            latest: Some(LATEST_STABLE.to_string()),
            release_candidate: Some(RELEASE_CANDIDATE.to_string()),
        }
    }
}

impl fmt::Display for VersionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VersionStatus::Stable => "supported",
            VersionStatus::Latest => "the latest stable version",
            VersionStatus::ReleaseCandidate => "the release candidate",
            VersionStatus::Unstable => "unstable",
            VersionStatus::Retired => "retired by Shopify",
            VersionStatus::Unreleased => "not released by Shopify",
            VersionStatus::Malformed => "not an API version",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_versions() {
        assert_eq!(status("2026-07"), VersionStatus::Latest);
        assert_eq!(status("2026-10"), VersionStatus::ReleaseCandidate);
        assert_eq!(status("2026-01"), VersionStatus::Stable);
        assert_eq!(status("unstable"), VersionStatus::Unstable);
        assert_eq!(status("2025-07"), VersionStatus::Retired);
        assert_eq!(status("2027-01"), VersionStatus::Unreleased);
        assert_eq!(status("2025-08"), VersionStatus::Malformed);
        assert_eq!(status("latest"), VersionStatus::Malformed);
        assert_eq!(*SUPPORTED.last().unwrap(), OLDEST_SUPPORTED);
        assert_eq!(served_as("2024-07"), Some(OLDEST_SUPPORTED));
        assert_eq!(served_as("2026-04"), Some("2026-04"));
        assert_eq!(served_as("2099-01"), None);
        assert_eq!(served_as("latest"), None);
        assert!(at_least("unstable", "2026-01") && at_least("2026-01", "2026-01"));
        assert!(!at_least("2025-10", "2026-01") && !at_least("2026-10", "unstable"));
    }
}
