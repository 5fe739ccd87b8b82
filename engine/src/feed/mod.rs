//! The change feed (`docs/change-feed.md`): what the writers committed, published to
//! JetStream for other systems. The writers record each change in `change_outbox` inside the
//! statement that makes it (`store/changes.rs`); [`relay`] publishes the rows in order and
//! deletes them.

pub mod relay;
