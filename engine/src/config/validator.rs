//! The validator's tools: a [`Validator`] that collects problems instead of stopping at the
//! first, and the checks every section shares (positive numbers, durations, secrets read from
//! the environment, http(s) URLs, API versions). Used by the section builders (`sections.rs`,
//! `shops.rs`); the messages here are what `xeno check-config` prints.

use std::time::Duration;

use reqwest::Url;

use super::error::ConfigIssue;
use super::secret::Secret;

/// Collects issues instead of stopping at the first.
#[derive(Default)]
pub(super) struct Validator {
    pub(super) issues: Vec<ConfigIssue>,
}

impl Validator {
    pub(super) fn issue(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(ConfigIssue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub(super) fn check<T>(&mut self, path: &str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.issue(path, m)).ok()
    }

    pub(super) fn positive(&mut self, path: &str, value: Option<u64>, default: u64) -> u64 {
        match value {
            Some(0) => {
                self.issue(path, "must be greater than 0");
                default
            }
            Some(n) => n,
            None => default,
        }
    }

    pub(super) fn duration(
        &mut self,
        path: &str,
        value: Option<&str>,
        default: Duration,
    ) -> Duration {
        match value {
            None => default,
            Some(text) => match humantime::parse_duration(text) {
                Ok(d) if d.is_zero() => {
                    self.issue(path, "must be longer than 0");
                    default
                }
                Ok(d) => d,
                Err(e) => {
                    self.issue(
                        path,
                        format!("`{text}` is not a duration like \"15m\" or \"3s\" ({e})"),
                    );
                    default
                }
            },
        }
    }

    pub(super) fn secret_env(
        &mut self,
        path: &str,
        var: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Secret> {
        if var.is_empty() {
            self.issue(path, "names no environment variable");
            return None;
        }
        match env(var) {
            Some(value) if !value.is_empty() => Some(Secret::new(value)),
            Some(_) => {
                self.issue(path, format!("environment variable {var} is empty"));
                None
            }
            None => {
                self.issue(path, format!("environment variable {var} is not set"));
                None
            }
        }
    }
}

impl Validator {
    /// An http(s) URL read from the environment variable `var` (a webhook URL is a
    /// credential): a problem names the variable, never its value.
    pub(super) fn secret_url(
        &mut self,
        path: &str,
        var: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Secret> {
        let url = self.secret_env(path, var, env)?;
        if parse_http_url(url.expose()).is_err() {
            self.issue(path, format!("${var} does not hold an http(s) URL"));
        }
        Some(url)
    }

    /// Notes `name` as the name of `list[i]`; an earlier entry of the same name is a problem.
    pub(super) fn unique_name(
        &mut self,
        seen: &mut std::collections::BTreeMap<String, usize>,
        list: &str,
        i: usize,
        name: &str,
    ) {
        if let Some(first) = seen.insert(name.to_string(), i) {
            self.issue(
                &format!("{list}[{i}].name"),
                format!("`{name}` is also the name of {list}[{first}]"),
            );
        }
    }
}

pub(super) fn parse_http_url(u: &str) -> Result<Url, String> {
    let url = Url::parse(u).map_err(|e| format!("`{u}` is not a URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!("`{u}` must be an http(s) URL"));
    }
    Ok(url)
}

/// An Admin API version Shopify serves (`xeno_shopify::versions`): a stable one, the release
/// candidate or `unstable`; a retired, unreleased or malformed one names the supported ones.
pub(super) fn check_api_version(v: &str) -> Result<(), String> {
    use xeno_shopify::versions::{self, VersionStatus};
    match versions::status(v) {
        VersionStatus::Stable
        | VersionStatus::Latest
        | VersionStatus::ReleaseCandidate
        | VersionStatus::Unstable => Ok(()),
        status => Err(format!(
            "`{v}` is {status}; Shopify supports {} (the latest stable is {})",
            versions::supported_list(),
            versions::LATEST_STABLE
        )),
    }
}
