//! `xeno health`: what the dashboard's health view shows, from the command line, through
//! `GET /api/health`: the engine's status, its dependencies, each actor, the queue, dead
//! letters, the alerts holding now and each shop, then the doctor's latest findings that are
//! not ok. Exit status 1
//! when the engine says it is degraded.

use std::process::ExitCode;

use reqwest::Method;
use xeno_api_types::doctor::FindingStatus;
use xeno_api_types::health::{Dependency, HealthResponse};

use crate::api_client::{print_table, ApiArgs, ApiClient};

pub async fn run(api: ApiArgs) -> anyhow::Result<ExitCode> {
    let (h, raw) = ApiClient::new(&api)?
        .call::<HealthResponse>(Method::GET, "api/health")
        .await?;
    if api.json {
        println!("{}", serde_json::to_string_pretty(&raw)?);
    } else {
        print_health(&h);
    }
    Ok(if h.status == "ok" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn dependency(d: &Dependency) -> String {
    match (&d.up, &d.error) {
        (true, _) => "up".into(),
        (false, Some(e)) => format!("DOWN: {e}"),
        (false, None) => "DOWN".into(),
    }
}

fn print_health(h: &HealthResponse) {
    println!("status      {} (up {} s)", h.status, h.uptime_seconds);
    println!("postgres    {}", dependency(&h.postgres));
    println!("jetstream   {}", dependency(&h.jetstream));
    let n = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    println!(
        "queue       {} in the stream, {} pending, {} awaiting ack",
        n(h.queue.stream_messages),
        n(h.queue.consumer_pending),
        n(h.queue.consumer_ack_pending)
    );
    println!("dead letters {} open", h.dead_letters_open);
    println!("roles       {} (this process)", h.roles.join(","));
    let down: Vec<String> = h
        .components
        .iter()
        .filter(|(_, c)| !c.up)
        .map(|(name, c)| format!("{name} ({})", c.last_error.as_deref().unwrap_or("down")))
        .collect();
    println!(
        "actors      {} up{}",
        h.components.len() - down.len(),
        if down.is_empty() {
            String::new()
        } else {
            format!(", down: {}", down.join(", "))
        }
    );
    if h.alerts.is_empty() {
        println!("alerts      none");
    }
    for a in &h.alerts {
        let place: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let place = if place.is_empty() {
            String::new()
        } else {
            format!(" [{}]", place.join(", "))
        };
        println!(
            "alert       {} {} {}{place}: {} (since {}; runbook {})",
            a.alert,
            a.severity,
            a.state,
            a.summary,
            a.since.format("%Y-%m-%d %H:%M:%S"),
            a.runbook
        );
    }
    println!();
    let rows: Vec<Vec<String>> = h
        .shops
        .iter()
        .map(|s| {
            vec![
                s.shop.clone(),
                s.webhooks_accepted.to_string(),
                s.last_webhook_at
                    .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
                s.dead_letters_open.to_string(),
            ]
        })
        .collect();
    print_table(&["SHOP", "WEBHOOKS", "LAST WEBHOOK", "DEAD LETTERS"], &rows);
    println!();
    let processes: Vec<Vec<String>> = h
        .processes
        .iter()
        .map(|p| {
            vec![
                p.host.clone(),
                p.pid.to_string(),
                p.roles.join(","),
                p.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                p.last_seen.format("%H:%M:%S").to_string(),
            ]
        })
        .collect();
    print_table(
        &["HOST", "PID", "ROLES", "STARTED", "LAST SEEN"],
        &processes,
    );
    let Some(report) = &h.doctor else { return };
    for f in report
        .findings
        .iter()
        .filter(|f| f.status != FindingStatus::Ok)
    {
        println!("\n{} {} {}: {}", f.shop, f.check, f.status, f.detail);
        if let Some(fix) = &f.fix {
            println!("  fix: {fix}");
        }
    }
}
