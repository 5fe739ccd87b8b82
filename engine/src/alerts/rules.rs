//! The alerts the engine raises itself (`[[alerts]]` in the TOML), named and held as the
//! Prometheus rules of `ops/prometheus/alerts.yml` are, so an operator hears the same thing
//! whichever way they listen. `cli/tests/alerts_webhook.rs` fails when the two lists or their
//! `for:` durations drift apart. Imports nothing: the config validator checks names against
//! this list.
//!
//! `XenoEngineDown` is Prometheus's alone (a process cannot report that it is not running).

use std::time::Duration;

/// How loud an alert is (the rules' `severity` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// One alert: its name, how loud, how long its condition must hold before it fires (the
/// rule's `for:`), and where its runbook is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub name: &'static str,
    pub severity: Severity,
    pub hold: Duration,
    /// The anchor of its runbook section in `docs/operations.md`.
    pub runbook: &'static str,
}

const fn rule(
    name: &'static str,
    severity: Severity,
    hold_secs: u64,
    runbook: &'static str,
) -> Rule {
    Rule {
        name,
        severity,
        hold: Duration::from_secs(hold_secs),
        runbook,
    }
}

pub const WEBHOOKS_UNAVAILABLE: &str = "XenoWebhooksUnavailable";
pub const CONSUMER_LAG_GROWING: &str = "XenoConsumerLagGrowing";
pub const DEAD_LETTERS_OPEN: &str = "XenoDeadLettersOpen";
pub const SYNC_FAILING: &str = "XenoSyncFailing";
pub const RECONCILE_OVERDUE: &str = "XenoReconcileOverdue";
pub const RECONCILE_REPAIRING: &str = "XenoReconcileRepairing";
pub const SUBSCRIPTION_MISSING: &str = "XenoSubscriptionMissing";
pub const STREAM_NEARLY_FULL: &str = "XenoStreamNearlyFull";
pub const POSTGRES_DOWN: &str = "XenoPostgresDown";
pub const NATS_DOWN: &str = "XenoNatsDown";
pub const ROLE_MISSING: &str = "XenoRoleMissing";

/// Every alert the engine evaluates, in the order of `ops/prometheus/alerts.yml`.
pub const RULES: [Rule; 11] = [
    rule(
        WEBHOOKS_UNAVAILABLE,
        Severity::Critical,
        120,
        "xenowebhooksunavailable",
    ),
    rule(
        CONSUMER_LAG_GROWING,
        Severity::Warning,
        600,
        "xenoconsumerlaggrowing",
    ),
    rule(
        DEAD_LETTERS_OPEN,
        Severity::Warning,
        300,
        "xenodeadlettersopen",
    ),
    rule(SYNC_FAILING, Severity::Warning, 900, "xenosyncfailing"),
    rule(
        RECONCILE_OVERDUE,
        Severity::Warning,
        300,
        "xenoreconcileoverdue",
    ),
    rule(
        RECONCILE_REPAIRING,
        Severity::Warning,
        0,
        "xenoreconcilerepairing",
    ),
    rule(
        SUBSCRIPTION_MISSING,
        Severity::Critical,
        600,
        "xenosubscriptionmissing",
    ),
    rule(
        STREAM_NEARLY_FULL,
        Severity::Critical,
        300,
        "xenostreamnearlyfull",
    ),
    rule(POSTGRES_DOWN, Severity::Critical, 60, "xenopostgresdown"),
    rule(NATS_DOWN, Severity::Critical, 60, "xenonatsdown"),
    rule(ROLE_MISSING, Severity::Critical, 120, "xenorolemissing"),
];

/// Thresholds shared with `ops/prometheus/alerts.yml`.
pub mod thresholds {
    use std::time::Duration;

    /// Window over which 503 answers are counted.
    pub const UNAVAILABLE_WINDOW: Duration = Duration::from_secs(300);
    /// Lag counts as growing above this many waiting messages, compared over the window.
    pub const LAG_MESSAGES: i64 = 1000;
    pub const LAG_WINDOW: Duration = Duration::from_secs(600);
    /// Reconciliation is overdue past this many times its interval.
    pub const OVERDUE_FACTOR: f64 = 2.0;
    /// More repairs than this per resource within the window mean webhooks are missing.
    pub const REPAIRS: u64 = 20;
    pub const REPAIRS_WINDOW: Duration = Duration::from_secs(3600);
    /// The stream counts as nearly full above this fraction of a limit.
    pub const STREAM_FULL: f64 = 0.8;
}

/// The rule named `name`.
pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name)
}

/// Every name, for error messages.
pub fn names() -> String {
    RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
}
