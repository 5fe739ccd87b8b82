//! `[alerting]` and `[[alerts]]`: where the engine sends its own alerts (the conditions of
//! `ops/prometheus/alerts.yml`, for teams without Prometheus; `engine/src/alerts/`). Each
//! target's URL comes from an environment variable (a Slack incoming-webhook URL is itself a
//! secret), as does the key that signs its messages.

use std::collections::BTreeMap;
use std::time::Duration;

use super::raw::{RawAlertTarget, RawAlerting};
use super::types::{AlertTarget, AlertingConfig};
use super::validator::Validator;
use crate::alerts::rules;

type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// How often the conditions are evaluated unless `[alerting] every` says otherwise.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(15);

pub(super) fn alerting(
    v: &mut Validator,
    raw: RawAlerting,
    targets: Vec<RawAlertTarget>,
    env: Env<'_>,
) -> AlertingConfig {
    let every = v.duration("alerting.every", raw.every.as_deref(), DEFAULT_EVERY);
    let mut hold = BTreeMap::new();
    for (name, text) in raw.hold.unwrap_or_default() {
        let path = format!("alerting.hold.{name}");
        let Some(rule) = rules::find(&name) else {
            v.issue(
                &path,
                format!(
                    "`{name}` is not an alert; the alerts are {}",
                    rules::names()
                ),
            );
            continue;
        };
        match humantime::parse_duration(&text) {
            Ok(d) => {
                hold.insert(rule.name, d);
            }
            Err(e) => v.issue(
                &path,
                format!("`{text}` is not a duration like \"5m\" or \"0s\" ({e})"),
            ),
        }
    }
    let mut seen = BTreeMap::new();
    let targets = targets
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let p = |k: &str| format!("alerts[{i}].{k}");
            let name = t.name.unwrap_or_else(|| format!("alerts{i}"));
            v.unique_name(&mut seen, "alerts", i, &name);
            let url = v.secret_url(&p("url_env"), &t.url_env, env);
            let secret = t
                .secret_env
                .as_deref()
                .and_then(|var| v.secret_env(&p("secret_env"), var, env));
            let only = t.only.map(|names| {
                names
                    .iter()
                    .enumerate()
                    .filter_map(|(j, n)| match rules::find(n) {
                        Some(rule) => Some(rule.name),
                        None => {
                            v.issue(
                                &format!("alerts[{i}].only[{j}]"),
                                format!("`{n}` is not an alert; the alerts are {}", rules::names()),
                            );
                            None
                        }
                    })
                    .collect()
            });
            Some(AlertTarget {
                name,
                url: url?,
                secret,
                only,
            })
        })
        .collect();
    AlertingConfig {
        every,
        hold,
        targets,
    }
}
