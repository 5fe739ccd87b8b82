//! System health: the alerts holding now (the engine's own evaluation of
//! `ops/prometheus/alerts.yml`), components up/down, the queue (depth, lag), throughput, the
//! processes of the deployment and their roles (the process registry), the doctor's
//! findings (token, scopes, API version, webhook subscriptions, each with its fix), each
//! resource's stored count beside Shopify's (`completeness.rs`), dead
//! letters with replay, and per shop the rate-limit bucket, sync progress (bar, rate, ETA) and
//! the "Sync now" buttons (`POST /api/sync`).

use serde_json::{json, Value};
use yew::prelude::*;

use xeno_api_types::dead_letters::{DeadLettersResponse, ReplayResponse};
use xeno_api_types::doctor::{DoctorReport, FindingStatus};
use xeno_api_types::health::{ActiveAlert, HealthResponse, ShopHealth};
use xeno_api_types::sync::{ShopSync, SyncStatusResponse};

use crate::api::{self, CallError};
use crate::completeness::CompletenessCard;
use crate::util::{ago, duration, short_time, use_poll, Session};

fn badge(up: bool) -> Html {
    html! { <span class={classes!("pill", if up { "ok" } else { "bad" })}>{ if up { "up" } else { "down" } }</span> }
}

fn rate(v: Option<f64>) -> String {
    v.map(|r| format!("{r:.1}/s")).unwrap_or_else(|| "—".into())
}

fn count(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
}

#[function_component(SystemHealth)]
pub fn system_health() -> Html {
    let session = use_context::<Session>().expect("session context");
    let refresh = use_state(|| 0u32);
    let health = use_poll::<HealthResponse>("/api/health".into(), 3_000, *refresh);
    let sync = use_poll::<SyncStatusResponse>("/api/sync-status?events=20".into(), 3_000, *refresh);
    let letters =
        use_poll::<DeadLettersResponse>("/api/dead-letters?limit=50".into(), 5_000, *refresh);
    let notice = use_state(|| None::<(bool, String)>);
    let act = act_callback(session, notice.clone(), refresh);

    let Some(h) = health.data.clone() else {
        return html! { <p class="muted">{ health.error.as_ref().map(|e| e.describe()).unwrap_or_else(|| "Loading…".into()) }</p> };
    };
    let syncs = sync
        .data
        .as_ref()
        .map(|s| s.shops.clone())
        .unwrap_or_default();
    html! {
        <section class="health">
            if let Some((ok, text)) = &*notice {
                <div class={classes!("notice", if *ok { "ok" } else { "bad" })}>{ text.clone() }</div>
            }
            { alerts_card(&h.alerts) }
            <div class="grid">
                { components_card(&h) }
                { queue_card(&h) }
                { processes_card(&h) }
            </div>
            { doctor_card(h.doctor.as_ref()) }
            <CompletenessCard />
            <h2 class="section">{ "Shops" }</h2>
            <div class="grid">
                { for h.shops.iter().map(|s| shop_card(s, syncs.iter().find(|x| x.shop == s.shop), &act)) }
            </div>
            { dead_letter_card(letters.data.as_deref(), &act) }
            if let Some(s) = &sync.data {
                { events_card(s) }
            }
        </section>
    }
}

/// Runs a POST, shows its outcome, refreshes the panels.
fn act_callback(
    session: Session,
    notice: UseStateHandle<Option<(bool, String)>>,
    refresh: UseStateHandle<u32>,
) -> Act {
    Callback::from(move |(path, body, done): (String, Option<Value>, String)| {
        let session = session.clone();
        let notice = notice.clone();
        let refresh = refresh.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = api::post::<Value>(&path, &session.token, body).await;
            session.note(&result);
            notice.set(Some(outcome(result, &path, done)));
            refresh.set(*refresh + 1);
        });
    })
}

