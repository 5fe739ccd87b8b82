//! The engine's own alerts, for teams without Prometheus: the conditions of
//! `ops/prometheus/alerts.yml` (`rules.rs` names them and their `for:`), evaluated over the
//! same metrics (`reading.rs` → `conditions.rs`) by the AlertNotifier (`notifier.rs`), which
//! sends each `[[alerts]]` target a signed, Slack-compatible message (`message.rs`) once when
//! an incident starts and once when it ends.

pub mod board;
pub mod conditions;
pub mod message;
pub mod notifier;
pub mod reading;
pub mod rules;
