//! The checks of one shop, cheapest first: the API version (no request), the token and its
//! scopes (one REST call, `sync/scopes.rs`), then the webhook subscriptions (the sync's own
//! `webhookSubscriptions` listing, `sync/subscriptions.rs`). A rejected or missing token stops
//! the checks that need it: their findings would only repeat it.

use std::sync::Arc;
use std::time::Duration;

use xeno_api_types::doctor::{Finding, FindingStatus};
use xeno_shopify::versions::{self, VersionStatus};
use xeno_shopify::Resource;

use crate::config::{Config, ShopConfig};
use crate::metrics::{Metrics, ShopLabels};
use crate::sync::graphql_client::GraphqlClient;
use crate::sync::scopes::{self, ScopesError, READ_ALL_ORDERS};
use crate::sync::selection::{self, OffReason, Selection};
use crate::sync::subscriptions;

/// Longest wait for the subscriptions listing (the GraphQL client retries transient failures).
const SUBSCRIPTIONS_TIMEOUT: Duration = Duration::from_secs(30);

/// The check names, as the findings and the dashboard spell them.
pub const API_VERSION: &str = "api_version";
pub const TOKEN: &str = "token";
pub const SCOPES: &str = "scopes";
pub const WEBHOOKS: &str = "webhooks";

fn finding(shop: &ShopConfig, check: &str, status: FindingStatus, detail: String) -> Finding {
    Finding {
        shop: shop.domain.clone(),
        check: check.to_string(),
        status,
        detail,
        fix: None,
    }
}

fn problem(
    shop: &ShopConfig,
    check: &str,
    status: FindingStatus,
    detail: String,
    fix: String,
) -> Finding {
    Finding {
        fix: Some(fix),
        ..finding(shop, check, status, detail)
    }
}

/// Every finding of shop `index` of the config.
pub async fn check_shop(
    config: &Config,
    index: usize,
    shop: &ShopConfig,
    metrics: Arc<Metrics>,
) -> Vec<Finding> {
    let mut out = vec![api_version(index, shop)];
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .build();
    let granted = match http {
        Ok(http) => scopes::granted(&http, shop).await,
        Err(e) => Err(ScopesError::Unreachable(e.to_string())),
    };
    let granted = match granted {
        Ok(granted) => granted,
        Err(e) => {
            out.push(token_problem(index, shop, e));
            return out;
        }
    };
    out.push(finding(
        shop,
        TOKEN,
        FindingStatus::Ok,
        "the Admin API accepts the token".into(),
    ));
    let selection = selection::select(&shop.resources, Some(&granted));
    out.extend(scope_findings(index, shop, &selection, &granted));
    out.push(webhooks(config, shop, &selection.on, metrics).await);
    out
}

fn api_version(index: usize, shop: &ShopConfig) -> Finding {
    let v = &shop.api_version;
    let fix = format!(
        "set shops[{index}].api_version = \"{}\" (or remove it: the latest stable is the default), then `xeno check-api --version {}` to see what changes",
        versions::LATEST_STABLE,
        versions::LATEST_STABLE
    );
    match versions::status(v) {
        VersionStatus::Latest => finding(shop, API_VERSION, FindingStatus::Ok, format!("{v} (latest stable)")),
        VersionStatus::Stable => finding(shop, API_VERSION, FindingStatus::Ok, format!("{v} (supported; the latest stable is {})", versions::LATEST_STABLE)),
        VersionStatus::ReleaseCandidate | VersionStatus::Unstable => problem(
            shop,
            API_VERSION,
            FindingStatus::Warn,
            format!("{v} is not a stable version: Shopify may change it without notice"),
            fix,
        ),
        VersionStatus::Retired => problem(
            shop,
            API_VERSION,
            FindingStatus::Error,
            format!("{v} is retired: Shopify answers it as {} (the oldest supported), so the engine's documents and webhooks disagree with what it gets", versions::OLDEST_SUPPORTED),
            fix,
        ),
        status @ (VersionStatus::Unreleased | VersionStatus::Malformed) => problem(
            shop,
            API_VERSION,
            FindingStatus::Error,
            format!("`{v}` is {status}: Shopify answers 404; it supports {}", versions::supported_list()),
            fix,
        ),
    }
}

fn token_problem(index: usize, shop: &ShopConfig, e: ScopesError) -> Finding {
    let env =
        format!("the variable shops[{index}].access_token_env names (e.g. SHOPIFY_ACCESS_TOKEN_…)");
    let (detail, fix) = match e {
        ScopesError::NoToken => (
            "no access token: shops[].access_token_env is not set, so nothing is synced".to_string(),
            format!("set shops[{index}].access_token_env to the variable holding the shop's Admin API access token"),
        ),
        ScopesError::Rejected => (
            e.to_string(),
            format!("set {env} to the shop's current Admin API access token, or reinstall the app to get a new one"),
        ),
        ScopesError::Status { .. } => (
            format!("the Admin API refused the access scopes look-up: {e}"),
            format!("check shops[{index}].admin_url ({}) and that the app is installed on {}", shop.admin_url, shop.domain),
        ),
        ScopesError::Unreachable(_) => (
            format!("the Admin API at {} is unreachable: {e}", shop.admin_url),
            format!("check shops[{index}].admin_url and the network"),
        ),
    };
    problem(shop, TOKEN, FindingStatus::Error, detail, fix)
}

