//! Analytics: the sales figures the dashboard shows, from rollups the writers keep.
//!
//! - [`rollup_compactor`]: the RollupCompactor actor, folding the writers' pending deltas
//!   into the rollups (started by `engine/src/supervisor.rs`).
//! - [`queries`]: stats, revenue series and top customers, as the API answers them
//!   (`engine/src/api/analytics.rs` parses the request and calls these).
//! - [`period`]: a reporting period and the one just before it.
//!
//! The SQL (reads and the fold) lives in `engine/src/store/analytics.rs`; the triggers that
//! append deltas in the writers' transactions are described in `sql/README.md`.

pub mod period;
pub mod queries;
pub mod rollup_compactor;