/// What to tell the operator about a POST's answer: success, or what failed.
fn outcome(result: Result<Value, CallError>, path: &str, done: String) -> (bool, String) {
    match result {
        Ok(v) => {
            // Replays answer a ReplayResponse; `POST /api/sync` a SyncQueued.
            let failed = serde_json::from_value::<ReplayResponse>(v)
                .map(|r| r.failed)
                .unwrap_or_default();
            if !failed.is_empty() {
                let listed = serde_json::to_string(&failed).unwrap_or_default();
                (
                    false,
                    format!("{done}, but {} failed: {listed}", failed.len()),
                )
            } else {
                (true, done)
            }
        }
        Err(CallError::Status(404 | 405 | 501, _)) if path == "/api/sync" => (
            false,
            "This engine has no sync API yet (POST /api/sync answered 404/501).".into(),
        ),
        Err(e) => (false, e.describe()),
    }
}

fn components_card(h: &HealthResponse) -> Html {
    html! {
        <div class="card">
            <div class="card-head"><h2>{ "Components" }</h2>
                <span class={classes!("pill", if h.status == "ok" { "ok" } else { "bad" })}>{ h.status.clone() }</span></div>
            <table>
                <tbody>
                    <tr><td>{ "PostgreSQL" }</td><td>{ badge(h.postgres.up) }</td><td class="small muted">{ h.postgres.error.clone().unwrap_or_default() }</td></tr>
                    <tr><td>{ "JetStream" }</td><td>{ badge(h.jetstream.up) }</td><td class="small muted">{ h.jetstream.error.clone().unwrap_or_default() }</td></tr>
                    { for h.components.iter().map(|(name, c)| html! {
                        <tr>
                            <td>{ name.clone() }</td>
                            <td>{ badge(c.up) }</td>
                            <td class="small muted">
                                { format!("{} restart{} · since {}", c.restarts, if c.restarts == 1 { "" } else { "s" }, short_time(&c.since)) }
                                if let Some(e) = &c.last_error { <div class="error">{ e.clone() }</div> }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="small muted">{ format!("Up {}", duration(h.uptime_seconds as f64)) }</p>
        </div>
    }
}

fn finding_pill(status: FindingStatus) -> Html {
    let class = match status {
        FindingStatus::Ok => "ok",
        FindingStatus::Warn => "warn",
        FindingStatus::Error => "bad",
    };
    html! { <span class={classes!("pill", class)}>{ status.to_string() }</span> }
}

/// The alert conditions holding now: firing ones were sent to the `[[alerts]]` targets,
/// pending ones have not held for their rule's `for:` yet. Nothing when all is well.
fn alerts_card(alerts: &[ActiveAlert]) -> Html {
    if alerts.is_empty() {
        return html! {};
    }
    html! {
        <div class="card alerts">
            <div class="card-head"><h2>{ "Alerts" }</h2></div>
            <table>
                <thead><tr><th>{ "Alert" }</th><th>{ "State" }</th><th>{ "Where" }</th><th>{ "What" }</th><th>{ "Since" }</th><th>{ "Runbook" }</th></tr></thead>
                <tbody>
                    { for alerts.iter().map(|a| {
                        let class = match (a.state.as_str(), a.severity.as_str()) {
                            ("firing", "critical") => "bad",
                            _ => "warn",
                        };
                        let place = a
                            .labels
                            .iter()
                            .map(|(k, v)| format!("{k} {v}"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        html! {
                            <tr>
                                <td>{ a.alert.clone() }</td>
                                <td><span class={classes!("pill", class)}>{ format!("{} {}", a.severity, a.state) }</span></td>
                                <td class="small">{ place }</td>
                                <td class="small">{ a.summary.clone() }</td>
                                <td class="small">{ ago(Some(&a.since)) }</td>
                                <td class="small muted">{ a.runbook.clone() }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// The checks `xeno doctor` runs, as the engine last ran them: one row per finding, the fix
/// beside what is wrong.
fn doctor_card(report: Option<&DoctorReport>) -> Html {
    let Some(report) = report else {
        return html! {
            <div class="card"><h2>{ "Doctor" }</h2><p class="small muted">{ "The first checks are running…" }</p></div>
        };
    };
    html! {
        <div class="card">
            <div class="card-head"><h2>{ "Doctor" }</h2>{ finding_pill(report.worst()) }</div>
            <table>
                <thead><tr><th>{ "Shop" }</th><th>{ "Check" }</th><th>{ "Status" }</th><th>{ "What" }</th><th>{ "Fix" }</th></tr></thead>
                <tbody>
                    { for report.findings.iter().map(|f| html! {
                        <tr>
                            <td>{ f.shop.clone() }</td>
                            <td>{ f.check.clone() }</td>
                            <td>{ finding_pill(f.status) }</td>
                            <td class="small">{ f.detail.clone() }</td>
                            <td class="small muted">{ f.fix.clone().unwrap_or_default() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="small muted">{ format!("Checked {}", short_time(&report.checked_at)) }</p>
        </div>
    }
}

/// Every process of the deployment alive in the process registry, with its roles; the one
/// answering is marked by its roles in the heading.
fn processes_card(h: &HealthResponse) -> Html {
    html! {
        <div class="card">
            <div class="card-head"><h2>{ "Processes" }</h2>
                <span class="small muted">{ format!("this one: {}", h.roles.join(", ")) }</span></div>
            <table>
                <thead><tr><th>{ "Host" }</th><th>{ "PID" }</th><th>{ "Roles" }</th><th>{ "Seen" }</th></tr></thead>
                <tbody>
                    { for h.processes.iter().map(|p| html! {
                        <tr>
                            <td>{ p.host.clone() }</td>
                            <td>{ p.pid }</td>
                            <td>{ for p.roles.iter().map(|r| html! { <span class="pill ok">{ r.clone() }</span> }) }</td>
                            <td class="small muted">{ ago(Some(&p.last_seen)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn queue_card(h: &HealthResponse) -> Html {
    html! {
        <div class="card">
            <h2>{ "Queue and throughput" }</h2>
            <dl class="stats">
                <dt>{ "Messages in stream" }</dt><dd>{ count(h.queue.stream_messages) }</dd>
                <dt>{ "Consumer lag" }</dt><dd>{ count(h.queue.consumer_pending) }</dd>
                <dt>{ "Awaiting ack" }</dt><dd>{ count(h.queue.consumer_ack_pending) }</dd>
                if let Some(t) = &h.throughput {
                    <dt>{ "Webhooks acked" }</dt><dd>{ format!("{} ({})", t.webhooks_acked, rate(t.webhooks_acked_per_second)) }</dd>
                    <dt>{ "Writer messages" }</dt><dd>{ format!("{} ({})", t.writer_messages, rate(t.writer_messages_per_second)) }</dd>
                    <dt>{ "Publish failures" }</dt><dd>{ t.publish_failures }</dd>
                }
                <dt>{ "Dead letters open" }</dt><dd>{ h.dead_letters_open }</dd>
            </dl>
        </div>
    }
}

fn events_card(s: &SyncStatusResponse) -> Html {
    html! {
        <div class="card">
            <h2>{ "Latest events" }</h2>
            <div class="terminal short">
                { for s.events.iter().map(|e| html! {
                    <div class={classes!("line", e.level.to_ascii_lowercase())}>
                        <span class="t">{ short_time(&e.at) }</span>
                        <span class="lvl">{ e.level.clone() }</span>
                        if let Some(shop) = &e.shop { <span class="shop">{ shop.clone() }</span> }
                        <span class="msg">{ e.message.clone() }</span>
                    </div>
                }) }
            </div>
        </div>
    }
}

type Act = Callback<(String, Option<Value>, String)>;

fn shop_card(s: &ShopHealth, sync: Option<&ShopSync>, act: &Act) -> Html {
    let bucket = match (s.bucket_available, s.bucket_maximum) {
        (Some(a), Some(m)) if m > 0.0 => {
            let pct = (a / m * 100.0).clamp(0.0, 100.0);
            html! {
                <div>
                    <div class="small">{ format!("Rate-limit bucket {a:.0} / {m:.0}") }</div>
                    <div class="bar-track"><div class="bar-fill" style={format!("width: {pct:.1}%")}></div></div>
                </div>
            }
        }
        _ => {
            html! { <div class="small muted">{ "Rate-limit bucket: no Admin API call yet" }</div> }
        }
    };
    let sync_button = |mode: &'static str, label: &'static str| {
        let act = act.clone();
        let shop = s.shop.clone();
        let onclick = Callback::from(move |_| {
            act.emit((
                "/api/sync".into(),
                Some(json!({ "shop": shop, "mode": mode })),
                format!("{label} sync of {shop} requested"),
            ))
        });
        html! { <button {onclick}>{ label }</button> }
    };
    html! {
        <div class="card">
            <div class="card-head"><h3>{ s.shop.clone() }</h3>
                if sync.is_some_and(|x| x.running) { <span class="pill ok">{ "syncing" }</span> }</div>
            <dl class="stats">
                <dt>{ "Last webhook" }</dt><dd>{ ago(s.last_webhook_at.as_ref()) }</dd>
                <dt>{ "Webhooks accepted" }</dt><dd>{ s.webhooks_accepted }</dd>
                <dt>{ "Last reconciled" }</dt><dd>{ ago(sync.and_then(|x| x.last_reconciled_at.as_ref())) }</dd>
                <dt>{ "Dead letters" }</dt><dd>{ s.dead_letters_open }</dd>
            </dl>
            { bucket }
            { for sync.iter().flat_map(|x| x.resources.iter()).map(|r| {
                let running = r.status == "running";
                let bar = match r.progress {
                    Some(p) => html! { <div class="bar-track"><div class="bar-fill" style={format!("width: {:.1}%", p * 100.0)}></div></div> },
                    None if running => html! { <div class="bar-track"><div class="bar-fill indeterminate"></div></div> },
                    None => html! {},
                };
                html! {
                    <div class="resource">
                        <div class="small">
                            <strong>{ r.resource.clone() }</strong>
                            { format!(" · {}{} · {} objects · {}", r.status, r.mode.as_deref().map(|m| format!(" ({m})")).unwrap_or_default(), r.objects_done, rate(r.rate_per_second)) }
                            if let Some(eta) = r.eta_seconds { { format!(" · ETA {}", duration(eta)) } }
                        </div>
                        { bar }
                        if let Some(e) = &r.last_error { <div class="error small">{ e.clone() }</div> }
                    </div>
                }
            }) }
            <div class="actions">
                { sync_button("incremental", "Sync now") }
                { sync_button("full", "Full sync") }
            </div>
        </div>
    }
}

fn dead_letter_card(letters: Option<&DeadLettersResponse>, act: &Act) -> Html {
    let Some(letters) = letters else {
        return html! {};
    };
    let replay_all = {
        let act = act.clone();
        Callback::from(move |_| {
            act.emit((
                "/api/dead-letters/replay".into(),
                None,
                "Dead letters replayed".into(),
            ))
        })
    };
    html! {
        <div class="card">
            <div class="card-head">
                <h2>{ format!("Dead letters ({} open)", letters.open_count) }</h2>
                if letters.open_count > 0 { <button onclick={replay_all}>{ "Replay all" }</button> }
            </div>
            if letters.dead_letters.is_empty() {
                <p class="muted">{ "None: every message was applied." }</p>
            } else {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th>{ "Id" }</th><th>{ "Shop / topic" }</th><th>{ "Reason" }</th><th>{ "When" }</th><th></th></tr></thead>
                        <tbody>
                            { for letters.dead_letters.iter().map(|d| {
                                let act = act.clone();
                                let id = d.id;
                                let onclick = Callback::from(move |_| {
                                    act.emit((format!("/api/dead-letters/{id}/replay"), None, format!("Dead letter {id} replayed")))
                                });
                                html! {
                                    <tr>
                                        <td>{ d.id }</td>
                                        <td class="small">{ d.shop.clone().unwrap_or_else(|| "—".into()) }<div class="muted">{ d.topic.clone().unwrap_or_default() }</div></td>
                                        <td class="small">{ d.reason.clone() }<div class="muted">{ format!("{} deliveries", d.deliveries) }</div></td>
                                        <td class="small">{ short_time(&d.created_at) }</td>
                                        <td><button {onclick}>{ "Replay" }</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </div>
    }
}
