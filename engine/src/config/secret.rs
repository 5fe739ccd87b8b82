//! [`Secret`]: a value read from the environment that never prints. Built by the validator
//! (`validator.rs`) from the variables a config names; read by the webhook HMAC check and the
//! API token check.

use std::fmt;

/// A secret read from the environment. Its `Debug` and `Display` never show the value, so a
/// config can be logged whole.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's bytes, for HMAC keys and constant-time comparisons only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}
