//! What loading a config can fail with: the file unreadable, its TOML malformed (unknown keys
//! included, see `raw.rs`), or a list of [`ConfigIssue`]s, each with its key path, collected by
//! the validator (`validator.rs`) so `xeno check-config` lists them all at once.

use std::fmt;

use thiserror::Error;

/// One problem in a config, with the key path it concerns (`shops[1].domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("{} problem(s) in the config:\n{}", .0.len(), .0.iter().map(|i| format!("  - {i}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<ConfigIssue>),
}

impl ConfigError {
    /// Every problem found, one per line, for `check-config`.
    pub fn issues(&self) -> Vec<String> {
        match self {
            ConfigError::Invalid(issues) => issues.iter().map(|i| i.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}
