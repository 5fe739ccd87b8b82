//! Bulk operations: `bulkOperationRunQuery`, polling, the JSONL result and the
//! `bulk_operations/finish` webhook.
//!
//! A run checks the inner query as Shopify does (parses; at least one connection, at most 5,
//! at most 2 levels of nesting, no top-level `node`/`nodes`), then executes it through the
//! same schema with `BulkMode`, so `first`/cursors are ignored and every object comes back.
//! The response is flattened to JSON Lines: each node on its own line without its nested
//! connections; the nodes of a nested connection follow their parent with `"__parentId"`.
//! Files are served at `/_sim/bulk/<key>.jsonl`. From API version 2026-01 (and `unstable`) up
//! to 5 runs at once, earlier versions one. The run costs no points; the mutation does.
//!
//! The parts: [`operation`] (the `BulkOperation` type, its enums and payloads, and the
//! registry the state keeps), [`shape`] (the query checks and the concurrency per version),
//! [`jsonl`] (flattening a response into JSON Lines) and [`run`] (start, cancel and the run
//! itself, through the schema held by the state).

pub mod jsonl;
pub mod operation;
pub mod run;
pub mod shape;

pub use jsonl::flatten;
pub use operation::{
    BulkOperation, BulkOperationErrorCode, BulkOperationStatus, BulkOperationUserErrorCode,
    BulkRegistry,
};
pub use run::{cancel, start};
pub use shape::{concurrency_for, validate, CONCURRENCY, LEGACY_CONCURRENCY};