/// What the granted scopes mean for the shop's resources (`sync/selection.rs`): a resource
/// the config lists without its scope is an error, one off by default for lack of its scope a
/// warning, as is a missing `read_all_orders` when orders are kept.
fn scope_findings(
    index: usize,
    shop: &ShopConfig,
    selection: &Selection,
    granted: &[String],
) -> Vec<Finding> {
    let key = format!("shops[{index}].resources");
    let (mut listed, mut unlisted) = (Vec::new(), Vec::new());
    for off in &selection.off {
        if let OffReason::MissingScope { scope, listed: l } = off.reason {
            let entry = format!("{} ({scope})", off.resource);
            if l {
                listed.push((entry, scope))
            } else {
                unlisted.push((entry, scope))
            }
        }
    }
    let mut out = Vec::new();
    let names = |v: &[(String, &str)]| {
        v.iter()
            .map(|(e, _)| e.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let scopes = |v: &[(String, &str)]| v.iter().map(|(_, s)| *s).collect::<Vec<_>>().join(", ");
    if !listed.is_empty() {
        out.push(problem(
            shop,
            SCOPES,
            FindingStatus::Error,
            format!("{key} lists {} but the token lacks the scope: Shopify answers ACCESS_DENIED, so they are not synced", names(&listed)),
            format!("add {} to the app's access scopes and have the merchant approve them (reinstall), or remove them from {key}", scopes(&listed)),
        ));
    }
    if !unlisted.is_empty() {
        out.push(problem(
            shop,
            SCOPES,
            FindingStatus::Warn,
            format!("off for lack of a scope: {}; the other resources sync", names(&unlisted)),
            format!("add {} to the app's access scopes and reinstall to keep them too, or list the resources to keep in {key}", scopes(&unlisted)),
        ));
    }
    if selection.on.contains(&Resource::Orders) && !scopes::reads_all_orders(granted) {
        out.push(problem(
            shop,
            SCOPES,
            FindingStatus::Warn,
            format!("missing {READ_ALL_ORDERS}: backfill returns only the last 60 days of orders"),
            format!("request {READ_ALL_ORDERS} for the app (Partner Dashboard, protected customer data), add it to the app's scopes and reinstall"),
        ));
    }
    if out.is_empty() {
        let on: Vec<&str> = selection.on.iter().map(|r| r.as_str()).collect();
        out.push(finding(
            shop,
            SCOPES,
            FindingStatus::Ok,
            format!("granted: {}; keeping {}", granted.join(", "), on.join(", ")),
        ));
    }
    out
}

/// Whether every topic of the resources `on` is subscribed to this engine. The count of those
/// that are not goes to `subscriptions_missing` (Shopify removing one shows there, and
/// `ops/prometheus/alerts.yml` alerts on it); a listing that fails leaves the gauge as it was.
async fn webhooks(
    config: &Config,
    shop: &ShopConfig,
    on: &[Resource],
    metrics: Arc<Metrics>,
) -> Finding {
    let Some(public_url) = &config.server.public_url else {
        return problem(
            shop,
            WEBHOOKS,
            FindingStatus::Warn,
            "server.public_url is not set: the engine neither creates nor checks webhook subscriptions".into(),
            "set server.public_url to the address Shopify reaches this engine at".into(),
        );
    };
    let callback = match subscriptions::callback_url(public_url) {
        Ok(c) => c,
        Err(e) => {
            return problem(
                shop,
                WEBHOOKS,
                FindingStatus::Error,
                e.to_string(),
                "fix server.public_url".into(),
            )
        }
    };
    let subscriptions_gauge = metrics.clone();
    let listed = async {
        let client = GraphqlClient::new(shop, metrics).map_err(|e| e.to_string())?;
        subscriptions::list(&client)
            .await
            .map_err(|e| e.to_string())
    };
    let existing = match tokio::time::timeout(SUBSCRIPTIONS_TIMEOUT, listed).await {
        Ok(Ok(existing)) => existing,
        Ok(Err(e)) => {
            return problem(
                shop,
                WEBHOOKS,
                FindingStatus::Error,
                format!("cannot list webhook subscriptions: {e}"),
                "see the token and api_version findings above".into(),
            )
        }
        Err(_) => {
            return problem(
                shop,
                WEBHOOKS,
                FindingStatus::Error,
                "listing webhook subscriptions timed out".into(),
                "check the Admin API's health and the network".into(),
            )
        }
    };
    let mut missing = Vec::new();
    let mut elsewhere = Vec::new();
    let topics = subscriptions::topics(on);
    for topic in &topics {
        match existing.get(topic) {
            None => missing.push(topic.as_str()),
            Some(subs) if subs.iter().any(|(_, url)| url == &callback) => {}
            Some(subs) => elsewhere.push(format!("{topic} → {}", subs[0].1)),
        }
    }
    let not_here = i64::try_from(missing.len() + elsewhere.len()).unwrap_or(i64::MAX);
    subscriptions_gauge
        .subscriptions_missing
        .get_or_create(&ShopLabels {
            shop: shop.domain.clone(),
        })
        .set(not_here);
    if missing.is_empty() && elsewhere.is_empty() {
        return finding(
            shop,
            WEBHOOKS,
            FindingStatus::Ok,
            format!("all {} topics subscribed to {callback}", topics.len()),
        );
    }
    let mut wrong = Vec::new();
    if !missing.is_empty() {
        wrong.push(format!("no subscription for {}", missing.join(", ")));
    }
    if !elsewhere.is_empty() {
        wrong.push(format!("pointing elsewhere: {}", elsewhere.join(", ")));
    }
    problem(
        shop,
        WEBHOOKS,
        FindingStatus::Error,
        format!("{}: those webhooks do not reach {callback}", wrong.join("; ")),
        "run the engine (`xeno run`): each of its sync runs re-creates and re-points the engine's subscriptions".into(),
    )
}
