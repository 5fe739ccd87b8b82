//! `xeno dead-letters list|replay`: the dead letters an operator sees on the dashboard, from
//! the command line, through the engine's API (`GET /api/dead-letters`,
//! `POST /api/dead-letters/{id}/replay`, `POST /api/dead-letters/replay`). Exit status 1 when a
//! replay failed.

use std::process::ExitCode;

use reqwest::Method;
use xeno_api_types::dead_letters::{DeadLettersResponse, ReplayResponse};

use crate::api_client::{print_table, ApiArgs, ApiClient};

#[derive(clap::Subcommand)]
pub enum DeadLettersCommand {
    /// List open dead letters (newest first), with why each failed.
    List {
        #[command(flatten)]
        api: ApiArgs,
        /// Only this shop's.
        #[arg(long)]
        shop: Option<String>,
        /// Also those already replayed.
        #[arg(long)]
        replayed: bool,
    },
    /// Republish dead letters to JetStream, for the writers to apply again.
    Replay {
        #[command(flatten)]
        api: ApiArgs,
        /// The dead letter to replay (its id in `list`).
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        id: Option<i64>,
        /// Every open dead letter the token sees (of `--shop` when given).
        #[arg(long)]
        all: bool,
        #[arg(long, requires = "all")]
        shop: Option<String>,
    },
}

pub async fn run(command: DeadLettersCommand) -> anyhow::Result<ExitCode> {
    match command {
        DeadLettersCommand::List {
            api,
            shop,
            replayed,
        } => {
            let mut query = vec![];
            if let Some(s) = &shop {
                query.push(format!("shop={s}"));
            }
            if replayed {
                query.push("replayed=true".to_string());
            }
            let path = format!("api/dead-letters?{}", query.join("&"));
            let (list, raw) = ApiClient::new(&api)?
                .call::<DeadLettersResponse>(Method::GET, &path)
                .await?;
            if api.json {
                println!("{}", serde_json::to_string_pretty(&raw)?);
            } else {
                print_list(&list);
            }
            Ok(ExitCode::SUCCESS)
        }
        DeadLettersCommand::Replay { api, id, shop, .. } => {
            let path = match (id, shop) {
                (Some(id), _) => format!("api/dead-letters/{id}/replay"),
                (None, Some(s)) => format!("api/dead-letters/replay?shop={s}"),
                (None, None) => "api/dead-letters/replay".to_string(),
            };
            let (done, raw) = ApiClient::new(&api)?
                .call::<ReplayResponse>(Method::POST, &path)
                .await?;
            if api.json {
                println!("{}", serde_json::to_string_pretty(&raw)?);
            } else {
                println!("replayed {} dead letter(s)", done.replayed.len());
                for f in &done.failed {
                    println!("failed {}: {}", f.id, f.error);
                }
            }
            Ok(if done.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn print_list(list: &DeadLettersResponse) {
    let rows: Vec<Vec<String>> = list
        .dead_letters
        .iter()
        .map(|d| {
            vec![
                d.id.to_string(),
                d.shop.clone().unwrap_or_else(|| "-".into()),
                d.topic.clone().unwrap_or_else(|| "-".into()),
                d.deliveries.to_string(),
                d.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                d.replayed_at.map_or_else(
                    || "open".into(),
                    |t| format!("replayed {}", t.format("%H:%M:%S")),
                ),
                d.reason.clone(),
            ]
        })
        .collect();
    print_table(
        &[
            "ID",
            "SHOP",
            "TOPIC",
            "DELIVERIES",
            "CREATED",
            "STATE",
            "REASON",
        ],
        &rows,
    );
    println!("\n{} open", list.open_count);
}
