//! What an `[[alerts]]` target receives: a Slack-compatible JSON body (`text`, which Slack's
//! incoming webhooks and most chat tools show as is, plus a `xeno` object for programs), signed
//! so a receiver can tell it came from this engine and was not replayed later.
//!
//! Signature: `X-Xeno-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with
//! `X-Xeno-Timestamp: <Unix seconds>`; a receiver recomputes it with the shared secret,
//! compares in constant time and refuses old timestamps. The body never holds a secret (no
//! URL, token or config value): only the alert, its labels and figures.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use super::conditions::Holding;

pub const SIGNATURE_HEADER: &str = "X-Xeno-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Xeno-Timestamp";

/// Whether an incident starts or ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Firing,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Resolved => "resolved",
        }
    }
}

/// One message: an incident firing, or its recovery.
#[derive(Debug, Clone)]
pub struct Notice {
    /// The same for an incident's firing and its recovery.
    pub incident: Uuid,
    pub status: Status,
    pub holding: Holding,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The engine process that raised it (host and pid), for several processes per job.
    pub instance: String,
}

impl Notice {
    /// The body as sent (JSON).
    pub fn body(&self) -> Vec<u8> {
        let h = &self.holding;
        let rule = h.rule;
        let labels: serde_json::Map<String, Value> = h
            .labels
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
            .collect();
        let where_ = h
            .labels
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let where_ = if where_.is_empty() {
            String::new()
        } else {
            format!(" [{where_}]")
        };
        let text = match self.status {
            Status::Firing => format!(
                ":rotating_light: FIRING {} ({}){where_}: {}\nrunbook: docs/operations.md#{}",
                rule.name,
                rule.severity.as_str(),
                h.summary,
                rule.runbook
            ),
            Status::Resolved => format!(
                ":white_check_mark: RESOLVED {}{where_} after {}: was \"{}\"",
                rule.name,
                humantime::format_duration(std::time::Duration::from_secs(
                    (self.resolved_at.unwrap_or(self.started_at) - self.started_at)
                        .num_seconds()
                        .max(0) as u64
                )),
                h.summary
            ),
        };
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let body = json!({
            "text": text,
            "xeno": {
                "incident": self.incident.to_string(),
                "alert": rule.name,
                "status": self.status.as_str(),
                "severity": rule.severity.as_str(),
                "labels": labels,
                "value": h.value,
                "summary": h.summary,
                "runbook": format!("docs/operations.md#{}", rule.runbook),
                "started_at": time(self.started_at),
                "resolved_at": self.resolved_at.map(time),
                "instance": self.instance,
            }
        });
        serde_json::to_vec(&body).expect("a JSON value always serialises")
    }
}

/// The `X-Xeno-Signature` value of `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!(
        "sha256={}",
        hex::encode(xeno_shopify::signature::mac(secret, &signed))
    )
}

#[cfg(test)]
mod tests {
    use super::super::rules;
    use super::*;

    #[test]
    fn firing_and_resolved_bodies_name_the_alert_and_never_a_secret() {
        let holding = Holding {
            rule: rules::find(rules::SYNC_FAILING).unwrap(),
            labels: vec![("shop", "acme.myshopify.com".into())],
            value: 3.0,
            summary: "sync of acme.myshopify.com fails (3 runs in a row)".into(),
        };
        let started: DateTime<Utc> = "2026-01-02T03:04:05Z".parse().unwrap();
        let mut n = Notice {
            incident: Uuid::nil(),
            status: Status::Firing,
            holding,
            started_at: started,
            resolved_at: None,
            instance: "host:1".into(),
        };
        let firing: Value = serde_json::from_slice(&n.body()).unwrap();
        assert_eq!(
            firing["text"],
            ":rotating_light: FIRING XenoSyncFailing (warning) [shop acme.myshopify.com]: sync of acme.myshopify.com fails (3 runs in a row)\nrunbook: docs/operations.md#xenosyncfailing"
        );
        assert_eq!(firing["xeno"]["labels"]["shop"], "acme.myshopify.com");
        assert_eq!(firing["xeno"]["resolved_at"], Value::Null);
        n.status = Status::Resolved;
        n.resolved_at = Some(started + chrono::Duration::seconds(150));
        let resolved: Value = serde_json::from_slice(&n.body()).unwrap();
        assert!(
            resolved["text"]
                .as_str()
                .unwrap()
                .starts_with(":white_check_mark: RESOLVED XenoSyncFailing [shop acme.myshopify.com] after 2m 30s"),
            "{resolved}"
        );
        assert_eq!(resolved["xeno"]["incident"], firing["xeno"]["incident"]);
    }

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let a = signature(b"k", 1, b"{}");
        assert!(a.starts_with("sha256=") && a.len() == 7 + 64);
        assert_ne!(a, signature(b"k", 2, b"{}"));
        assert_ne!(a, signature(b"k", 1, b"{ }"));
        assert_ne!(a, signature(b"j", 1, b"{}"));
    }
}
