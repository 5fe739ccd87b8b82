//! What the alert conditions look at: the numbers `/metrics` exports, read from the same
//! registry (`engine/src/metrics.rs`) at one instant, so the engine's own alerts and
//! Prometheus's rules see the same facts.

use std::collections::BTreeMap;

use crate::config::Role;
use crate::metrics::{
    Dependency, DependencyLabels, Metrics, OutcomeLabels, ResourceLabels, RoleLabels, ShopLabels,
};

/// One shop's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShopReading {
    pub sync_consecutive_failures: i64,
    /// Unix seconds; 0 before the first reconciliation this process saw.
    pub reconcile_last_success: f64,
    pub reconcile_interval_seconds: i64,
    /// Objects reconciliation repaired, per resource, since the process started.
    pub repaired: BTreeMap<String, u64>,
    pub subscriptions_missing: i64,
}

/// The metrics at one instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Unix seconds.
    pub at: f64,
    /// Webhooks answered 503 since the process started.
    pub webhooks_unavailable: u64,
    pub consumer_pending: i64,
    pub dead_letters_open: i64,
    pub stream_messages: i64,
    pub stream_bytes: i64,
    /// -1: no limit.
    pub stream_max_messages: i64,
    pub stream_max_bytes: i64,
    pub postgres_up: bool,
    pub nats_up: bool,
    pub shops: BTreeMap<String, ShopReading>,
    /// Live processes in the process registry running each role (`xeno_roles_seen`), by
    /// role name; all four roles once the engine set them (`engine/src/process_registry.rs`).
    pub roles_seen: BTreeMap<String, i64>,
}

impl Reading {
    /// Reads `metrics` for `shops` (the configured domains) and `resources` at `at`.
    pub fn take(metrics: &Metrics, shops: &[String], resources: &[&str], at: f64) -> Reading {
        let shop = |s: &str| ShopLabels {
            shop: s.to_string(),
        };
        let dependency = |d: Dependency| {
            metrics
                .dependency_up
                .get_or_create(&DependencyLabels {
                    dependency: d.label().to_string(),
                })
                .get()
                == 1
        };
        Reading {
            at,
            webhooks_unavailable: metrics
                .webhooks
                .get_or_create(&OutcomeLabels {
                    outcome: "unavailable".to_string(),
                })
                .get(),
            consumer_pending: metrics.consumer_pending.get(),
            dead_letters_open: metrics.dead_letters_open.get(),
            stream_messages: metrics.stream_messages.get(),
            stream_bytes: metrics.stream_bytes.get(),
            stream_max_messages: metrics.stream_max_messages.get(),
            stream_max_bytes: metrics.stream_max_bytes.get(),
            postgres_up: dependency(Dependency::Postgres),
            nats_up: dependency(Dependency::Nats),
            shops: shops
                .iter()
                .map(|s| {
                    let repaired = resources
                        .iter()
                        .map(|r| {
                            let n = metrics
                                .reconcile_repaired
                                .get_or_create(&ResourceLabels {
                                    shop: s.clone(),
                                    resource: r.to_string(),
                                })
                                .get();
                            (r.to_string(), n)
                        })
                        .collect();
                    let reading = ShopReading {
                        sync_consecutive_failures: metrics
                            .sync_consecutive_failures
                            .get_or_create(&shop(s))
                            .get(),
                        reconcile_last_success: metrics
                            .reconcile_last_success_timestamp_seconds
                            .get_or_create(&shop(s))
                            .get(),
                        reconcile_interval_seconds: metrics
                            .reconcile_interval_seconds
                            .get_or_create(&shop(s))
                            .get(),
                        repaired,
                        subscriptions_missing: metrics
                            .subscriptions_missing
                            .get_or_create(&shop(s))
                            .get(),
                    };
                    (s.clone(), reading)
                })
                .collect(),
            roles_seen: Role::ALL
                .into_iter()
                .map(|role| {
                    let n = metrics
                        .roles_seen
                        .get_or_create(&RoleLabels {
                            role: role.name().to_string(),
                        })
                        .get();
                    (role.name().to_string(), n)
                })
                .collect(),
        }
    }
}
