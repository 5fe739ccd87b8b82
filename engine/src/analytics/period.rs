//! A reporting period `[from, to)`, and the one of equal length just before it (for
//! "+12% vs last period"). Parsed from `?from=&to=` by `engine/src/api/params.rs`.

use chrono::{DateTime, Utc};

/// A reporting period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// The period of equal length that ends where this one starts.
    pub fn previous(&self) -> Period {
        Period {
            from: self.from - (self.to - self.from),
            to: self.from,
        }
    }
}
