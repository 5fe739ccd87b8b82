//! The engine's HTTP API as the operator commands use it (`xeno dead-letters`, `xeno health`):
//! the API is the source, the command line one more client of it. One base URL, a bearer token
//! read from an environment variable (never an argument, so it stays out of shell history and
//! process lists), answers decoded with the dashboard's own types (`api-types/`), and an
//! error answer shown with the API's own words (`ErrorBody`).

use anyhow::{anyhow, bail, Context};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;
use xeno_api_types::error::ErrorBody;

/// Where the engine is and how to authenticate, shared by every operator command.
#[derive(clap::Args)]
pub struct ApiArgs {
    /// The engine's base URL.
    #[arg(long, env = "XENO_URL", default_value = "http://127.0.0.1:4000")]
    pub url: Url,
    /// The environment variable holding an API token (one of the config's `[[api_tokens]]`).
    #[arg(long, default_value = "XENO_API_TOKEN")]
    pub token_env: String,
    /// Print the API's JSON answer instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// A client of one engine's API.
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    token: String,
}

impl ApiClient {
    pub fn new(args: &ApiArgs) -> anyhow::Result<ApiClient> {
        let token = std::env::var(&args.token_env)
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                anyhow!(
                    "set {} to an API token of the engine's config ([[api_tokens]]), or name another variable with --token-env",
                    args.token_env
                )
            })?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(ApiClient {
            http,
            base: args.url.clone(),
            token,
        })
    }

    /// `method path` (with its query), decoded as `T`; also the JSON as answered.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
    ) -> anyhow::Result<(T, Value)> {
        self.send(method, path, None).await
    }

    /// Like [`ApiClient::call`], with a JSON request body.
    pub async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(T, Value)> {
        let url = self
            .base
            .join(path)
            .with_context(|| format!("{path} under {}", self.base))?;
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let answer = request
            .send()
            .await
            .with_context(|| format!("cannot reach the engine at {}", self.base))?;
        let status = answer.status();
        let body: Value = answer
            .json()
            .await
            .with_context(|| format!("{method} {url}: HTTP {status} without a JSON body"))?;
        if !status.is_success() {
            match serde_json::from_value::<ErrorBody>(body.clone()) {
                Ok(e) => bail!("{method} {path}: HTTP {}: {}", status.as_u16(), e.error),
                Err(_) => bail!("{method} {path}: HTTP {}: {body}", status.as_u16()),
            }
        }
        let typed = serde_json::from_value(body.clone())
            .with_context(|| format!("{method} {path}: unexpected answer {body}"))?;
        Ok((typed, body))
    }
}

/// Prints `rows` under `header` in columns as wide as their widest cell.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", text.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
