//! The conditions of `ops/prometheus/alerts.yml`, evaluated over the engine's own readings
//! (`reading.rs`): which alerts hold now, each with its labels, value and a one-line summary.
//! Pure functions of a short history of readings, so every condition is unit-tested here
//! without an engine.

use std::collections::VecDeque;

use super::reading::Reading;
use super::rules::{self, thresholds, Rule};

/// One alert that holds now, for one set of labels (a shop, a resource).
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    pub rule: &'static Rule,
    /// Label name and value, e.g. `("shop", "acme.myshopify.com")`; empty for engine-wide ones.
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
    pub summary: String,
}

/// Readings of the last hour (the longest window a condition looks back over), oldest first.
/// The first is the baseline the notifier takes when it starts: a counter's growth is
/// measured from it until the history reaches a whole window back.
#[derive(Debug, Default)]
pub struct History {
    readings: VecDeque<Reading>,
}

impl History {
    /// Adds the newest reading and forgets those older than every window.
    pub fn push(&mut self, reading: Reading) {
        let keep_from = reading.at - thresholds::REPAIRS_WINDOW.as_secs_f64();
        self.readings.push_back(reading);
        while self.readings.len() > 1 && self.readings[1].at <= keep_from {
            self.readings.pop_front();
        }
    }

    pub fn latest(&self) -> Option<&Reading> {
        self.readings.back()
    }

    /// The newest reading at least `window` old, if the history reaches that far back.
    fn before(&self, window: std::time::Duration) -> Option<&Reading> {
        let now = self.latest()?.at;
        self.readings
            .iter()
            .rev()
            .find(|r| r.at <= now - window.as_secs_f64())
    }

    /// How much a counter grew within `window` (since the baseline while the history is
    /// shorter than the window).
    fn increase(&self, window: std::time::Duration, counter: impl Fn(&Reading) -> u64) -> u64 {
        let Some(now) = self.latest() else { return 0 };
        let base = self
            .before(window)
            .or(self.readings.front())
            .map(&counter)
            .unwrap_or(0);
        counter(now).saturating_sub(base)
    }
}

