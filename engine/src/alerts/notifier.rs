//! AlertNotifier: evaluates the alert conditions (`conditions.rs`) over the engine's metrics
//! every `[alerting] every`, and tells each `[[alerts]]` target once when an incident starts
//! (its condition held for the rule's `for:`) and once when it ends. Every incident is also a
//! line in the live log (WARN firing, INFO resolved), with or without targets.
//!
//! A message that cannot be delivered (the receiver down, a 5xx) waits in an in-memory queue
//! and is retried, in order, at the next evaluations; the queue keeps the newest
//! [`QUEUE_LIMIT`] messages. Incidents live in this process's memory: a restarted engine
//! announces a condition that still holds again, and several engine processes each announce
//! what they see (label `instance` tells them apart). The root supervisor
//! (`engine/src/supervisor.rs`) starts and restarts it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ractor::{Actor, ActorProcessingErr, ActorRef};
use uuid::Uuid;

use super::board::AlertBoard;
use super::conditions::{evaluate, History, Holding};
use super::message::{signature, Notice, Status, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::reading::Reading;
use super::rules::Rule;
use crate::config::{AlertTarget, Config};
use crate::metrics::Metrics;
use xeno_api_types::health::ActiveAlert;

/// Undelivered messages kept for retry; older ones are dropped (and logged).
pub const QUEUE_LIMIT: usize = 1000;

/// Messages the notifier handles.
#[derive(Debug)]
pub enum NotifierMsg {
    /// Evaluate now, announce what changed, then schedule the next evaluation.
    Tick,
}

pub struct AlertNotifier;

pub struct NotifierArgs {
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// Where the incidents holding now are shown (`/api/health`).
    pub board: AlertBoard,
}

/// An alert's name and labels: what makes one incident.
type IncidentKey = (String, Vec<(&'static str, String)>);

/// One alert for one set of labels, from when its condition first held.
struct Incident {
    id: Uuid,
    since: DateTime<Utc>,
    holding: Holding,
    /// Whether its firing message was queued (the condition held for the rule's `for:`).
    announced: bool,
}

pub struct NotifierState {
    args: NotifierArgs,
    http: reqwest::Client,
    history: History,
    incidents: BTreeMap<IncidentKey, Incident>,
    /// Messages not yet delivered, with the targets still owed each.
    queue: VecDeque<(Notice, Vec<usize>)>,
    instance: String,
    shops: Vec<String>,
}

impl Actor for AlertNotifier {
    type Msg = NotifierMsg;
    type State = NotifierState;
    type Arguments = NotifierArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let shops = args.config.shops.iter().map(|s| s.domain.clone()).collect();
        let mut state = NotifierState {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()?,
            history: History::default(),
            incidents: BTreeMap::new(),
            queue: VecDeque::new(),
            instance: instance_name(),
            shops,
            args,
        };
        // The baseline counters' growth is measured from.
        let baseline = state.read(Utc::now());
        state.history.push(baseline);
        myself.send_after(state.args.config.alerting.every, || NotifierMsg::Tick);
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        msg: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            NotifierMsg::Tick => {
                state.evaluate(Utc::now());
                state.args.board.set(state.active());
                state.deliver().await;
                myself.send_after(state.args.config.alerting.every, || NotifierMsg::Tick);
            }
        }
        Ok(())
    }
}

impl NotifierState {
    fn read(&self, now: DateTime<Utc>) -> Reading {
        let resources: Vec<&str> = xeno_shopify::Resource::ALL
            .iter()
            .map(|r| r.as_str())
            .collect();
        Reading::take(
            &self.args.metrics,
            &self.shops,
            &resources,
            now.timestamp_millis() as f64 / 1000.0,
        )
    }

    /// How long `rule`'s condition must hold here.
    fn hold(&self, rule: &Rule) -> Duration {
        self.args
            .config
            .alerting
            .hold
            .get(rule.name)
            .copied()
            .unwrap_or(rule.hold)
    }

    /// Takes a reading, opens, announces and closes incidents.
    fn evaluate(&mut self, now: DateTime<Utc>) {
        let reading = self.read(now);
        self.history.push(reading);
        let holding: BTreeMap<_, _> = evaluate(&self.history)
            .into_iter()
            .map(|h| ((h.rule.name.to_string(), h.labels.clone()), h))
            .collect();
        // Ended: announce the recovery of those that were announced.
        let ended: Vec<_> = self
            .incidents
            .keys()
            .filter(|k| !holding.contains_key(*k))
            .cloned()
            .collect();
        for key in ended {
            let Some(incident) = self.incidents.remove(&key) else {
                continue;
            };
            if incident.announced {
                tracing::info!(alert = %key.0, labels = ?key.1, incident = %incident.id, "alert resolved: {}", incident.holding.summary);
                self.enqueue(incident.notice(Status::Resolved, Some(now), &self.instance));
            }
        }
        // Holding: open new incidents, announce those held long enough.
        for (key, h) in holding {
            let hold = self.hold(h.rule);
            let incident = self.incidents.entry(key).or_insert_with(|| Incident {
                id: Uuid::new_v4(),
                since: now,
                holding: h.clone(),
                announced: false,
            });
            incident.holding = h;
            let held = (now - incident.since).to_std().unwrap_or_default();
            if !incident.announced && held >= hold {
                incident.announced = true;
                let notice = incident.notice(Status::Firing, None, &self.instance);
                let rule = notice.holding.rule;
                tracing::warn!(alert = rule.name, severity = rule.severity.as_str(), labels = ?notice.holding.labels, incident = %notice.incident, "alert firing: {}", notice.holding.summary);
                self.enqueue(notice);
            }
        }
    }

    /// The incidents holding now, most severe and oldest first.
    fn active(&self) -> Vec<ActiveAlert> {
        let mut out: Vec<ActiveAlert> = self
            .incidents
            .values()
            .map(|i| {
                let rule = i.holding.rule;
                ActiveAlert {
                    alert: rule.name.to_string(),
                    severity: rule.severity.as_str().to_string(),
                    state: if i.announced { "firing" } else { "pending" }.to_string(),
                    labels: i
                        .holding
                        .labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone()))
                        .collect(),
                    summary: i.holding.summary.clone(),
                    since: i.since,
                    runbook: format!("docs/operations.md#{}", rule.runbook),
                }
            })
            .collect();
        out.sort_by_key(|a| (a.severity != "critical", a.state != "firing", a.since));
        out
    }

    /// Queues `notice` for every target that wants its alert.
    fn enqueue(&mut self, notice: Notice) {
        let targets: Vec<usize> = self
            .args
            .config
            .alerting
            .targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.wants(notice.holding.rule.name))
            .map(|(i, _)| i)
            .collect();
        if targets.is_empty() {
            return;
        }
        self.queue.push_back((notice, targets));
        while self.queue.len() > QUEUE_LIMIT {
            if let Some((dropped, _)) = self.queue.pop_front() {
                tracing::error!(alert = dropped.holding.rule.name, incident = %dropped.incident, "alert message dropped: its targets did not take the last {QUEUE_LIMIT}");
            }
        }
    }

    /// Sends what is queued, oldest first; a target that fails is not tried again this round,
    /// so its messages stay in order.
    async fn deliver(&mut self) {
        let mut failed: Vec<usize> = Vec::new();
        let mut queue = std::mem::take(&mut self.queue);
        for (notice, owed) in queue.iter_mut() {
            let body = notice.body();
            let mut still = Vec::new();
            for &i in owed.iter() {
                let target = &self.args.config.alerting.targets[i];
                if failed.contains(&i) {
                    still.push(i);
                    continue;
                }
                match send(&self.http, target, &body).await {
                    Ok(()) => {
                        tracing::debug!(target = %target.name, alert = notice.holding.rule.name, status = notice.status.as_str(), "alert sent")
                    }
                    Err(e) => {
                        // The error names the target, never its URL (a credential).
                        tracing::warn!(target = %target.name, alert = notice.holding.rule.name, error = %e, "alert not delivered; retried at the next evaluation");
                        failed.push(i);
                        still.push(i);
                    }
                }
            }
            *owed = still;
        }
        queue.retain(|(_, owed)| !owed.is_empty());
        self.queue = queue;
    }
}