/// Every alert condition that holds at the newest reading.
pub fn evaluate(history: &History) -> Vec<Holding> {
    let Some(now) = history.latest() else {
        return vec![];
    };
    let mut out = Vec::new();
    let mut hold = |alert: &str, labels, value: f64, summary: String| {
        // Every name below is a constant of rules.rs listed in RULES (the tests raise each).
        let Some(rule) = rules::find(alert) else {
            return;
        };
        out.push(Holding {
            rule,
            labels,
            value,
            summary,
        })
    };

    let unavailable = history.increase(thresholds::UNAVAILABLE_WINDOW, |r| r.webhooks_unavailable);
    if unavailable > 0 {
        hold(
            rules::WEBHOOKS_UNAVAILABLE,
            vec![],
            unavailable as f64,
            format!("{unavailable} webhooks answered 503 in the last 5 minutes: JetStream does not take them"),
        );
    }
    if now.consumer_pending > thresholds::LAG_MESSAGES {
        if let Some(old) = history.before(thresholds::LAG_WINDOW) {
            if now.consumer_pending > old.consumer_pending {
                hold(
                    rules::CONSUMER_LAG_GROWING,
                    vec![],
                    now.consumer_pending as f64,
                    format!(
                        "the writers fall behind: {} messages waiting, {} more than 10 minutes ago",
                        now.consumer_pending,
                        now.consumer_pending - old.consumer_pending
                    ),
                );
            }
        }
    }
    if now.dead_letters_open > 0 {
        hold(
            rules::DEAD_LETTERS_OPEN,
            vec![],
            now.dead_letters_open as f64,
            format!(
                "{} dead letters wait for an operator",
                now.dead_letters_open
            ),
        );
    }
    for (shop, s) in &now.shops {
        let labels = || vec![("shop", shop.clone())];
        if s.sync_consecutive_failures > 0 {
            hold(
                rules::SYNC_FAILING,
                labels(),
                s.sync_consecutive_failures as f64,
                format!(
                    "sync of {shop} fails ({} runs in a row)",
                    s.sync_consecutive_failures
                ),
            );
        }
        let interval = s.reconcile_interval_seconds as f64;
        if s.reconcile_last_success > 0.0 && interval > 0.0 {
            let age = now.at - s.reconcile_last_success;
            if age > thresholds::OVERDUE_FACTOR * interval {
                hold(
                    rules::RECONCILE_OVERDUE,
                    labels(),
                    age,
                    format!("reconciliation of {shop} is overdue: last one {age:.0}s ago, every {interval:.0}s expected"),
                );
            }
        }
        for resource in s.repaired.keys() {
            let repaired = history.increase(thresholds::REPAIRS_WINDOW, |r| {
                r.shops
                    .get(shop)
                    .and_then(|s| s.repaired.get(resource))
                    .copied()
                    .unwrap_or(0)
            });
            if repaired > thresholds::REPAIRS {
                hold(
                    rules::RECONCILE_REPAIRING,
                    vec![("shop", shop.clone()), ("resource", resource.clone())],
                    repaired as f64,
                    format!("reconciliation repaired {repaired} {resource} of {shop} in an hour: webhooks are not arriving"),
                );
            }
        }
        if s.subscriptions_missing > 0 {
            hold(
                rules::SUBSCRIPTION_MISSING,
                labels(),
                s.subscriptions_missing as f64,
                format!(
                    "{} webhook topics of {shop} do not reach the engine",
                    s.subscriptions_missing
                ),
            );
        }
    }
    let fill = |used: i64, max: i64| (max > 0).then(|| used as f64 / max as f64);
    let full = [
        fill(now.stream_messages, now.stream_max_messages),
        fill(now.stream_bytes, now.stream_max_bytes),
    ]
    .into_iter()
    .flatten()
    .fold(None, |m: Option<f64>, f| Some(m.map_or(f, |m| m.max(f))));
    if let Some(full) = full.filter(|f| *f > thresholds::STREAM_FULL) {
        hold(
            rules::STREAM_NEARLY_FULL,
            vec![],
            full,
            format!("the JetStream stream is {:.0}% full", full * 100.0),
        );
    }
    if !now.postgres_up {
        hold(
            rules::POSTGRES_DOWN,
            vec![],
            0.0,
            "the engine cannot reach PostgreSQL".to_string(),
        );
    }
    if !now.nats_up {
        hold(
            rules::NATS_DOWN,
            vec![],
            0.0,
            "the engine cannot reach NATS JetStream".to_string(),
        );
    }
    for (role, seen) in &now.roles_seen {
        if *seen == 0 {
            hold(
                rules::ROLE_MISSING,
                vec![("role", role.clone())],
                0.0,
                format!("no live process of the deployment runs the {role} role"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::reading::ShopReading;
    use super::*;

    const SHOP: &str = "acme.myshopify.com";

    fn healthy(at: f64) -> Reading {
        Reading {
            at,
            postgres_up: true,
            nats_up: true,
            stream_max_messages: -1,
            stream_max_bytes: -1,
            shops: [(
                SHOP.to_string(),
                ShopReading {
                    reconcile_last_success: at,
                    reconcile_interval_seconds: 900,
                    repaired: [("orders".to_string(), 0)].into(),
                    ..ShopReading::default()
                },
            )]
            .into(),
            ..Reading::default()
        }
    }

    fn names(history: &History) -> Vec<&'static str> {
        evaluate(history).iter().map(|h| h.rule.name).collect()
    }

    #[test]
    fn a_healthy_engine_raises_nothing() {
        let mut h = History::default();
        for t in 0..100 {
            h.push(healthy(t as f64 * 60.0));
        }
        assert!(evaluate(&h).is_empty(), "{:?}", evaluate(&h));
    }

    #[test]
    fn each_condition_holds_on_its_cause() {
        let mut h = History::default();
        h.push(healthy(0.0));
        let mut r = healthy(4000.0);
        r.dead_letters_open = 3;
        r.postgres_up = false;
        r.nats_up = false;
        r.stream_max_bytes = 1000;
        r.stream_bytes = 900;
        r.roles_seen = [("edge".to_string(), 1), ("sync".to_string(), 0)].into();
        let s = r.shops.get_mut(SHOP).unwrap();
        s.sync_consecutive_failures = 2;
        s.reconcile_last_success = 4000.0 - 1801.0;
        s.subscriptions_missing = 1;
        h.push(r);
        let held = evaluate(&h);
        let names: Vec<_> = held.iter().map(|h| h.rule.name).collect();
        assert_eq!(
            names,
            [
                rules::DEAD_LETTERS_OPEN,
                rules::SYNC_FAILING,
                rules::RECONCILE_OVERDUE,
                rules::SUBSCRIPTION_MISSING,
                rules::STREAM_NEARLY_FULL,
                rules::POSTGRES_DOWN,
                rules::NATS_DOWN,
                rules::ROLE_MISSING
            ]
        );
        assert_eq!(held[1].labels, vec![("shop", SHOP.to_string())]);
        assert_eq!(held[7].labels, vec![("role", "sync".to_string())]);
        assert!((held[4].value - 0.9).abs() < 1e-9);
    }

    /// `r` as read at `t`, reconciled just then.
    fn at(r: &mut Reading, t: f64) {
        r.at = t;
        r.shops.get_mut(SHOP).unwrap().reconcile_last_success = t;
    }

    #[test]
    fn rates_look_back_over_their_window() {
        let mut h = History::default();
        h.push(healthy(0.0));
        // 503s: counted within 5 minutes, forgotten after.
        let mut r = healthy(10.0);
        r.webhooks_unavailable = 4;
        h.push(r.clone());
        assert_eq!(
            names(&h),
            [rules::WEBHOOKS_UNAVAILABLE],
            "since the baseline"
        );
        at(&mut r, 400.0);
        h.push(r.clone());
        assert!(names(&h).is_empty(), "none in the last 5 minutes");
        // Lag: above the threshold and higher than 10 minutes ago.
        r.consumer_pending = 900;
        at(&mut r, 1000.0);
        h.push(r.clone());
        assert!(names(&h).is_empty(), "growing but under the threshold");
        r.consumer_pending = 6000;
        at(&mut r, 1700.0);
        h.push(r.clone());
        assert_eq!(names(&h), [rules::CONSUMER_LAG_GROWING]);
        r.consumer_pending = 4000;
        at(&mut r, 2400.0);
        h.push(r.clone());
        assert!(names(&h).is_empty(), "shrinking lag is not growing");
        // Repairs: more than 20 within an hour.
        r.shops
            .get_mut(SHOP)
            .unwrap()
            .repaired
            .insert("orders".into(), 15);
        at(&mut r, 2500.0);
        h.push(r.clone());
        assert!(names(&h).is_empty());
        r.shops
            .get_mut(SHOP)
            .unwrap()
            .repaired
            .insert("orders".into(), 40);
        at(&mut r, 2600.0);
        h.push(r.clone());
        let held = evaluate(&h);
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].rule.name, rules::RECONCILE_REPAIRING);
        assert_eq!(held[0].value, 40.0);
        at(&mut r, 2600.0 + 3700.0);
        h.push(r);
        assert!(names(&h).is_empty(), "an hour later the repairs are old");
    }
}