impl Incident {
    fn notice(&self, status: Status, resolved_at: Option<DateTime<Utc>>, instance: &str) -> Notice {
        Notice {
            incident: self.id,
            status,
            holding: self.holding.clone(),
            started_at: self.since,
            resolved_at,
            instance: instance.to_string(),
        }
    }
}

/// POSTs `body` to `target`, signed when it has a secret; an error says why without the URL.
async fn send(http: &reqwest::Client, target: &AlertTarget, body: &[u8]) -> Result<(), String> {
    let mut request = http
        .post(target.url.expose())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec());
    if let Some(secret) = &target.secret {
        let now = Utc::now().timestamp();
        request = request.header(TIMESTAMP_HEADER, now.to_string()).header(
            SIGNATURE_HEADER,
            signature(secret.expose().as_bytes(), now, body),
        );
    }
    match request.send().await {
        Ok(answer) if answer.status().is_success() => Ok(()),
        Ok(answer) => Err(format!("HTTP {}", answer.status().as_u16())),
        // reqwest's error would print the URL: keep only its kind.
        Err(e) if e.is_timeout() => Err("timed out".to_string()),
        Err(e) if e.is_connect() => Err("cannot connect".to_string()),
        Err(_) => Err("request failed".to_string()),
    }
}

/// `host:pid`, telling apart the engine processes that raise alerts.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "xeno".to_string());
    format!("{host}:{}", std::process::id())
}
